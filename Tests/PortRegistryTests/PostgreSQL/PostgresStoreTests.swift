import Testing
@testable import PortRegistry
@testable import PortRegistryAssignments
@testable import PortRegistryFormats
@testable import PortRegistryModel
@testable import PortRegistryPostgreSQL
@testable import PortRegistrySearch

@testable import PortRegistry

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

@Suite(.enabled(if: PostgresTestServer.isConfigured, PostgresTestServer.skipMessage))
struct PostgresMigrationTests {
    @Test func aFreshDatabaseIsMigratedAndRecorded() throws {
        try PostgresTestServer.withSchema { url in
            let connection = try PostgresConnection(uri: url)
            let migrator = PostgresMigrator.embedded
            #expect(try migrator.currentVersion(connection) == 0)
            #expect(try migrator.migrate(connection) == migrator.latestVersion)
            #expect(try migrator.currentVersion(connection) == migrator.latestVersion)
            let recorded = try connection.query("SELECT version, name FROM portreg_schema ORDER BY version")
            #expect(recorded.rows.map { $0.text(1) } == migrator.migrations.map(\.name))
            #expect(try connection.query("SELECT to_regclass('assignment') IS NOT NULL")[0].bool(0))
            #expect(try migrator.migrate(connection) == 0, "a second run applies nothing")
        }
    }

    @Test func aDatabaseFromANewerPortregIsRefusedUnchanged() throws {
        try PostgresTestServer.withSchema { url in
            let connection = try PostgresConnection(uri: url)
            try PostgresMigrator.embedded.migrate(connection)
            try connection.query("INSERT INTO portreg_schema (version, name) VALUES (99, '0099_future.sql')")
            let error = expectRegistryError(.cannotCreate) { try PostgresMigrator.embedded.migrate(connection) }
            #expect(error?.message.contains("schema version 99 is newer") ?? false)
            #expect(
                try connection.query("SELECT count(*) FROM portreg_schema")[0].int(0)
                    == PostgresMigrator.embedded.latestVersion + 1)
        }
    }

    @Test func aFailingMigrationLeavesNothing() throws {
        try PostgresTestServer.withSchema { url in
            let connection = try PostgresConnection(uri: url)
            let broken = PostgresMigrator(files: [
                (name: "0001_ok.sql", text: "CREATE TABLE first (x integer);"),
                (name: "0002_broken.sql", text: "CREATE TABLE second (x integer); SELECT no_such_function();"),
            ])
            let error = expectRegistryError(.io) { try broken.migrate(connection) }
            #expect(error?.message.contains("0002_broken.sql") ?? false)
            #expect(try broken.currentVersion(connection) == 0)
            #expect(try connection.query("SELECT to_regclass('first') IS NULL")[0].bool(0))
        }
    }

    @Test func processesMigratingANewDatabaseAtOnceSerialise() throws {
        try PostgresTestServer.withSchema { url in
            let failures = Locked<[String]>([])
            let applied = Locked<[Int]>([])
            onThreads(8) { _ in
                do {
                    let connection = try PostgresConnection(uri: url, busyTimeoutMilliseconds: 20_000)
                    let count = try PostgresMigrator.embedded.migrate(connection)
                    applied.withLock { $0.append(count) }
                } catch {
                    failures.withLock { $0.append("\(error)") }
                }
            }
            #expect(failures.withLock { $0 } == [])
            #expect(applied.withLock { $0.reduce(0, +) } == PostgresMigrator.embedded.latestVersion, "each ran once")
            let connection = try PostgresConnection(uri: url)
            #expect(
                try connection.query("SELECT count(*) FROM portreg_schema")[0].int(0)
                    == PostgresMigrator.embedded.latestVersion)
        }
    }
}

@Suite(.enabled(if: PostgresTestServer.isConfigured, PostgresTestServer.skipMessage))
struct PostgresConstraintTests {
    /// Rows the schema itself must refuse, whatever code path wrote them.
    @Test(arguments: [
        ("port 0", "'web', 0, 0, 'tcp', '2026-01-01T00:00:00Z'"),
        ("port 65536", "'web', 65536, 65536, 'tcp', '2026-01-01T00:00:00Z'"),
        ("low above high", "'web', 9001, 9000, 'tcp', '2026-01-01T00:00:00Z'"),
        ("unknown protocol", "'web', 80, 80, 'quic', '2026-01-01T00:00:00Z'"),
        ("timestamp shape", "'web', 80, 80, 'tcp', '2026-01-01 00:00:00'"),
        ("empty service", "'', 80, 80, 'tcp', '2026-01-01T00:00:00Z'"),
    ])
    func theSchemaRefuses(_ case: (String, String)) throws {
        try PostgresTestServer.withMigratedStore { store in
            do {
                try store.connection.query(
                    "INSERT INTO assignment (service, port_low, port_high, protocol, created_at) VALUES (\(`case`.1))")
                Issue.record("\(`case`.0) was stored")
            } catch let error as PostgresError {
                #expect(error.isConstraintViolation, "\(`case`.0): \(error)")
            }
        }
    }

    @Test func oneClaimPerSocketAndServiceCaseInsensitively() throws {
        try PostgresTestServer.withMigratedStore { store in
            let insert =
                "INSERT INTO assignment (service, port_low, port_high, created_at) VALUES ($1, 80, 80, '2026-01-01T00:00:00Z')"
            try store.connection.query(insert, ["Web"])
            do {
                try store.connection.query(insert, ["wEB"])
                Issue.record("the same claim was stored twice")
            } catch let error as PostgresError {
                #expect(error.sqlState == "23505" && error.constraint == "assignment_claim")
            }
        }
    }

    @Test func storeWritesNeedATransaction() throws {
        try PostgresTestServer.withMigratedStore { store in
            #expect(throws: PostgresError.self) {
                try store.insert(
                    Assignment(service: "web", ports: portRange(80)), now: Timestamp(secondsSinceEpoch: 1_767_225_600))
            }
            #expect(throws: PostgresError.self) { _ = try store.remove(service: "web") }
        }
    }
}

/// The same operations on SQLite's `AssignmentStore` and on `PostgresAssignmentStore` give the
/// same answers.
@Suite(.enabled(if: PostgresTestServer.isConfigured, PostgresTestServer.skipMessage))
struct PostgresStoreParityTests {
    static let now = Timestamp(parsing: "2026-06-01T12:00:00Z") ?? .latest

    /// Claims chosen for the corners: case of services and hosts, blocks, protocols, expired
    /// and live leases, byte order of hosts and binds ('_' sorts after 'Z' and before 'a').
    static let claims: [Assignment] = [
        Assignment(service: "web", ports: portRange(8080), host: hostScope("prod"), owner: "alice"),
        Assignment(service: "web", ports: portRange(8081), host: hostScope("Staging"), owner: "bob"),
        Assignment(service: "Api", ports: portRange(9000, 9009), transport: .udp, owner: "alice", note: "gRPC"),
        Assignment(service: "db", ports: portRange(5432), host: hostScope("prod"), owner: "carol", note: "Ünïcödé"),
        Assignment(service: "db", ports: portRange(5432), host: hostScope("_infra"), bind: bindAddress("127.0.0.1")),
        Assignment(service: "db", ports: portRange(5432), host: hostScope("a-host"), bind: bindAddress("::1")),
        Assignment(service: "cache", ports: portRange(6379), expiresAt: "2026-05-01T00:00:00Z"),
        Assignment(service: "cache2", ports: portRange(6380), expiresAt: "2026-07-01T00:00:00Z"),
        Assignment(
            service: "edge", ports: portRange(9005), owner: "dave", note: "overlaps Api's block on tcp? no, udp"),
        Assignment(service: "edge", ports: portRange(9005), transport: .udp, owner: "dave"),
        Assignment(service: "Zeta", ports: portRange(9005), transport: .udp, host: hostScope("prod")),
        Assignment(service: "alpha", ports: portRange(9005), transport: .udp, host: hostScope("prod")),
    ].map { claim in
        var claim = claim
        claim.createdAt = "2026-01-02T03:04:05Z"
        return claim
    }

    /// Assignments without ids (ids are each backend's own).
    static func values(_ assignments: [Assignment]) -> [Assignment] {
        assignments.map { assignment in
            var assignment = assignment
            assignment.id = nil
            return assignment
        }
    }

    struct Both {
        let registry: Registry
        let sqlite: AssignmentStore
        let postgres: PostgresAssignmentStore

        func insert(_ assignment: Assignment, ttlSeconds: Int? = nil) throws -> (Assignment, Assignment) {
            let a = try registry.write { try sqlite.insert(assignment, ttlSeconds: ttlSeconds, now: now) }
            let b = try postgres.write { try postgres.insert(assignment, ttlSeconds: ttlSeconds, now: now) }
            return (a, b)
        }

        func expectSame(
            _ label: String, sourceLocation: Testing.SourceLocation = #_sourceLocation,
            _ sqliteSide: (AssignmentStore) throws -> [Assignment],
            _ postgresSide: (PostgresAssignmentStore) throws -> [Assignment]
        ) throws {
            let a = values(try sqliteSide(sqlite))
            let b = values(try postgresSide(postgres))
            #expect(a == b, "\(label)", sourceLocation: sourceLocation)
        }
    }

    func withBoth(_ body: (Both) throws -> Void) throws {
        let registry = try Registry.inMemory()
        try PostgresTestServer.withMigratedStore { postgres in
            let both = Both(
                registry: registry, sqlite: AssignmentStore(database: registry.database), postgres: postgres)
            for claim in Self.claims { _ = try both.insert(claim) }
            try body(both)
        }
    }

    @Test func listsAndFiltersMatch() throws {
        try withBoth { both in
            let filters: [(String, AssignmentFilter)] = [
                ("all live", AssignmentFilter()),
                ("all", AssignmentFilter(includeExpired: true)),
                ("service, other case", AssignmentFilter(service: "DB")),
                ("host, other case", AssignmentFilter(host: "STAGING")),
                ("owner", AssignmentFilter(owner: "alice")),
                ("owner is case-sensitive", AssignmentFilter(owner: "Alice")),
                ("expired one", AssignmentFilter(service: "cache", includeExpired: true)),
                ("expired one hidden", AssignmentFilter(service: "cache")),
            ]
            for (label, filter) in filters {
                try both.expectSame(
                    label, { try $0.list(filter, now: Self.now) }, { try $0.list(filter, now: Self.now) })
            }
            #expect(
                try both.postgres.list(AssignmentFilter(includeExpired: true), now: Self.now).count == Self.claims.count
            )
            var exported: [Assignment] = []
            try both.postgres.forEachInExportOrder { exported.append($0) }
            try both.expectSame(
                "export order", { try $0.list(AssignmentFilter(includeExpired: true), now: Self.now) },
                { _ in exported })
            #expect(try both.sqlite.count() == both.postgres.count())
            // The registry CSV each would export is byte-identical.
            let sqliteCSV = try both.sqlite.list(AssignmentFilter(includeExpired: true), now: Self.now).map(
                RegistryCSV.line
            ).joined()
            #expect(sqliteCSV == exported.map(RegistryCSV.line).joined())
        }
    }

    @Test func overlapsNamesAndCollisionsMatch() throws {
        try withBoth { both in
            let probes: [(PortRange, TransportProtocol?)] = [
                (portRange(9005), .udp), (portRange(9005), nil), (portRange(9000, 9100), .tcp),
                (portRange(1, 65535), nil),
                (portRange(6379), nil), (portRange(6380), .tcp), (portRange(1), nil),
            ]
            for (ports, transport) in probes {
                try both.expectSame(
                    "overlapping \(ports) \(transport?.rawValue ?? "any")",
                    { try $0.overlapping(ports, transport: transport, now: Self.now) },
                    { try $0.overlapping(ports, transport: transport, now: Self.now) })
            }
            for name in ["db", "DB", "web", "cache", "cache2", "nothing"] {
                try both.expectSame(
                    "named \(name)", { try $0.named(name, now: Self.now) }, { try $0.named(name, now: Self.now) })
            }
            let candidates = [
                Assignment(service: "new", ports: portRange(9003), transport: .udp),
                Assignment(service: "new", ports: portRange(5432), host: hostScope("prod")),
                Assignment(service: "DB", ports: portRange(5432), host: hostScope("prod")),
                Assignment(service: "new", ports: portRange(6379)),
            ]
            for candidate in candidates {
                try both.expectSame(
                    "collisions with \(candidate.service) \(candidate.ports)",
                    { try $0.collisions(with: candidate, now: Self.now) },
                    { try $0.collisions(with: candidate, now: Self.now) })
            }
        }
    }

    @Test func sweepAllocatorAndExportReadsMatch() throws {
        try withBoth { both in
            // The registry CSV, byte for byte.
            var bytes: [UInt8] = []
            try both.postgres.exportCSV { bytes.append(contentsOf: $0) }
            let expected =
                RegistryCSV.header.joined(separator: ",") + "\n"
                + (try both.sqlite.list(AssignmentFilter(includeExpired: true), now: Self.now).map(RegistryCSV.line)
                    .joined())
            #expect(String(decoding: bytes, as: UTF8.self) == expected)
            // The sweep's packed claims: live ones, by first port.
            var claims: [(Int, PortRange, TransportProtocol, String, String)] = []
            try both.postgres.forEachLiveClaim(now: Self.now) { claims.append(($0, $1, $2, $3, $4)) }
            let live = try both.postgres.list(now: Self.now)
            #expect(claims.count == live.count)
            #expect(claims.map(\.1.low) == claims.map(\.1.low).sorted())
            for (id, ports, transport, host, bind) in claims {
                let stored = try #require(try both.postgres.assignment(id: id))
                #expect(stored.ports == ports && stored.transport == transport && stored.host.name == host)
                #expect(stored.bind.text == bind)
            }
            #expect(try both.postgres.assignment(id: 999_999) == nil)
            // The allocator's inner query: claims on udp 9000-9009 whose host overlaps prod.
            var blocking: [String] = []
            try both.postgres.blockingClaims(
                in: portRange(9000, 9009), transport: .udp, host: hostScope("prod"), now: Self.now
            ) {
                blocking.append("\($0) \($1)")
            }
            let expectedBlocking = try both.sqlite.overlapping(portRange(9000, 9009), transport: .udp, now: Self.now)
                .filter { $0.host.overlaps(hostScope("prod")) }.map { "\($0.ports) \($0.bind)" }
            #expect(blocking.sorted() == expectedBlocking.sorted() && !blocking.isEmpty)
            let counts = try both.postgres.counts(now: Self.now)
            #expect(counts.total == Self.claims.count && counts.expired == 1)
            #expect(try both.postgres.indexProblems() == 0)
        }
    }

    @Test func aDryRunRollsBackAndAnInnerTransactionJoinsTheOuter() throws {
        try PostgresTestServer.withMigratedStore { store in
            let stored = try store.transaction(writing: true, dryRun: true) {
                try store.insert(Assignment(service: "web", ports: portRange(80)), now: Self.now)
            }
            #expect(stored.service == "web" && stored.id != nil)
            #expect(try store.count() == 0, "a dry run leaves nothing")
            try store.write {
                try store.insert(Assignment(service: "web", ports: portRange(80)), now: Self.now)
                try store.write { try store.insert(Assignment(service: "api", ports: portRange(81)), now: Self.now) }
            }
            #expect(try store.count() == 2)
        }
    }

    @Test func upsertsMatch() throws {
        try withBoth { both in
            // Same claim, other case: updated in place; empty owner keeps, new note replaces.
            let (a, b) = try both.insert(
                Assignment(service: "WEB", ports: portRange(8080), host: hostScope("PROD"), note: "renewed"))
            #expect(Self.values([a]) == Self.values([b]))
            #expect(b.service == "web" && b.owner == "alice" && b.note == "renewed")
            // A lease from ttl: now + 3600 s on PostgreSQL (the SQLite side uses its own clock).
            let lease = try both.postgres.write {
                try both.postgres.insert(
                    Assignment(service: "tmp", ports: portRange(7000)), ttlSeconds: 3600, now: Self.now)
            }
            #expect(lease.expiresAt == "2026-06-01T13:00:00Z" && lease.createdAt == Self.now.text)
            let leap = try both.postgres.write {
                try both.postgres.insert(
                    Assignment(service: "tmp", ports: portRange(7001)), ttlSeconds: 86_400 * 366,
                    now: Timestamp(parsing: "2027-12-31T23:59:59Z") ?? .latest)
            }
            #expect(leap.expiresAt == "2028-12-31T23:59:59Z")
            // Re-adding without expiry makes the claim permanent.
            let permanent = try both.postgres.write {
                try both.postgres.insert(Assignment(service: "tmp", ports: portRange(7000)), now: Self.now)
            }
            #expect(permanent.expiresAt == nil && permanent.id == lease.id)
        }
    }

    @Test func removalsMatch() throws {
        try withBoth { both in
            let removals: [(String, PortRange?, TransportProtocol?, HostScope?)] = [
                ("DB", nil, nil, hostScope("prod")), ("edge", portRange(9005), .udp, nil), ("web", nil, nil, nil),
                ("nothing", nil, nil, nil),
            ]
            for (service, ports, transport, host) in removals {
                try both.expectSame(
                    "remove \(service)",
                    { store in
                        try both.registry.write {
                            try store.remove(service: service, ports: ports, transport: transport, host: host)
                        }.sorted {
                            $0.ports.low < $1.ports.low || ($0.ports.low == $1.ports.low && $0.host.name < $1.host.name)
                        }
                    },
                    { store in
                        try store.write {
                            try store.remove(service: service, ports: ports, transport: transport, host: host)
                        }
                        .sorted {
                            $0.ports.low < $1.ports.low || ($0.ports.low == $1.ports.low && $0.host.name < $1.host.name)
                        }
                    })
            }
            try both.expectSame(
                "what is left", { try $0.list(AssignmentFilter(includeExpired: true), now: Self.now) },
                { try $0.list(AssignmentFilter(includeExpired: true), now: Self.now) })
        }
    }

    @Test func searchAndNamesMatch() throws {
        try withBoth { both in
            for text in ["alice", "ünï", "ÜNÏCÖDÉ", "grpc", "db carol", "nothing-here", "a"] {
                let words = Search.words(text)
                let sqliteHits = try Search(registry: both.registry)(text, limit: 1000).hits.compactMap {
                    hit -> Assignment? in
                    if case .assignment(let assignment) = hit { return assignment }
                    return nil
                }
                var postgresHits: [Assignment] = []
                let prefilter = words[0].utf8.allSatisfy { $0 < 0x80 } ? words[0] : nil
                try both.postgres.forEachContaining(prefilter) { assignment in
                    let fields = [assignment.service, assignment.owner, assignment.note].map { $0.lowercased() }
                    if words.allSatisfy({ word in fields.contains { $0.contains(word) } }) {
                        postgresHits.append(assignment)
                    }
                }
                #expect(Set(Self.values(sqliteHits)) == Set(Self.values(postgresHits)), "search \(text)")
            }
            let names = try both.postgres.serviceNames()
            #expect(Set(names) == Set(Self.claims.map(\.service)))
        }
    }
}

@Suite(.enabled(if: PostgresTestServer.isConfigured, PostgresTestServer.skipMessage))
struct PostgresConcurrencyAndImportTests {
    static let now = Timestamp(parsing: "2026-06-01T12:00:00Z") ?? .latest

    /// Many sessions doing check-then-insert at once, each under the advisory lock: every one
    /// gets its own port (the reserve pattern).
    @Test func concurrentReservationsGetDistinctPorts() throws {
        try PostgresTestServer.withSchema { url in
            try PostgresMigrator.embedded.migrate(PostgresConnection(uri: url))
            let threads = 12
            let rounds = 10
            let failures = Locked<[String]>([])
            let ports = Locked<[Int]>([])
            onThreads(threads) { thread in
                do {
                    let store = PostgresAssignmentStore(
                        connection: try PostgresConnection(uri: url, busyTimeoutMilliseconds: 30_000))
                    for round in 0..<rounds {
                        let port = try store.write { () throws -> Int in
                            let taken = Set(
                                try store.overlapping(portRange(20_000, 20_999), transport: .tcp, now: Self.now).map(
                                    \.ports.low))
                            guard let free = (20_000...20_999).first(where: { !taken.contains($0) }) else {
                                throw PostgresError(.statement, "range full")
                            }
                            try store.insert(
                                Assignment(service: "svc-\(thread)-\(round)", ports: portRange(free)), now: Self.now)
                            return free
                        }
                        ports.withLock { $0.append(port) }
                    }
                } catch {
                    failures.withLock { $0.append("\(error)") }
                }
            }
            #expect(failures.withLock { $0 } == [])
            let all = ports.withLock { $0 }
            #expect(all.count == threads * rounds)
            #expect(Set(all).count == threads * rounds, "no port given twice")
            let store = PostgresAssignmentStore(connection: try PostgresConnection(uri: url))
            #expect(try store.count() == threads * rounds, "all recorded")
        }
    }

    @Test func importMergesReplacesAndCounts() throws {
        try PostgresTestServer.withMigratedStore { store in
            try store.write {
                try store.insert(
                    Assignment(service: "old", ports: portRange(1000), owner: "x", createdAt: "2020-01-01T00:00:00Z"),
                    now: Self.now)
                try store.insert(Assignment(service: "kept", ports: portRange(2000), owner: "x"), now: Self.now)
            }
            let rows = [
                Assignment(service: "KEPT", ports: portRange(2000), owner: "", note: "tab\there\nnewline\\"),
                Assignment(
                    service: "new", ports: portRange(3000, 3010), transport: .udp, createdAt: "2021-01-01T00:00:00Z"),
                Assignment(service: "new", ports: portRange(3000, 3010), transport: .udp, owner: "second wins"),
            ]
            let counts = try store.write {
                try store.merge(replace: true, now: Self.now, changes: nil) { emit in
                    for row in rows { try emit(row) }
                }
            }
            // Counted row by row, as SQLite counts (issue 16): KEPT updates the stored claim,
            // the first "new" adds one, the second updates it again.
            #expect(counts.rows == 3 && counts.added == 1 && counts.updated == 2 && counts.removed == 1)
            #expect(counts.updatedIDs.count == 1 && counts.updatedIDs.allSatisfy { $0 < counts.firstNewID })
            let all = try store.list(AssignmentFilter(includeExpired: true), now: Self.now)
            #expect(all.map(\.service) == ["kept", "new"])
            #expect(
                all[0].owner == "" && all[0].note == "tab\there\nnewline\\", "an import takes the row's owner and note")
            #expect(all[1].owner == "second wins" && all[1].createdAt == "2021-01-01T00:00:00Z")
            // A failure while producing rows leaves everything as it was.
            struct Bad: Error {}
            #expect(throws: Bad.self) {
                try store.write {
                    try store.merge(replace: true, now: Self.now, changes: nil) { emit in
                        try emit(Assignment(service: "ghost", ports: portRange(4000)))
                        throw Bad()
                    }
                }
            }
            #expect(
                try store.list(AssignmentFilter(includeExpired: true), now: Self.now).map(\.service) == ["kept", "new"])
        }
    }

    @Test func aMergeWithoutRepeatedClaimsUpdatesInPlace() throws {
        try PostgresTestServer.withMigratedStore { store in
            try store.write {
                try store.insert(Assignment(service: "Web", ports: portRange(80), owner: "a", note: "n"), now: Self.now)
            }
            let merge = try store.write {
                try store.merge(replace: false, now: Self.now, changes: nil) { insert in
                    try insert(Assignment(service: "web", ports: portRange(80), owner: "", note: "new note"))
                    try insert(Assignment(service: "web", ports: portRange(81)))
                }
            }
            #expect(merge.rows == 2 && merge.added == 1 && merge.updated == 1 && merge.removed == 0)
            let all = try store.list(now: Self.now)
            #expect(all.map(\.service) == ["Web", "web"], "an existing claim keeps its spelling")
            #expect(all[0].owner == "" && all[0].note == "new note")
            #expect(all[1].createdAt == Self.now.text)
            #expect(merge.touched(all[0].id ?? 0) && merge.touched(all[1].id ?? 0))
            #expect((all[1].id ?? 0) >= merge.firstNewID && (all[0].id ?? 0) < merge.firstNewID)
        }
    }

    @Test func aMergeCountsUnchangedRowsAndReportsEachChangeInInputOrder() throws {
        try PostgresTestServer.withMigratedStore { store in
            try store.write {
                try store.insert(Assignment(service: "web", ports: portRange(80), owner: "a"), now: Self.now)
                try store.insert(Assignment(service: "db", ports: portRange(5432), owner: "b"), now: Self.now)
                try store.insert(Assignment(service: "gone", ports: portRange(7000), owner: "c"), now: Self.now)
            }
            let before = try store.list(now: Self.now)
            var seen: [AssignmentChange] = []
            let merge = try store.write {
                try store.merge(replace: true, now: Self.now, changes: { seen.append($0) }) { insert in
                    try insert(Assignment(service: "new", ports: portRange(9000)))
                    try insert(Assignment(service: "db", ports: portRange(5432), owner: "b2"))
                    try insert(before.first { $0.service == "web" }!)
                }
            }
            #expect(merge.rows == 3 && merge.added == 1 && merge.updated == 1 && merge.unchanged == 1)
            #expect(merge.removed == 1 && merge.updatedIDs.count == 2)
            #expect(seen.count == 3)
            guard seen.count == 3 else { return }
            if case .added(let added) = seen[0] { #expect(added.service == "new") } else { Issue.record("\(seen[0])") }
            if case .updated(let old, let new) = seen[1] {
                #expect(old.owner == "b" && new.owner == "b2")
            } else {
                Issue.record("\(seen[1])")
            }
            if case .removed(let removed) = seen[2] {
                #expect(removed.service == "gone")
            } else {
                Issue.record("\(seen[2])")
            }
            // The same input again changes nothing and says so.
            let current = try store.list(now: Self.now)
            let again = try store.write {
                try store.merge(replace: false, now: Self.now, changes: nil) { insert in
                    for assignment in current { try insert(assignment) }
                }
            }
            #expect(again.rows == 3 && again.added == 0 && again.updated == 0 && again.unchanged == 3)
        }
    }

    @Test func expiredLeasesAreRemovedAndARowIsRewrittenInPlace() throws {
        try PostgresTestServer.withMigratedStore { store in
            let (lease, kept) = try store.write {
                (
                    try store.insert(
                        Assignment(service: "lease", ports: portRange(8100), expiresAt: "2000-01-01T00:00:00Z"),
                        now: Self.now),
                    try store.insert(Assignment(service: "kept", ports: portRange(8200)), now: Self.now)
                )
            }
            let removed = try store.write { try store.removeExpired(now: Self.now) }
            #expect(removed.map(\.service) == ["lease"] && removed.first?.id == lease.id)
            var moved = kept
            moved.ports = portRange(8300, 8301)
            moved.owner = "team"
            let stored = try store.write { try store.update(id: kept.id!, to: moved) }
            #expect(stored.id == kept.id && stored.ports == portRange(8300, 8301) && stored.owner == "team")
            #expect(try store.overlapping(portRange(8301), transport: .tcp, now: Self.now).map(\.service) == ["kept"])
        }
    }

    @Test func aHundredThousandRowsImportInOneCopy() throws {
        try PostgresTestServer.withMigratedStore { store in
            let clock = ContinuousClock()
            let start = clock.now
            let counts = try store.write {
                try store.merge(replace: false, now: Self.now, changes: nil) { emit in
                    for index in 0..<100_000 {
                        let port = 1 + index % 65_535
                        try emit(
                            Assignment(
                                service: "svc-\(index)",
                                ports: portRange(port, index % 50 == 0 ? min(port + 9, 65_535) : port),
                                transport: index % 3 == 0 ? .udp : .tcp, host: hostScope("host\(index % 7)"),
                                owner: "team-\(index % 40)", note: "row \(index)"))
                    }
                }
            }
            let elapsed = clock.now - start
            #expect(counts.rows == 100_000 && counts.added == 100_000 && counts.updated == 0)
            #expect(try store.count() == 100_000)
            var exported = 0
            var previous: Assignment?
            var ordered = true
            let exportStart = clock.now
            defer { print("PostgreSQL: 100,000 assignments streamed in export order in \(clock.now - exportStart)") }
            try store.forEachInExportOrder { assignment in
                if let previous, previous.ports.low > assignment.ports.low { ordered = false }
                previous = assignment
                exported += 1
            }
            #expect(exported == 100_000 && ordered)
            print("PostgreSQL: 100,000 assignments imported with COPY in \(elapsed)")
        }
    }
}
