import PortRegistryModel

/// `export --format services`: the live assignments as services(5) lines, so that
/// `getent services billing` and every program that reads /etc/services know the team's ports.
///
/// `name port/proto  # owner; note; host h; bind b`: one line per port of a block (services(5)
/// has no ranges), in export order; the comment holds what is set, with control characters
/// (a note's line breaks) turned into spaces so that one assignment stays one line.
package enum ServicesExport {
    package static let header = "# portreg assignments in services(5) format: portreg export --format services"

    /// The lines of one assignment, one per port of its block (services(5) has no ranges).
    package static func lines(_ assignment: Assignment, _ emit: (String) throws -> Void) rethrows {
        let comment = comment(assignment)
        for port in assignment.ports.low...assignment.ports.high {
            try emit("\(assignment.service) \(port)/\(assignment.transport.rawValue)\(comment)")
        }
    }

    package static func comment(_ assignment: Assignment) -> String {
        var parts: [String] = []
        if !assignment.owner.isEmpty { parts.append(assignment.owner) }
        if !assignment.note.isEmpty { parts.append(assignment.note) }
        if !assignment.host.isEverywhere { parts.append("host \(assignment.host.name)") }
        if assignment.bind.text != "*" { parts.append("bind \(assignment.bind.text)") }
        let text = oneLine(parts.joined(separator: "; "))
        return text.isEmpty ? "" : "  # " + text
    }

    /// Control characters (line breaks, tabs, escapes) become spaces; runs of spaces shrink to one.
    static func oneLine(_ text: String) -> String {
        var out = ""
        for scalar in text.unicodeScalars {
            let isControl = scalar.value < 0x20 || (0x7F...0x9F).contains(scalar.value)
            if isControl || scalar == " " {
                if !out.isEmpty && out.last != " " { out += " " }
            } else {
                out.unicodeScalars.append(scalar)
            }
        }
        while out.last == " " { out.removeLast() }
        return out
    }
}

/// `export --format env`: the live assignments as environment variables,
/// `BILLING_API_PORT=9400`, blocks as `…_PORT` (first port) and `…_PORT_END` (last port), for
/// a `.env` file, `docker compose --env-file` or `set -a; . ./ports.env`.
///
/// Names: the service name upper-cased, every character other than A-Z and 0-9 turned into
/// `_` (a leading digit gets a `_` before it), then `_PORT`. A service's first protocol (tcp,
/// udp, sctp, dccp order) has `NAME_PORT`, its other protocols `NAME_UDP_PORT`…; a service
/// with several different ports on one protocol (per host, or several claims) numbers the
/// later ones `NAME_PORT_2`, `NAME_PORT_3` in export order. Two services whose names give
/// the same variable (`billing-api`, `billing.api`) are refused, naming both: a variable
/// that silently meant one of them would be worse than no file.
package enum EnvExport {
    package static let header = "# portreg assignments as environment variables: portreg export --format env"

    package struct Variable: Equatable, Sendable {
        package var name: String
        package var value: Int
    }

    /// The variables for `assignments` (in export order): services in the order of their
    /// first port, each `…_END` after its `…_PORT`.
    package static func variables(_ assignments: [Assignment]) throws -> [Variable] {
        struct Group {
            var service: String
            var transports: [TransportProtocol] = []
            var spans: [TransportProtocol: [PortRange]] = [:]
        }
        var groups: [String: Group] = [:]
        var order: [String] = []
        for assignment in assignments {
            let key = assignment.service.lowercased()
            if groups[key] == nil {
                groups[key] = Group(service: assignment.service)
                order.append(key)
            }
            if groups[key]!.spans[assignment.transport] == nil { groups[key]!.transports.append(assignment.transport) }
            if !(groups[key]!.spans[assignment.transport]?.contains(assignment.ports) ?? false) {
                groups[key]!.spans[assignment.transport, default: []].append(assignment.ports)
            }
        }
        var variables: [Variable] = []
        var owners: [String: String] = [:]
        for key in order {
            let group = groups[key]!
            let stem = mangle(group.service)
            let first = group.transports.min()
            for transport in group.transports.sorted() {
                let base = stem + (transport == first ? "" : "_" + transport.rawValue.uppercased()) + "_PORT"
                for (index, ports) in group.spans[transport]!.enumerated() {
                    let name = base + (index == 0 ? "" : "_\(index + 1)")
                    for (variable, value) in [(name, ports.low)]
                        + (ports.isSinglePort ? [] : [(name + "_END", ports.high)])
                    {
                        if let other = owners[variable], other.lowercased() != key {
                            throw RegistryError(
                                .refused,
                                "\(other) and \(group.service) both export as \(variable) in --format env; rename one of them"
                            )
                        }
                        owners[variable] = group.service
                        variables.append(Variable(name: variable, value: value))
                    }
                }
            }
        }
        return variables
    }

    /// `billing-api.v2` → `BILLING_API_V2`; `3com` → `_3COM`.
    static func mangle(_ service: String) -> String {
        var out = ""
        for byte in service.utf8 {
            switch byte {
            case UInt8(ascii: "a")...UInt8(ascii: "z"): out.unicodeScalars.append(UnicodeScalar(byte - 0x20))
            case UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "0")...UInt8(ascii: "9"):
                out.unicodeScalars.append(UnicodeScalar(byte))
            default: out += "_"
            }
        }
        if let first = out.utf8.first, (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(first) { out = "_" + out }
        return out
    }
}
