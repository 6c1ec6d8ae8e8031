import PortRegistryAssignments
import PortRegistryModel
import PortRegistryStorage
import PortRegistrySystem

/// What `portreg conflicts` finds: collisions (errors) and advisories (warnings).
package struct ConflictReport: Sendable {
    package struct Warning: Sendable {
        package var assignment: Assignment
        package var advisory: PortAdvisory
    }

    package var collisions: [Collision]
    package var warnings: [Warning]

    /// Checks every live assignment: the collision sweep, then, unless `warnings` is false,
    /// registered / privileged / ephemeral advisories and, for each socket in `listeners`,
    /// an assigned port that another process is listening on now. Runs inside one read
    /// transaction (`Registry.conflicts`).
    package static func make(
        assignments store: any AssignmentStorage, catalog database: Database, now: Timestamp,
        warnings includeWarnings: Bool = true, listeners: [ListeningSocket] = []
    ) throws -> ConflictReport {
        var report = ConflictReport(
            collisions: try CollisionFinder(storage: store).collisions(now: now), warnings: [])
        guard includeWarnings else { return report }
        let advisor = try PortAdvisor(database: database)
        try store.forEach(AssignmentFilter(), now: now) { assignment in
            for advisory in advisor.advisories(for: assignment) {
                report.warnings.append(Warning(assignment: assignment, advisory: advisory))
            }
            for socket in listeners where socket.holds(assignment) && !socket.mayBe(service: assignment.service) {
                let process = socket.pid.map { " by pid \($0)" + (socket.command.map { " (\($0))" } ?? "") } ?? ""
                let message =
                    "\(socket.port)/\(socket.transport.rawValue) is in use now at \(socket.address)\(process)"
                report.warnings.append(
                    Warning(
                        assignment: assignment,
                        advisory: PortAdvisory(kind: .live, ports: assignment.ports, message: message)))
            }
        }
        return report
    }
}
