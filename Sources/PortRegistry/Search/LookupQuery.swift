import PortRegistryModel

/// One `portreg lookup` query: a port, a port with protocol, a range, or a service name.
package enum LookupQuery: Hashable, Sendable, CustomStringConvertible {
    case ports(PortRange, TransportProtocol?)
    case name(String)

    /// `80`, `53/udp`, `6000-6010`, `6000-6010/tcp`, or a name. Text shaped like a port
    /// (digits, an optional `-digits`, an optional `/word`) must be a valid one: `70000` or
    /// `9000-8000` is an error, not a name. Names such as `3com-tsmux` still work.
    package init(parsing raw: some StringProtocol) throws {
        let text = String(raw).trimmed()
        guard !text.isEmpty else {
            throw RegistryError(.usage, "empty query: give a port (80, 53/udp, 6000-6010) or a service name")
        }
        if let (ports, transport) = try PortSpec.parse(text) {
            self = .ports(ports, transport)
        } else {
            self = .name(text)
        }
    }

    package var description: String {
        switch self {
        case .ports(let ports, let transport): ports.description + (transport.map { "/\($0.rawValue)" } ?? "")
        case .name(let name): name
        }
    }
}
