import PortRegistryConflicts
import PortRegistryModel

/// The outcome of `Registry.add`: what was stored, what it overrode with `force`, and the
/// advisories (registered elsewhere, privileged, ephemeral) a user should hear about.
package struct Claim: Sendable {
    package var assignment: Assignment
    package var overridden: [Assignment]
    package var advisories: [PortAdvisory]
}

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
}
