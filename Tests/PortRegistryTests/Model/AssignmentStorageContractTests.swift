import PortregTestSupport
import Testing

@testable import PortRegistry
@testable import PortRegistryAssignments
@testable import PortRegistryModel

/// The `AssignmentStorage` contract, written once and run on every store: SQLite in memory
/// and on disk, and PostgreSQL when `PORTREG_TEST_POSTGRES_URL` is set. SPEC promises the same
/// output on every backend; each check here is a place where two backends once answered
/// differently or could.
enum StorageContract: String, CaseIterable, CustomTestStringConvertible, Sendable {
    /// The same claim inserted again is one row, updated in place by the rules of `insert`.
    case repeatedClaims
    /// `remove` deletes what its narrowing names, and returns it in export order.
    case removeOrder
    /// A merge's counts: every row counted once (added, updated or unchanged sum to rows),
    /// a claim named twice in one feed is added then updated, as one after another.
    case mergeCounts

    var testDescription: String { rawValue }

    static let now = Timestamp(parsing: "2026-06-01T12:00:00Z") ?? .latest

    func check(_ store: any AssignmentStorage) throws {
        switch self {
        case .repeatedClaims: try Self.repeatedClaims(store)
        case .removeOrder: try Self.removeOrder(store)
        case .mergeCounts: try Self.mergeCounts(store)
        }
    }

    private static func write<T>(_ store: any AssignmentStorage, _ body: () throws -> T) throws -> T {
        try store.transaction(.write, dryRun: false, body)
    }

    private static func all(_ store: any AssignmentStorage) throws -> [Assignment] {
        var result: [Assignment] = []
        try store.forEach(AssignmentFilter(includeExpired: true), now: now) { result.append($0) }
        return result
    }

    private static func repeatedClaims(_ store: any AssignmentStorage) throws {
        let claim = Assignment(
            service: "web", ports: portRange(8080), host: hostScope("prod"), owner: "alice", note: "first",
            createdAt: "2026-01-02T03:04:05Z")
        let first = try write(store) { try store.insert(claim, ttlSeconds: nil, now: now) }
        var again = claim
        again.service = "WEB"  // the service compares case-insensitively
        again.owner = ""  // empty keeps the owner
        again.note = "second"  // non-empty replaces the note
        again.createdAt = ""
        let second = try write(store) { try store.insert(again, ttlSeconds: 60, now: now) }
        #expect(second.id == first.id, "updated in place")
        #expect(second.owner == "alice" && second.note == "second", "\(second)")
        #expect(second.expiresAt == now.adding(seconds: 60).text, "the expiry becomes the new one's")
        #expect(second.createdAt == "2026-01-02T03:04:05Z", "created once")
        let third = try write(store) { try store.insert(claim, ttlSeconds: nil, now: now) }
        #expect(third.id == first.id && third.expiresAt == nil, "a claim without expiry clears the lease")
        // Another host, bind or protocol is another claim.
        var otherHost = claim
        otherHost.host = hostScope("staging")
        var otherBind = claim
        otherBind.bind = bindAddress("127.0.0.1")
        var otherProtocol = claim
        otherProtocol.transport = .udp
        for other in [otherHost, otherBind, otherProtocol] {
            let stored = try write(store) { try store.insert(other, ttlSeconds: nil, now: now) }
            #expect(stored.id != first.id, "\(other)")
        }
        #expect(try all(store).count == 4)
        #expect(try store.counts(now: now) == (total: 4, expired: 0))
    }

    private static func removeOrder(_ store: any AssignmentStorage) throws {
        // Inserted out of export order, so that an insertion-ordered answer shows.
        let claims = [
            Assignment(service: "db", ports: portRange(9000, 9009), host: hostScope("prod")),
            Assignment(service: "db", ports: portRange(5432), host: hostScope("staging")),
            Assignment(service: "db", ports: portRange(5432), transport: .udp),
            Assignment(service: "DB", ports: portRange(5432), host: hostScope("prod"), bind: bindAddress("::1")),
            Assignment(service: "db", ports: portRange(5432), host: hostScope("prod")),
            Assignment(service: "db", ports: portRange(1000)),
            Assignment(service: "other", ports: portRange(5432), host: hostScope("dev")),
        ]
        try write(store) { for claim in claims { _ = try store.insert(claim, ttlSeconds: nil, now: now) } }
        let exportOrder = try all(store).filter { $0.service.lowercased() == "db" }

        let narrowed = try write(store) {
            try store.remove(service: "db", ports: portRange(9005), transport: .tcp, host: hostScope("prod"))
        }
        #expect(narrowed.map(\.ports) == [portRange(9000, 9009)], "a block holding the port, on that host")
        let rest = try write(store) { try store.remove(service: "Db", ports: nil, transport: nil, host: nil) }
        let expected = exportOrder.filter { $0.ports != portRange(9000, 9009) }
        #expect(rest.map(\.id) == expected.map(\.id), "removed in export order")
        #expect(rest.map(\.ports.low) == [1000, 5432, 5432, 5432, 5432])
        #expect(try all(store).map(\.service) == ["other"])
        #expect(try write(store) { try store.remove(service: "db", ports: nil, transport: nil, host: nil) }.isEmpty)
    }

    private static func mergeCounts(_ store: any AssignmentStorage) throws {
        let existing = Assignment(
            service: "kept", ports: portRange(7000), owner: "a", createdAt: "2026-01-01T00:00:00Z")
        let changed = Assignment(
            service: "changed", ports: portRange(7001), owner: "a", createdAt: "2026-01-01T00:00:00Z")
        let dropped = Assignment(service: "dropped", ports: portRange(7002), createdAt: "2026-01-01T00:00:00Z")
        try write(store) {
            for claim in [existing, changed, dropped] { _ = try store.insert(claim, ttlSeconds: nil, now: now) }
        }
        var changedNow = changed
        changedNow.owner = "b"
        let twice = Assignment(service: "twice", ports: portRange(7003), owner: "first", createdAt: "")
        var twiceAgain = twice
        twiceAgain.owner = "second"
        let feed = [existing, changedNow, twice, twiceAgain]
        var changes: [AssignmentChange] = []
        let merge = try write(store) {
            try store.merge(replace: true, now: now, changes: { changes.append($0) }) { insert in
                for row in feed { try insert(row) }
            }
        }
        #expect(merge.rows == 4)
        #expect(merge.added == 1, "twice is new")
        #expect(merge.updated == 2, "changed, and twice's second row")
        #expect(merge.unchanged == 1, "kept")
        #expect(merge.removed == 1, "dropped")
        #expect(merge.added + merge.updated + merge.unchanged == merge.rows, "every row counted once: \(merge)")
        #expect(changes.filter { if case .removed = $0 { true } else { false } }.count == 1)
        let stored = try all(store)
        #expect(stored.map(\.service) == ["kept", "changed", "twice"])
        #expect(stored.map(\.owner) == ["a", "b", "second"], "the last row of a claim wins")
    }
}

@Suite("storage contract: SQLite")
struct SQLiteStorageContractTests {
    @Test(arguments: StorageContract.allCases)
    func inMemory(_ contract: StorageContract) throws {
        let registry = try Registry.inMemory()
        try contract.check(AssignmentStore(database: registry.database))
    }

    @Test(arguments: StorageContract.allCases)
    func onDisk(_ contract: StorageContract) throws {
        let directory = try TemporaryDirectory()
        let registry = try Registry.open(path: directory.path + "/registry.db")
        try contract.check(AssignmentStore(database: registry.database))
    }
}

@Suite("storage contract: PostgreSQL", .enabled(if: PostgresTestServer.isConfigured, PostgresTestServer.skipMessage))
struct PostgresStorageContractTests {
    @Test(arguments: StorageContract.allCases)
    func postgres(_ contract: StorageContract) throws {
        try PostgresTestServer.withMigratedStore { store in try contract.check(store) }
    }
}
