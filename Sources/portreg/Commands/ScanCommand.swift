import ArgumentParser
import PortRegistry

#if canImport(Glibc)
    import Glibc
#endif

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

    @Option(help: "The host scope this machine is (default: its host name).")
    var host: String?

    func run() throws {
        try ExitStatus.run {
            let registry = try options.openRegistry()
            let store = AssignmentStore(database: registry.database)
            let thisHost = HostScope(parsing: host ?? ScanCommand.hostName()) ?? .everywhere
            let assignments = try store.list(now: try store.now()).filter { $0.host.overlaps(thisHost) }
            let sockets = SocketTable.listening()
            var table = ResultTable([
                .init(key: "status", title: "STATUS"), .init(key: "port", title: "PORT"),
                .init(key: "protocol", title: "PROTO"), .init(key: "address", title: "ADDRESS"),
                .init(key: "pid", title: "PID"), .init(key: "command", title: "COMMAND"),
                .init(key: "service", title: "SERVICE"),
            ])
            var heard = Set<Int>()
            for socket in sockets {
                let holders = assignments.filter { socket.holds($0) }
                holders.forEach { heard.insert($0.id ?? 0) }
                table.append([
                    .text(holders.isEmpty ? "unexpected" : "expected"), .int(socket.port),
                    .text(socket.transport.rawValue),
                    .text(socket.address), .optional(socket.pid), .optional(socket.command),
                    holders.isEmpty ? .null : .text(holders.map(\.service).joined(separator: ",")),
                ])
            }
            for assignment in assignments
            where !heard.contains(assignment.id ?? 0) && [.tcp, .udp].contains(assignment.transport) {
                table.append([
                    .text("missing"), .ports(assignment.ports), .text(assignment.transport.rawValue),
                    .text(assignment.bind.text),
                    .null, .null, .text(assignment.service),
                ])
            }
            table.write(options.format)
        }
    }

    static func hostName() -> String {
        var buffer = [CChar](repeating: 0, count: 256)
        guard gethostname(&buffer, buffer.count) == 0 else { return "*" }
        let bytes = buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }
        return String(decoding: bytes, as: UTF8.self)
    }
}
