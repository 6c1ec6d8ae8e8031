import PortRegistryAssignments
import PortRegistryCatalog
import PortRegistryConflicts
import PortRegistryExchange
import PortRegistryFormats
import PortRegistryMap
import PortRegistryModel
import PortRegistrySearch
import PortRegistrySystem

/// The outcome of `Registry.add`: what was stored, what it overrode with `force`, and the
/// advisories (registered elsewhere, privileged, ephemeral) a user should hear about.
package struct Claim: Sendable {
    package var assignment: Assignment
    package var overridden: [Assignment]
    package var advisories: [PortAdvisory]
}

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

/// The use cases that claim, change and release ports: `add`, `reserve`, `free`, `remove`,
/// `list`, `edit`/`move`. Each opens and ends its own transaction, so the executable never
/// holds one.
extension Registry {
    /// Records `candidate` in one write transaction, unless it collides: then nothing is
    /// written and the error (exit 1) names up to three holders. With `force` the claim is
    /// recorded anyway and the holders are returned.
    package func add(_ candidate: Assignment, ttlSeconds: Int? = nil, force: Bool = false) throws -> Claim {
        let (stored, collisions) = try write { context in
            let store = context.assignments
            let collisions = try store.collisions(with: candidate, now: context.now)
            if !collisions.isEmpty && !force {
                let holders = collisions.prefix(3).map(\.holderDescription).joined(separator: "; ")
                throw RegistryError(
                    .refused,
                    "\(candidate.ports)/\(candidate.transport.rawValue) collides with \(holders); choose another port (portreg reserve \(candidate.service)) or use --force"
                )
            }
            return (try store.insert(candidate, ttlSeconds: ttlSeconds, now: context.now), collisions)
        }
        let advisories = try read { try PortAdvisor(database: database).advisories(for: stored) }
        return Claim(assignment: stored, overridden: collisions, advisories: advisories)
    }

    /// Picks and records free ports (`portreg reserve`): check and insert in one write
    /// transaction, so concurrent processes get different ports.
    package func reserve(_ request: ReservationRequest, using allocator: Allocator = Allocator()) throws -> Reservation
    {
        try allocator.validate(request)
        return try write { context in try allocator.reserve(request, in: context) }
    }

    /// Free ports or blocks by the rules of `reserve`, recording nothing (`portreg free`).
    package func freeBlocks(_ request: ReservationRequest, limit: Int, using allocator: Allocator = Allocator()) throws
        -> [PortRange]
    {
        try read { context in try allocator.freeBlocks(request, limit: limit, in: context) }
    }

    /// Deletes a service's assignments, narrowed by `ports`, `transport` and `host`; returns
    /// what was deleted.
    package func remove(
        service: String, ports: PortRange? = nil, transport: TransportProtocol? = nil, host: HostScope? = nil
    ) throws -> [Assignment] {
        try write { context in
            try context.assignments.remove(service: service, ports: ports, transport: transport, host: host)
        }
    }

    /// Streams the assignments matching `filter`, in export order.
    package func list(_ filter: AssignmentFilter = AssignmentFilter(), _ body: (Assignment) throws -> Void) throws {
        try read { context in try context.assignments.forEach(filter, now: context.now, body) }
    }

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
