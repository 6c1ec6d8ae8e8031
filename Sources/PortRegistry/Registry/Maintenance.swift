import PortRegistryAssignments
import PortRegistryCatalog
import PortRegistryConflicts
import PortRegistryModel

/// Which claim `portreg edit`/`move` changes: a service, narrowed like `remove` (a port it
/// holds, a protocol, a host scope) until one live assignment is left.
package struct ClaimSelector: Sendable {
    package var service: String
    package var ports: PortRange?
    package var transport: TransportProtocol?
    package var host: HostScope?
    /// How the user narrows the choice, for the message when several claims match.
    package var howToPick = "give the port it holds (PORT or PORT/proto) or its host"

    package init(service: String, ports: PortRange? = nil, transport: TransportProtocol? = nil, host: HostScope? = nil)
    {
        self.service = service
        self.ports = ports
        self.transport = transport
        self.host = host
    }

    package func matches(_ assignment: Assignment) -> Bool {
        (ports.map { assignment.ports.low <= $0.low && assignment.ports.high >= $0.high } ?? true)
            && (transport.map { assignment.transport == $0 } ?? true) && (host.map { assignment.host == $0 } ?? true)
    }

    package var description: String {
        service + (ports.map { " holding \($0)" } ?? "") + (transport.map { "/\($0.rawValue)" } ?? "")
            + (host.map { " on host \($0)" } ?? "")
    }
}

/// What to change in a claim; nil leaves a field as it is.
package struct ClaimChange: Sendable {
    package var ports: PortRange?
    package var transport: TransportProtocol?
    package var host: HostScope?
    package var bind: BindAddress?
    package var owner: String?
    package var note: String?
    /// Record the change even when the new claim collides.
    package var force = false

    package init(
        ports: PortRange? = nil, transport: TransportProtocol? = nil, host: HostScope? = nil, bind: BindAddress? = nil,
        owner: String? = nil, note: String? = nil, force: Bool = false
    ) {
        self.ports = ports
        self.transport = transport
        self.host = host
        self.bind = bind
        self.owner = owner
        self.note = note
        self.force = force
    }
}

/// The outcome of `Registry.edit`: the claim before and after, what it overrode with
/// `force`, and the advisories of the new claim.
package struct ClaimEdit: Sendable {
    package var old: Assignment
    package var new: Assignment
    package var overridden: [Assignment]
    package var advisories: [PortAdvisory]
    package var changed: Bool { old != new }
}

extension Registry {
    /// Deletes every expired lease in one write transaction; returns what went, in export order.
    package func removeExpired() throws -> [Assignment] {
        try write { context in try context.assignments.removeExpired(now: context.now) }
    }

    /// Changes one live claim in place (port, protocol, host, bind, owner, note) in one write
    /// transaction, keeping its created time and lease. The new claim is checked as `add`
    /// checks one: a collision with another service refuses the change (exit 1, naming the
    /// holders) unless `force`. A selector that matches no claim is refused; one that
    /// matches several is a usage error listing them.
    package func edit(_ selector: ClaimSelector, _ change: ClaimChange) throws -> ClaimEdit {
        let (old, new, collisions) = try write { context -> (Assignment, Assignment, [Assignment]) in
            let store = context.assignments
            let held = try store.named(selector.service, now: context.now).filter(selector.matches)
            guard let old = held.first, let id = old.id else {
                throw RegistryError(.refused, "no live assignment of \(selector.description) to change")
            }
            guard held.count == 1 else {
                let listed = held.prefix(5).map(\.holderDescription).joined(separator: "; ")
                throw RegistryError(
                    .usage,
                    "\(selector.service) holds \(held.count) assignments (\(listed)\(held.count > 5 ? "; …" : "")): say which one: \(selector.howToPick)"
                )
            }
            var new = old
            if let ports = change.ports { new.ports = ports }
            if let transport = change.transport { new.transport = transport }
            if let host = change.host { new.host = host }
            if let bind = change.bind { new.bind = bind }
            if let owner = change.owner { new.owner = owner }
            if let note = change.note { new.note = note }
            guard new != old else { return (old, old, []) }
            let sameClaim = try store.named(selector.service, now: context.now).first { other in
                other.id != id && other.ports == new.ports && other.transport == new.transport
                    && other.host == new.host && other.bind == new.bind
            }
            if let sameClaim {
                throw RegistryError(
                    .refused,
                    "\(selector.service) already holds \(sameClaim.ports)/\(sameClaim.transport.rawValue)\(sameClaim.host.isEverywhere ? "" : " on host \(sameClaim.host)"): remove one of them first"
                )
            }
            let collisions = try store.collisions(with: new, now: context.now).filter { $0.id != id }
            if !collisions.isEmpty && !change.force {
                let holders = collisions.prefix(3).map(\.holderDescription).joined(separator: "; ")
                throw RegistryError(
                    .refused,
                    "\(new.ports)/\(new.transport.rawValue) collides with \(holders); nothing changed (choose another port, or use --force)"
                )
            }
            return (old, try store.update(id: id, to: new), collisions)
        }
        let advisories =
            old.ports == new.ports && old.transport == new.transport
            ? [] : try read { try PortAdvisor(database: database).advisories(for: new) }
        return ClaimEdit(old: old, new: new, overridden: collisions, advisories: advisories)
    }
}

extension Registry {
    /// Runs `replace` (a catalog import of `source`, inside the caller's write transaction)
    /// and adds to its report each live assignment whose ports the new rows register to
    /// another service and the old rows did not: what a team must hear about a new IANA
    /// release. Two catalog queries per assignment (before and after), through the R*Tree.
    package func replacingCatalog(
        _ source: CatalogSource, in context: StorageContext, _ replace: () throws -> CatalogImportReport
    ) throws -> CatalogImportReport {
        var live: [Assignment] = []
        try context.assignments.forEach(AssignmentFilter(), now: context.now) { live.append($0) }
        func registrations(_ assignment: Assignment) throws -> [(port: Int, name: String)] {
            try context.catalog.entries(overlapping: assignment.ports, transport: assignment.transport).compactMap {
                entry in
                guard entry.source == source, let name = entry.service, let ports = entry.ports,
                    !CollisionRule.sameService(name, assignment.service)
                else { return nil }
                return (max(ports.low, assignment.ports.low), name)
            }
        }
        let before = try live.map { Set(try registrations($0).map { $0.name.lowercased() }) }
        var report = try replace()
        for (index, assignment) in live.enumerated() {
            let fresh = try registrations(assignment).filter { !before[index].contains($0.name.lowercased()) }
            guard let port = fresh.map(\.port).min() else { continue }
            var seen = Set<String>()
            let names = fresh.map(\.name).filter { seen.insert($0.lowercased()).inserted }
            report.newlyRegistered.append(NewlyRegistered(assignment: assignment, port: port, registeredTo: names))
        }
        return report
    }
}

extension Registry {
    /// Why `free` (or `reserve`) finds nothing for `request`: what blocks the range, and a
    /// range or option that `reserve` would accept.
    package func freeRefusal(_ request: ReservationRequest, using allocator: Allocator = Allocator()) throws -> String {
        try read { context in try allocator.refusal(request, in: context) }
    }

    /// Registered-elsewhere, privileged and ephemeral advisories for a claim (`reserve
    /// --allow-registered` says which registration it took).
    package func advisories(for claim: Assignment) throws -> [PortAdvisory] {
        try read { try PortAdvisor(database: database).advisories(for: claim) }
    }
}
