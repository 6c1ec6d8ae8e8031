import ArgumentParser
import PortRegistry
import PortRegistryAssignments
import PortRegistryConflicts
import PortRegistryModel

struct ReserveCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "reserve",
        abstract: "Pick a free port (or block) for a service, record it and print it.",
        discussion: """
            Skips ports assigned in an overlapping scope, ports the catalog registers (iana, \
            common) for the protocol, privileged ports, this host's ephemeral range and, \
            unless --no-probe, ports bound on this machine right now. The same name tends to \
            get the same port everywhere (its hash picks where the search starts). Asking \
            again returns what the service already holds. Safe under concurrency: parallel \
            processes get different ports. Exits 1 when the range is full, saying what \
            blocked it (privileged ports, this host's ephemeral range, catalog registrations \
            such as kube-nodeport 30000-32767, assignments, ports in use) and suggesting a \
            --range that would work. --allow-registered also takes ports the catalog \
            registers to other services, on purpose. A reserve that gives a service one more \
            port (another protocol, range, host or count) says so on stderr.

            Examples:
              PORT=$(portreg reserve billing)
              portreg reserve grpc-workers --count 4 --range 20000-20999
              portreg reserve preview --ttl 2h --no-probe
              portreg reserve metrics --range 9000-9999 --allow-registered
            """
    )

    @OptionGroup var options: GlobalOptions

    @Argument(help: "Service name: letters, digits, '-', '_' and '.'.", completion: ServiceCompletion.assigned)
    var service: String

    @Option(
        help: "Ports to choose from, LO-HI (default 1024-49151, less the ephemeral range).",
        transform: PortRange.argument)
    var range: PortRange?

    // Unconditional: `--count -1` is a value to refuse as such, not a missing one.
    @Option(parsing: .unconditional, help: "Number of consecutive ports.")
    var count = 1

    @Option(name: .customLong("proto"), help: "Protocol: tcp, udp, sctp or dccp.")
    var transport: TransportProtocol = .tcp

    @OptionGroup var attributes: AssignmentOptions

    @Flag(help: "Do not test-bind candidate ports on this machine.")
    var noProbe = false

    @Flag(help: "Also take ports the catalog registers to other services (iana, common).")
    var allowRegistered = false

    func validate() throws {
        if count < 1 { throw ValidationError("--count must be positive (1 or more), not \(count)") }
    }

    func run() throws {
        try ExitStatus.run {
            var request = ReservationRequest(service: service)
            request.count = count
            request.range = range
            request.transport = transport
            request.host = attributes.host
            request.bind = attributes.bind
            request.owner = attributes.owner
            request.note = attributes.note
            request.ttlSeconds = try attributes.ttlSeconds()
            request.probe = !noProbe
            request.allowRegistered = allowRegistered
            let registry = try options.openRegistry(for: .writing)
            let reservation = try registry.reserve(request)
            if !reservation.alsoHeld.isEmpty {
                let held = reservation.alsoHeld.prefix(3).map(ReserveCommand.shortClaim).joined(separator: ", ")
                let more = reservation.alsoHeld.count > 3 ? " and \(reservation.alsoHeld.count - 3) more" : ""
                Diagnostics.note(
                    "\(service) already holds \(held)\(more); this adds \(ReserveCommand.shortClaim(reservation.assignment)) (portreg remove \(service) PORT takes one back)"
                )
            }
            if allowRegistered && !reservation.reused {
                for advisory in try registry.advisories(for: reservation.assignment) where advisory.kind == .registered
                {
                    Diagnostics.warning(advisory.message)
                }
            }
            if options.format == .table {
                OutputStream.standardOutput.writeLine(reservation.assignment.ports.description)
            } else {
                var table = ResultTable(Rows.assignmentColumns + [.init(key: "reused", title: "REUSED")])
                table.append(Rows.assignmentCells(reservation.assignment) + [.bool(reservation.reused)])
                table.write(options.format)
            }
        }
    }

    /// `8080/tcp`, with the host when it is not every host.
    static func shortClaim(_ assignment: Assignment) -> String {
        "\(assignment.ports)/\(assignment.transport.rawValue)"
            + (assignment.host.isEverywhere ? "" : " on host \(assignment.host.name)")
    }
}
