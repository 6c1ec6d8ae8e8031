import PortRegistryAssignments
import PortRegistryExchange
import PortRegistryMap
import PortRegistryModel
import PortRegistrySearch
import PortRegistrySystem

/// Use cases of the team workflow (issue 9): the port map, the services(5) and environment
/// exports, and the names shell completion offers. Each reads in one transaction and hands
/// plain values to the layer below (Map, Exchange, Search), which never sees a store.
extension Registry {
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

    /// `export --format services`: the header, then the live assignments as services(5)
    /// lines, one per port of a block, in export order.
    package func exportServices(_ emit: (String) throws -> Void) throws {
        try read { context in
            try emit(ServicesExport.header)
            try context.assignments.forEach(AssignmentFilter(), now: context.now) { assignment in
                try ServicesExport.lines(assignment, emit)
            }
        }
    }

    /// `export --format env`: the header, then `NAME_PORT=N` per live assignment. Two
    /// services that would export as one variable are refused before anything is written.
    package func exportEnvironment(_ emit: (String) throws -> Void) throws {
        var live: [Assignment] = []
        try list { live.append($0) }
        let variables = try EnvExport.variables(live)
        try emit(EnvExport.header)
        for variable in variables { try emit("\(variable.name)=\(variable.value)") }
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
