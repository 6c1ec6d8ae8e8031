import ArgumentParser
import PortRegistry
import PortRegistryConflicts
import PortRegistryModel
import PortRegistrySystem

struct ConflictsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "conflicts",
        abstract: "Report collisions among the assignments (errors) and risky ports (warnings).",
        discussion: """
            An error is two services on the same protocol, overlapping ports, overlapping \
            hosts and overlapping bind addresses. Warnings: the catalog registers the port to \
            another service, the port is privileged or in this host's ephemeral range, and \
            with --live, a process is listening on it now. Exits 1 when there is any error.

            Examples:
              portreg conflicts
              portreg conflicts --live --format json
            """
    )

    @OptionGroup var options: GlobalOptions

    @Flag(help: "Also warn about assigned ports that a process on this machine listens on now.")
    var live = false

    @Flag(help: "Report errors only.")
    var noWarnings = false

    func run() throws {
        try ExitStatus.run {
            let registry = try options.openRegistry(for: .reading)
            // Sockets are read before the transaction: the owner scan can take tens of ms.
            let listeners = live && !noWarnings ? SocketTable.listening() : []
            let report = try registry.conflicts(warnings: !noWarnings, listeners: listeners)
            let (collisions, warnings) = (report.collisions, report.warnings)
            var table = ResultTable([
                .init(key: "severity", title: "SEVERITY"), .init(key: "kind", title: "KIND"),
                .init(key: "port", title: "PORT"), .init(key: "port_end", title: "END", inTable: false),
                .init(key: "protocol", title: "PROTO"), .init(key: "service", title: "SERVICE"),
                .init(key: "host", title: "HOST"), .init(key: "other_service", title: "OTHER", inTable: false),
                .init(key: "other_host", title: "OTHER HOST", inTable: false), .init(key: "message", title: "MESSAGE"),
            ])
            for collision in collisions {
                let (a, b) = (collision.first, collision.second)
                let message =
                    "\(a.service) (\(a.ports)\(a.host.isEverywhere ? "" : " on \(a.host)")) and \(b.service) (\(b.ports)\(b.host.isEverywhere ? "" : " on \(b.host)")) claim the same socket"
                table.append([
                    .text("error"), .text("collision"), .ports(collision.ports), .int(collision.ports.high),
                    .text(a.transport.rawValue), .text(a.service), .text(a.host.name), .text(b.service),
                    .text(b.host.name), .text(message),
                ])
            }
            for warning in warnings {
                let (assignment, advisory) = (warning.assignment, warning.advisory)
                table.append([
                    .text("warning"), .text(advisory.kind.rawValue), .ports(advisory.ports), .int(advisory.ports.high),
                    .text(assignment.transport.rawValue), .text(assignment.service), .text(assignment.host.name), .null,
                    .null,
                    .text(advisory.message),
                ])
            }
            if table.rows.isEmpty && options.format == .table {
                Diagnostics.note("no conflicts")
            } else {
                table.write(options.format)
            }
            if !collisions.isEmpty {
                OutputStream.standardOutput.flush()
                Diagnostics.note(
                    "\(collisions.count) collision\(collisions.count == 1 ? "" : "s"), \(warnings.count) warning\(warnings.count == 1 ? "" : "s")"
                )
                throw ExitStatus.findings
            }
        }
    }
}
