import ArgumentParser
import PortRegistry
import PortRegistryModel
import PortRegistrySystem

struct ScanCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "scan",
        abstract: "List the sockets listening on this machine, matched against the assignments.",
        discussion: """
            Reads /proc/net/tcp, tcp6, udp and udp6, with the owning pid and command where \
            /proc lets us see them (run as root to see every process). Status: expected (an \
            assignment for this host holds the port), unexpected (nothing assigned), missing \
            (assigned to this host but nothing listens). This host is matched by its host \
            name, or by --host.

            Examples:
              portreg scan
              portreg scan --host staging --format json
            """
    )

    @OptionGroup var options: GlobalOptions

    @Option(help: "The host scope this machine is (default: its host name).", transform: HostScope.argument)
    var host: HostScope?

    func run() throws {
        try ExitStatus.run {
            let thisHost =
                host ?? HostScope(parsing: SocketScan.hostName()) ?? .everywhere
            let scan = try options.openRegistry(for: .reading).scan(host: thisHost, sockets: SocketTable.listening())
            var table = ResultTable([
                .init(key: "status", title: "STATUS"), .init(key: "port", title: "PORT"),
                .init(key: "protocol", title: "PROTO"), .init(key: "address", title: "ADDRESS"),
                .init(key: "pid", title: "PID"), .init(key: "command", title: "COMMAND"),
                .init(key: "service", title: "SERVICE"),
            ])
            for line in scan.lines {
                let services: Cell =
                    line.assignments.isEmpty ? .null : .text(line.assignments.map(\.service).joined(separator: ","))
                if let socket = line.socket {
                    table.append([
                        .text(line.status.rawValue), .int(socket.port), .text(socket.transport.rawValue),
                        .text(socket.address), .optional(socket.pid), .optional(socket.command), services,
                    ])
                } else if let assignment = line.assignments.first {
                    table.append([
                        .text(line.status.rawValue), .ports(assignment.ports), .text(assignment.transport.rawValue),
                        .text(assignment.bind.text), .null, .null, services,
                    ])
                }
            }
            table.write(options.format)
        }
    }
}
