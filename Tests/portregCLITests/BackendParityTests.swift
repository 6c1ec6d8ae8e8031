import Foundation
import PortregTestSupport
import Testing

import Glibc

/// The same end-to-end assignment tests on SQLite and on PostgreSQL (SPEC.md, "Shared registry
/// on PostgreSQL": same output, same exit codes, same collision rule).
@Suite("both backends")
struct BackendParityTests {
    /// A registry CSV with fixed times, so both backends hold byte-identical rows.
    static let registry = """
        service,port,protocol,host,bind,owner,note,created_at,expires_at
        billing,8080,tcp,*,*,team-pay,"main API, v2",2026-01-01T00:00:00Z,
        metrics,9100-9109,udp,prod,*,ops,,2026-01-02T00:00:00Z,
        db,5432,tcp,prod,127.0.0.1,data,,2026-01-03T00:00:00Z,
        preview,20990,tcp,*,*,,,2026-01-01T00:00:00Z,2026-01-01T00:00:01Z

        """

    /// The output with the times of this run (not the file's fixed 2026-01-0x ones) and the
    /// registry's location replaced, so that two runs a second apart compare equal.
    static func normalised(_ result: CLIResult, _ cli: CLI) -> String {
        let text = "exit \(result.status)\n\(result.stdout)--\n\(result.stderr)"
            .replacingOccurrences(of: cli.database, with: "<db>")
        return text.replacingOccurrences(
            of: "(?!2026-01-0)[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}Z", with: "<now>",
            options: .regularExpression)
    }

    /// One session of every assignment command, run step by step on a SQLite file and on a
    /// PostgreSQL schema: each step's exit status, stdout and stderr must be the same.
    @Test(.enabled(if: PostgresSchema.isConfigured, PostgresSchema.skipMessage))
    func everyCommandPrintsTheSameOnBothBackends() async throws {
        let sqlite = try CLI(.sqlite)
        let postgres = try CLI(.postgres)
        for cli in [sqlite, postgres] { try cli.write("team.csv", Self.registry) }
        let steps: [[String]] = [
            ["import", "team.csv", "--dry-run"],
            ["list", "--all"],
            ["import", "team.csv"],
            ["import", "team.csv", "--format", "json"],
            ["list"], ["list", "--all", "--format", "csv"], ["list", "--owner", "ops", "--format", "json"],
            ["list", "--host", "PROD"], ["list", "--service", "BILLING"],
            ["add", "shop", "8080"],
            ["add", "shop", "9105/udp", "--host", "prod"],
            ["add", "shop", "9105/udp", "--host", "staging"],
            ["add", "Shop", "9105/udp", "--host", "staging", "--owner", "retail"],
            ["add", "cache", "6379", "--force"],
            ["add", "rival", "6379", "--force"],
            ["add", "successor", "20990"],
            ["add", "lease", "7000", "--ttl", "2h"],
            ["conflicts"], ["conflicts", "--format", "json"], ["conflicts", "--no-warnings", "--format", "csv"],
            ["reserve", "web", "--no-probe"], ["reserve", "web", "--no-probe"],
            [
                "reserve", "grpc", "--count", "4", "--range", "9100-9120", "--proto", "udp", "--host", "prod",
                "--no-probe",
            ],
            ["reserve", "tiny", "--range", "8080-8080", "--no-probe"],
            ["free", "--range", "9100-9130", "--proto", "udp", "--host", "prod", "--limit", "3", "--no-probe"],
            ["free", "--count", "5", "--range", "5430-5450", "--no-probe", "--format", "json"],
            ["lookup", "8080"], ["lookup", "billing"], ["lookup", "9100-9110/udp", "--format", "json"],
            ["search", "pay"], ["search", "main api", "--format", "csv"], ["lookup", "biling"],
            ["remove", "rival"], ["remove", "nothing-here"], ["remove", "shop", "9105/udp", "--host", "staging"],
            ["export"], ["export", "--format", "json"], ["export", "--format", "env"],
            ["import", "team.csv", "--replace", "--dry-run"],
            ["import", "team.csv", "--replace"],
            ["export"],
            ["import", "-"],
            ["lookup", "-"], ["catalog"],
        ]
        for step in steps {
            let stdin =
                step == ["import", "-"]
                ? "service,port\nbad line,1\n" : step == ["lookup", "-"] ? "5432\nbilling\nnosuch\n9100/udp\n" : nil
            let a = try await sqlite.run(step, stdin: stdin)
            let b = try await postgres.run(step, stdin: stdin)
            #expect(
                Self.normalised(a, sqlite) == Self.normalised(b, postgres),
                "portreg \(step.joined(separator: " ")) differs\nSQLite: \(a)\nPostgreSQL: \(b)")
            a.expectNoCrashReport()
            b.expectNoCrashReport()
        }
    }

    @Test(arguments: Backend.available)
    func aCollisionIsRefusedAndChangesNothing(_ backend: Backend) async throws {
        let cli = try CLI(backend)
        try await cli.run("add", "billing", "8080", "--owner", "pay").expect(status: 0)
        let before = try await cli.exported()
        try await cli.run("add", "shop", "8080").expect(
            status: 1, stderr: ["8080/tcp collides with billing (8080/tcp, owner pay)"])
        try await cli.run("add", "shop", "8079-8081").expect(status: 1, stderr: ["collides with billing"])
        #expect(try await cli.exported() == before)
        try await cli.run("add", "shop", "8080/udp").expect(status: 0)
        try await cli.run("conflicts", "--no-warnings").expect(status: 0)
        try await cli.run("add", "shop", "8080", "--force").expect(status: 0)
        try await cli.run("conflicts", "--no-warnings").expect(status: 1, stdout: ["billing", "shop"])
    }

    @Test(arguments: Backend.available)
    func reserveRemoveAndListRoundTrip(_ backend: Backend) async throws {
        let cli = try CLI(backend)
        let first = try await cli.run("reserve", "web", "--no-probe")
        first.expect(status: 0)
        let port = first.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
        try await cli.run("reserve", "WEB", "--no-probe").expect(status: 0, stdout: [port])
        let other = try await cli.run("reserve", "api", "--no-probe")
        other.expect(status: 0, stdoutLacks: [port])
        let free = try await cli.run("free", "--range", "\(port)-\(port)", "--no-probe")
        free.expect(status: 1, stderr: ["no free port in \(port)"])
        let listed = try await cli.run("list", "--format", "csv")
        listed.expect(status: 0)
        #expect(Set(listed.csvRows.map { $0["service"] ?? "" }) == ["web", "api"])
        try await cli.run("remove", "WEB").expect(status: 0, stdout: ["web"])
        try await cli.run("remove", "web").expect(status: 1)
        #expect(try await cli.run("list", "--format", "csv").csvRows.map { $0["service"] ?? "" } == ["api"])
        try await cli.run("free", "--range", "\(port)-\(port)", "--no-probe").expect(status: 0, stdout: [port])
    }

    @Test(arguments: Backend.available)
    func importRefusesBadRowsAndCollisionsAndDryRunWritesNothing(_ backend: Backend) async throws {
        let cli = try CLI(backend)
        try await cli.run(["import", "-"], stdin: Self.registry).expect(status: 0)
        let before = try await cli.exported()
        let bad = try cli.write("bad.csv", Self.registry + "broken,99999,tcp,*,*,,,,\n")
        try await cli.run("import", bad).expect(status: 65, stderr: ["bad.csv:6"])
        let header = "service,port,protocol,host,bind,owner,note,created_at,expires_at\n"
        let colliding = try cli.write("collide.csv", header + "intruder,8080,tcp,*,*,,,,\n")
        try await cli.run("import", colliding).expect(status: 1, stderr: ["collid"])
        try await cli.run("import", colliding, "--dry-run").expect(status: 1)
        let fresh = try cli.write("fresh.csv", header + "newcomer,4000,tcp,*,*,,,,\n")
        try await cli.run("import", fresh, "--dry-run").expect(status: 0)
        #expect(try await cli.exported() == before, "nothing changed")
        try await cli.run("import", fresh, "--replace").expect(status: 0)
        #expect(
            try await cli.run("list", "--all", "--format", "csv").csvRows.map { $0["service"] ?? "" } == ["newcomer"])
    }

    @Test(arguments: Backend.available)
    func anExpiredLeaseIsHiddenAndFreesItsPort(_ backend: Backend) async throws {
        let cli = try CLI(backend)
        try await cli.run(["import", "-"], stdin: Self.registry).expect(status: 0)
        let live = try await cli.run("list", "--format", "csv")
        #expect(!live.csvRows.contains { $0["service"] == "preview" })
        #expect(try await cli.run("list", "--all", "--format", "csv").csvRows.contains { $0["service"] == "preview" })
        try await cli.run("add", "successor", "20990").expect(status: 0, stderrLacks: ["collid"])
        try await cli.run("reserve", "temp", "--ttl", "1h", "--no-probe").expect(status: 0)
        let doctor = try await cli.run("doctor", "--format", "json")
        doctor.expect(status: 0)
        let report = try #require(try doctor.json() as? [String: Any])
        #expect(report["assignments"] as? Int == 6 && report["expired_leases"] as? Int == 1, "\(doctor)")
    }

    @Test(arguments: Backend.available)
    func scanReportsAnAssignmentNobodyListensOnAsMissing(_ backend: Backend) async throws {
        let cli = try CLI(backend)
        try await cli.run("add", "ghost", "47999", "--host", "*").expect(status: 0)
        let scan = try await cli.run("scan", "--format", "csv")
        scan.expect(status: 0)
        #expect(
            scan.csvRows.contains { $0["status"] == "missing" && $0["port"] == "47999" && $0["service"] == "ghost" },
            "\(scan)")
    }

    /// 16 processes reserving 4 ports each at once: 64 different ports, all recorded, none failed.
    @Test(arguments: Backend.available)
    func concurrentReservationsGetDifferentPortsAndNoneIsLost(_ backend: Backend) async throws {
        let cli = try CLI(backend)
        try await cli.run("list").expect(status: 0)  // migrated and seeded before the rush
        let results = try await withThrowingTaskGroup(of: [CLIResult].self) { group in
            for process in 1...16 {
                group.addTask {
                    var results: [CLIResult] = []
                    for round in 1...4 {
                        results.append(
                            try await cli.run(
                                ["reserve", "p\(process)-r\(round)", "--no-probe"], timeout: .seconds(120)))
                    }
                    return results
                }
            }
            var all: [CLIResult] = []
            for try await results in group { all += results }
            return all
        }
        for result in results { result.expect(status: 0, stderrIsEmpty: true) }
        let ports = results.compactMap { Int($0.stdout.trimmingCharacters(in: .whitespacesAndNewlines)) }
        #expect(ports.count == 64 && Set(ports).count == 64, "\(ports.sorted())")
        let rows = try await cli.run("list", "--format", "csv").csvRows
        #expect(rows.count == 64)
        #expect(Set(rows.compactMap { $0["port"].flatMap { Int($0) } }) == Set(ports))
        try await cli.run("conflicts", "--no-warnings").expect(status: 0)
    }
}

/// What only a server can do: be down, drop a connection, ask for a password.
@Suite("PostgreSQL server", .enabled(if: PostgresSchema.isConfigured, PostgresSchema.skipMessage))
struct PostgresCLIServerTests {
    @Test func anUnreachableServerExits75AfterTheBusyTimeoutWithItsMessageAndNoPassword() async throws {
        let cli = try CLI()
        let url = "postgresql://alice:hunter2-secret@/registry?host=\(cli.path("no-server"))"
        let started = ContinuousClock.now
        let result = try await cli.run(
            ["list"], environment: ["PORTREG_DB": url, "PORTREG_BUSY_TIMEOUT": "1500"])
        let elapsed = ContinuousClock.now - started
        result.expect(
            status: 75,
            stderr: [
                "postgresql://alice:***@/registry", "could not be reached", "1500 ms", "No such file or directory",
            ],
            stderrLacks: ["hunter2"])
        // Retried, not given up at once (the message names the 1500 ms in force; no upper bound
        // on the time: a loaded machine can take seconds to start the process).
        #expect(elapsed >= .milliseconds(700), "retried until the timeout: \(elapsed)")
        #expect(!cli.exists(cli.path("postgresql:")), "no folder named after the URL")
    }

    @Test func aWrongPasswordIsRefusedWithoutShowingIt() async throws {
        let server = try #require(PostgresSchema.serverURL)
        let url = PostgresTestURL.url(server, user: PostgresTestURL.passwordRole.user, password: "not-the-password")
        let cli = try CLI()
        let result = try await cli.run(["list"], environment: ["PORTREG_DB": url])
        result.expect(status: 73, stderr: ["password authentication failed"], stderrLacks: ["not-the-password"])
    }

    @Test func doctorNamesTheServerAndItsSchema() async throws {
        let cli = try CLI(.postgres)
        try await cli.run("add", "billing", "8080").expect(status: 0)
        let doctor = try await cli.run("doctor", "--format", "json")
        doctor.expect(status: 0)
        let report = try #require(try doctor.json() as? [String: Any])
        #expect(report["server"] as? String == cli.database)
        #expect(report["server_schema_version"] as? Int == 2)
        #expect(report["assignments"] as? Int == 1)
        #expect((report["database"] as? String)?.hasSuffix("/home/.local/share/portreg/catalog.db") == true)
        let catalog = cli.path("elsewhere/catalog.db")
        try await cli.run(["doctor"], environment: ["PORTREG_CATALOG_DB": catalog]).expect(status: 0, stdout: [catalog])
        #expect(cli.exists(catalog))
    }

    /// export from PostgreSQL → import into SQLite → export is byte-identical, and back.
    @Test func exportsMoveBetweenBackendsByteForByte() async throws {
        let postgres = try CLI(.postgres)
        let sqlite = try CLI(.sqlite)
        try await postgres.run(["import", "-"], stdin: BackendParityTests.registry).expect(status: 0)
        try await postgres.run("add", "Zeta", "9105/udp", "--host", "staging", "--note", "Ünïcödé, \"quoted\"")
            .expect(status: 0)
        try await postgres.run("reserve", "lease", "--ttl", "3h", "--no-probe").expect(status: 0)
        let fromPostgres = try await postgres.exported()
        try await sqlite.run(["import", "-"], stdin: fromPostgres).expect(status: 0)
        let fromSQLite = try await sqlite.exported()
        #expect(fromSQLite == fromPostgres)
        let again = try CLI(.postgres)
        try await again.run(["import", "-"], stdin: fromSQLite).expect(status: 0)
        #expect(try await again.exported() == fromSQLite)
    }

    /// The server ends the session (pg_terminate_backend) in the middle of a long import:
    /// the command exits 75 and the registry holds what it held before.
    @Test func aConnectionDroppedMidImportLeavesTheRegistryAsItWas() async throws {
        let cli = try CLI(.postgres)
        try await cli.run("add", "billing", "8080").expect(status: 0)
        let before = try await cli.exported()
        var csv = "service,port,protocol,host,bind,owner,note,created_at,expires_at\n"
        for index in 0..<300_000 {
            csv +=
                "svc\(index),\(10_000 + index % 50_000),\(["tcp", "udp", "sctp", "dccp"][index % 4]),h\(index / 200_000),*,,,,\n"
        }
        let file = try cli.write("big.csv", csv)
        let application = "portreg_kill_\(getpid())_\(UInt32.random(in: 0...UInt32.max))"
        let killer = Task {
            for _ in 0..<600 {
                let killed = try PostgresSchema.psql(
                    """
                    SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity
                    WHERE application_name = '\(application)' AND xact_start IS NOT NULL
                      AND query ILIKE '%portreg_import%'
                    """)
                if killed.trimmingCharacters(in: .whitespacesAndNewlines) != "0" { return true }
                try await Task.sleep(for: .milliseconds(20))
            }
            return false
        }
        let result = try await cli.run(
            ["import", file], environment: ["PORTREG_DB": cli.database + "&application_name=" + application],
            timeout: .seconds(300))
        let killed = try await killer.value
        #expect(killed, "the import's session was never seen: \(result)")
        result.expect(status: 75, stderr: ["connection to the server was lost"])
        #expect(try await cli.exported() == before)
    }
}
