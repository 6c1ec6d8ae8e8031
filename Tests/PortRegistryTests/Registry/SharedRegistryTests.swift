import PortregTestSupport
import Testing
@testable import PortRegistry
@testable import PortRegistryModel
@testable import PortRegistryPostgreSQL

@testable import PortRegistry

/// Which location is a server, where the catalog goes then, and how the front door reports a
/// server it cannot use (no server needed for these).
@Suite struct SharedRegistryLocationTests {
    @Test(arguments: [
        ("postgres://db/ports", true), ("postgresql://u@/ports?host=/run/postgresql", true),
        ("PostgreSQL://db/ports", true), ("./postgres://x", false), ("registry.db", false),
        ("/var/lib/portreg/postgresql.db", false), ("host=db dbname=ports", true),
        ("  dbname = ports", true), ("password=x host=db", true), ("./host=db", false), ("backup=1.db", false),
        ("HOST=db", false),
    ])
    func onlyLibpqURIsAreServers(_ location: String, _ isServer: Bool) {
        #expect(DatabaseLocation.isServer(location) == isServer, "\(location)")
    }

    @Test func theCatalogGoesBesideTheDefaultRegistryUnlessNamed() {
        #expect(
            DatabaseLocation.catalogPath(environment: ["HOME": "/home/me", "PORTREG_DB": "postgres://db/x"])
                == "/home/me/.local/share/portreg/catalog.db")
        #expect(
            DatabaseLocation.catalogPath(environment: ["HOME": "/home/me", "XDG_DATA_HOME": "/data"])
                == "/data/portreg/catalog.db")
        #expect(
            DatabaseLocation.catalogPath(environment: ["HOME": "/home/me", "PORTREG_CATALOG_DB": "/etc/portreg.db"])
                == "/etc/portreg.db")
    }

    @Test(arguments: [
        "postgresql://h/db?sslmode=bogus", "postgresql://h:port/db", "postgresql://h/db?nosuchoption=1",
        "postgres://[::1/db",
    ])
    func aMalformedURIIsBadUsage(_ uri: String) throws {
        let directory = try TemporaryDirectory()
        let error = expectRegistryError(.usage) {
            _ = try Registry.open(
                explicitPath: uri,
                environment: ["HOME": directory.path, "PORTREG_CATALOG_DB": directory.path + "/catalog.db"])
        }
        #expect(error?.message.hasPrefix(uri + ": ") ?? false, "\(String(describing: error))")
    }

    @Test func anUnreachableServerIsBusyNamingItWithoutItsPassword() throws {
        let directory = try TemporaryDirectory()
        let uri = "postgresql://alice:sw0rdfish-pass@/ports?host=\(directory.path)/none"
        let error = expectRegistryError(.busy) {
            _ = try Registry.open(
                explicitPath: uri,
                environment: [
                    "HOME": directory.path, "PORTREG_BUSY_TIMEOUT": "300",
                    "PORTREG_CATALOG_DB": directory.path + "/catalog.db",
                ])
        }
        #expect(error?.message.hasPrefix("postgresql://alice:***@/ports") ?? false, "\(String(describing: error))")
        #expect(error?.message.contains("300 ms") ?? false)
        #expect(!(error?.message.contains("sw0rdfish") ?? true))
        #expect(!FileSystem.exists(directory.path + "/catalog.db"), "nothing created before the server answered")
    }
}

@Suite(.enabled(if: PostgresTestServer.isConfigured, PostgresTestServer.skipMessage))
struct SharedRegistryTests {
    @Test func useCasesRunOnTheServerWithTheCatalogInTheLocalFile() throws {
        try PostgresTestServer.withSchema { url in
            let directory = try TemporaryDirectory()
            let clock = MovableClock(Timestamp(parsing: "2026-06-01T12:00:00Z") ?? .latest)
            let registry = try Registry.openShared(
                uri: url, catalogPath: directory.path + "/catalog.db", busyTimeoutMilliseconds: 5_000,
                clock: clock.clock)
            #expect(registry.server?.schemaVersion == PostgresMigrator.embedded.latestVersion)
            let lease = try registry.add(
                Assignment(service: "preview", ports: PortRange(uncheckedLow: 20990, high: 20990)), ttlSeconds: 60)
            #expect(lease.assignment.expiresAt == "2026-06-01T12:01:00Z")
            var listed: [String] = []
            try registry.list { listed.append($0.service) }
            #expect(listed == ["preview"])
            clock.advance(seconds: 61)
            listed = []
            try registry.list { listed.append($0.service) }
            #expect(listed == [], "the lease ran out on the injected clock, not the server's")
            let report = try registry.doctor()
            #expect(report.assignments == 1 && report.expiredLeases == 1 && report.server == PostgresURI.redacted(url))
            #expect(report.catalogRows > 0 && report.isHealthy)
        }
    }
}
