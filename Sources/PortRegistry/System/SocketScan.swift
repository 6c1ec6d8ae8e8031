import Glibc
import PortRegistryModel

extension ListeningSocket {
    /// True when this socket sits on the assignment's protocol, ports and bind scope.
    package func holds(_ assignment: Assignment) -> Bool {
        guard transport == assignment.transport, assignment.ports.contains(port) else { return false }
        return BindAddress(parsing: address).map { $0.overlaps(assignment.bind) } ?? true
    }

    /// Whether the listening process may be the service itself. The kernel cuts command names
    /// to 15 bytes, so "billing-service-worker" shows as "billing-service": a prefix counts.
    package func mayBe(service: String) -> Bool {
        guard let command, !command.isEmpty else { return false }
        let name = service.lowercased()
        let comm = command.lowercased()
        return comm == name || (comm.utf8.count == 15 && name.hasPrefix(comm))
    }
}

/// This machine's listening sockets set against the assignments that apply to it.
package struct SocketScan: Sendable {
    package enum Status: String, Sendable {
        /// An assignment for this host holds the socket's port.
        case expected
        /// Nothing is assigned there.
        case unexpected
        /// Assigned to this host, but nothing listens.
        case missing
    }

    package struct Line: Sendable {
        package var status: Status
        package var socket: ListeningSocket?
        package var assignments: [Assignment]
    }

    package var lines: [Line]

    /// Sockets first (expected or unexpected), then assignments no socket answers. Only tcp
    /// and udp assignments can be missing: /proc shows no other kind.
    package static func match(sockets: [ListeningSocket], assignments: [Assignment], host: HostScope) -> SocketScan {
        let mine = assignments.filter { $0.host.overlaps(host) }
        var heard = Set<Int>()
        var lines: [Line] = sockets.map { socket in
            let holders = mine.filter { socket.holds($0) }
            for holder in holders { heard.insert(holder.id ?? 0) }
            return Line(status: holders.isEmpty ? .unexpected : .expected, socket: socket, assignments: holders)
        }
        for assignment in mine where !heard.contains(assignment.id ?? 0) && [.tcp, .udp].contains(assignment.transport)
        {
            lines.append(Line(status: .missing, socket: nil, assignments: [assignment]))
        }
        return SocketScan(lines: lines)
    }

    /// This machine's host name, the host scope `scan` matches by default.
    package static func hostName() -> String {
        var buffer = [CChar](repeating: 0, count: 256)
        guard gethostname(&buffer, buffer.count) == 0 else { return "*" }
        return String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }
}
