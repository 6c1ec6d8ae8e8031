@testable import PortRegistry
@testable import PortRegistryAssignments
@testable import PortRegistryModel

/// An `AssignmentStorage` that forwards to the SQLite one and records which requirements
/// the front door used: every assignment read and write must go through the protocol, so
/// that another backend sees all of them.
final class RecordingStorage: AssignmentStorage {
    let inner: AssignmentStore
    private(set) var calls: Set<String> = []

    init(_ inner: AssignmentStore) { self.inner = inner }

    private func note(_ name: String = #function) { calls.insert(String(name.prefix { $0 != "(" })) }

    func transaction<T>(_ mode: AccessMode, dryRun: Bool, _ body: () throws -> T) throws -> T {
        note()
        return try inner.transaction(mode, dryRun: dryRun, body)
    }
    func acceptsWrites() throws -> Bool {
        note()
        return try inner.acceptsWrites()
    }
    func forEach(_ filter: AssignmentFilter, now: Timestamp, _ body: (Assignment) throws -> Void) throws {
        note()
        try inner.forEach(filter, now: now, body)
    }
    func overlapping(_ ports: PortRange, transport: TransportProtocol?, now: Timestamp) throws -> [Assignment] {
        note()
        return try inner.overlapping(ports, transport: transport, now: now)
    }
    func named(_ service: String, now: Timestamp) throws -> [Assignment] {
        note()
        return try inner.named(service, now: now)
    }
    func blockingClaims(
        in span: PortRange, transport: TransportProtocol, host: HostScope, now: Timestamp,
        _ body: (PortRange, BindAddress) -> Void
    ) throws {
        note()
        try inner.blockingClaims(in: span, transport: transport, host: host, now: now, body)
    }
    func forEachLiveClaim(
        now: Timestamp,
        _ body: (_ id: Int, _ ports: PortRange, _ transport: TransportProtocol, _ host: String, _ bind: String) -> Void
    ) throws {
        note()
        try inner.forEachLiveClaim(now: now, body)
    }
    func assignment(id: Int) throws -> Assignment? {
        note()
        return try inner.assignment(id: id)
    }
    func forEachContaining(_ substring: String?, _ body: (Assignment) throws -> Void) throws {
        note()
        try inner.forEachContaining(substring, body)
    }
    func serviceNames() throws -> [String] {
        note()
        return try inner.serviceNames()
    }
    func counts(now: Timestamp) throws -> (total: Int, expired: Int) {
        note()
        return try inner.counts(now: now)
    }
    func indexProblems() throws -> Int {
        note()
        return try inner.indexProblems()
    }
    func invalidRows() throws -> [String] {
        note()
        return try inner.invalidRows()
    }
    func exportCSV(_ emit: (UnsafeBufferPointer<UInt8>) throws -> Void) throws {
        note()
        try inner.exportCSV(emit)
    }
    func insert(_ assignment: Assignment, ttlSeconds: Int?, now: Timestamp) throws -> Assignment {
        note()
        return try inner.insert(assignment, ttlSeconds: ttlSeconds, now: now)
    }
    func remove(service: String, ports: PortRange?, transport: TransportProtocol?, host: HostScope?) throws
        -> [Assignment]
    {
        note()
        return try inner.remove(service: service, ports: ports, transport: transport, host: host)
    }
    func merge(
        replace: Bool, now: Timestamp, changes: ((AssignmentChange) throws -> Void)?,
        _ feed: (_ insert: (Assignment) throws -> Void) throws -> Void
    ) throws -> AssignmentMerge {
        note()
        return try inner.merge(replace: replace, now: now, changes: changes, feed)
    }
    func removeExpired(now: Timestamp) throws -> [Assignment] {
        note()
        return try inner.removeExpired(now: now)
    }
    func update(id: Int, to assignment: Assignment) throws -> Assignment {
        note()
        return try inner.update(id: id, to: assignment)
    }
}
