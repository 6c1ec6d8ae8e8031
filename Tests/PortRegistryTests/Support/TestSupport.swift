import Synchronization
@testable import PortRegistry
@testable import PortRegistryAssignments
@testable import PortRegistryCatalog
@testable import PortRegistryConflicts
@testable import PortRegistryExchange
@testable import PortRegistryFormats
@testable import PortRegistryModel
@testable import PortRegistrySearch
@testable import PortRegistryStorage
@testable import PortRegistrySystem

@testable import PortRegistry

// Shorthands for tests that drive one layer directly, inside transactions they open
// themselves through the front door's `write`/`read`.

extension AssignmentStore {
    /// The system clock's now, for tests that read a store directly.
    func now() -> Timestamp { RegistryClock.system.now() }
}

extension Lookup {
    init(registry: Registry) throws {
        self.init(
            catalog: CatalogStore(database: registry.database), assignments: registry.assignments,
            now: registry.clock.now())
    }
}

extension Search {
    init(registry: Registry) {
        self.init(catalog: CatalogStore(database: registry.database), assignments: registry.assignments)
    }
}

extension Suggestions {
    convenience init(database: Database) {
        self.init(catalog: CatalogStore(database: database), assignments: AssignmentStore(database: database))
    }
}

extension CollisionFinder {
    init(database: Database) { self.init(storage: AssignmentStore(database: database)) }
}

extension ConflictReport {
    static func make(registry: Registry, warnings: Bool = true, listeners: [ListeningSocket] = []) throws
        -> ConflictReport
    {
        try registry.conflicts(warnings: warnings, listeners: listeners)
    }
}

extension CatalogImporter {
    static func replace(
        source: CatalogSource, with entries: [CatalogEntry], origin: String, sha256: String?, skipped: Int = 0,
        in registry: Registry, dryRun: Bool = false
    ) throws -> CatalogImportReport {
        try registry.replaceCatalog(
            source: source, with: entries, origin: origin, sha256: sha256, skipped: skipped, dryRun: dryRun)
    }
}

extension AssignmentImporter {
    static func run(_ reader: inout CSVReader, into registry: Registry, options: AssignmentImportOptions) throws
        -> AssignmentImportReport
    {
        try registry.importAssignments(&reader, options: options)
    }
}

/// The allocator with the registry it works on, as the tests drive it.
struct TestAllocator {
    let registry: Registry
    let allocator: Allocator

    func reserve(_ request: ReservationRequest) throws -> Reservation {
        try registry.reserve(request, using: allocator)
    }

    func freeBlocks(_ request: ReservationRequest, limit: Int) throws -> [PortRange] {
        try registry.freeBlocks(request, limit: limit, using: allocator)
    }

    func preferredStart(for service: String, in range: PortRange) -> Int {
        allocator.preferredStart(for: service, in: range)
    }
}

/// A clock that moves only when a test moves it: a lease expires without anyone sleeping.
final class MovableClock: Sendable {
    private let seconds: Atomic<Int>

    init(_ start: Timestamp = Timestamp(parsing: "2026-11-27T10:00:00Z")!) {
        seconds = Atomic(start.secondsSinceEpoch)
    }

    var now: Timestamp { Timestamp(secondsSinceEpoch: seconds.load(ordering: .relaxed)) }

    var clock: RegistryClock { RegistryClock { [self] in now } }

    func advance(seconds delta: Int) { seconds.add(delta, ordering: .relaxed) }
}

extension CatalogEntry {
    /// True when the row applies to `transport` (a row with no protocol covers tcp and udp).
    func covers(_ transport: TransportProtocol) -> Bool {
        guard let own = self.transport else { return transport == .tcp || transport == .udp }
        return own == transport
    }
}
