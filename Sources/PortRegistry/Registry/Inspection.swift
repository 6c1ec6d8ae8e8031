import PortRegistryAssignments
import PortRegistryCatalog
import PortRegistryConflicts
import PortRegistryExchange
import PortRegistryFormats
import PortRegistryMap
import PortRegistryModel
import PortRegistrySearch
import PortRegistrySystem

/// The use cases that only look: `lookup`, `search`, `conflicts`, `scan`, `map`, `doctor`,
/// shell completion, and the baseline `check` compares with.
extension Registry {
    /// Runs `body` with a `Lookup` inside one read transaction: thousands of queries (`lookup
    /// -`) take one lock, not one per statement.
    package func lookup<T>(_ body: (Lookup) throws -> T) throws -> T {
        try read { context in
            try body(Lookup(catalog: context.catalog, assignments: context.assignments, now: context.now))
        }
    }

    /// Ranked full-text search over the catalog and the assignments.
    package func search(_ text: String, limit: Int = 20) throws -> SearchResult {
        try read { context in try Search(catalog: context.catalog, assignments: context.assignments)(text, limit: limit)
        }
    }

    /// Collisions and, unless `warnings` is false, advisories (`portreg conflicts`). Sockets
    /// are read by the caller before: the owner scan can take tens of milliseconds.
    package func conflicts(warnings: Bool = true, listeners: [ListeningSocket] = []) throws -> ConflictReport {
        try read { context in
            try ConflictReport.make(
                assignments: context.assignments, catalog: database, now: context.now, warnings: warnings,
                listeners: listeners)
        }
    }

    /// This machine's listening sockets against the live assignments of `host` (`portreg scan`).
    package func scan(host: HostScope, sockets: [ListeningSocket]) throws -> SocketScan {
        let assignments = try read { context in
            var live: [Assignment] = []
            try context.assignments.forEach(AssignmentFilter(), now: context.now) { live.append($0) }
            return live
        }
        return SocketScan.match(sockets: sockets, assignments: assignments, host: host)
    }

    /// What `portreg check` compares config files with, read in one transaction: the live
    /// assignments (when `includeAssignments`) and the catalog's registrations. ConfigScan
    /// sits below the front door, so it receives these values instead of opening a store.
    func checkBaseline(includeAssignments: Bool, ephemeral: PortRange? = nil) throws
        -> (assignments: [Assignment], catalog: PortAdvisor)
    {
        try read { context in
            var live: [Assignment] = []
            if includeAssignments {
                try context.assignments.forEach(AssignmentFilter(), now: context.now) { live.append($0) }
            }
            return (live, try PortAdvisor(database: database, ephemeral: ephemeral))
        }
    }

    /// Integrity, index mirrors and counts (`portreg doctor`).
    package func doctor() throws -> HealthReport {
        // A damaged file can fail the read transaction's end after every check has run:
        // what the checks found is the answer, not that last error.
        var report: HealthReport?
        do {
            return try read { context in
                report = try HealthCheck(registry: self).run(in: context)
                return report!
            }
        } catch let error as RegistryError where report != nil {
            if report!.findings.isEmpty {
                report!.findings.append(HealthFinding(problem: error.message, fix: HealthCheck.restore))
            }
            return report!
        }
    }

    /// Everything `portreg map` draws for `range`, read in one transaction so that the
    /// assignments, collisions and catalog agree with each other.
    package func mapInput(range: PortRange = .all, ephemeral: PortRange? = EphemeralRange.current()) throws
        -> PortMapInput
    {
        try read { context in
            let assignments = try context.assignments.overlapping(range, transport: nil, now: context.now)
            let collisions = try CollisionFinder(storage: context.assignments).collisions(now: context.now).filter {
                $0.ports.overlaps(range)
            }
            return PortMapInput(
                assignments: assignments, registered: try context.catalog.registeredSpans(overlapping: range),
                collisions: collisions, ephemeral: ephemeral, source: path, date: context.now.text,
                catalog: try context.catalog.sources())
        }
    }

    /// Names of the assignments (expired leases too: `remove` takes them), then, with
    /// `catalog`, catalog names and aliases; each starting with `prefix` (case-insensitively),
    /// sorted, at most `limit`.
    package func serviceNames(matching prefix: String, catalog: Bool = false, limit: Int = 500) throws -> [String] {
        try read { context in
            ServiceNames.matching(
                prefix, assigned: try context.assignments.serviceNames(),
                catalog: catalog ? try context.catalog.names(startingWith: prefix, limit: limit) : [], limit: limit)
        }
    }

    /// The names for a completion, from the registry at `location`: none when it is a server
    /// or there is no database there yet (a completion never creates one), or it cannot be
    /// read within a short busy timeout. Opened for reading: a completion writes nothing.
    package static func serviceNames(matching prefix: String, at location: RegistryLocation, catalog: Bool = false)
        -> [String]
    {
        var location = location
        location.environment["PORTREG_BUSY_TIMEOUT"] = "250"
        let path = location.resolved
        guard !DatabaseLocation.isServer(path), path != ":memory:", DatabaseLocation.exists(path),
            let registry = try? Registry.open(location, for: .reading)
        else { return [] }
        return (try? registry.serviceNames(matching: prefix, catalog: catalog)) ?? []
    }
}
