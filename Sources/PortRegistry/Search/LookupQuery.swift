/// One `portreg lookup` query: a port, a port with protocol, a range, or a service name.
public enum LookupQuery: Hashable, Sendable, CustomStringConvertible {
    case ports(PortRange, TransportProtocol?)
    case name(String)

    /// `80`, `53/udp`, `6000-6010`, `6000-6010/tcp`, or a name. Text shaped like a port
    /// (digits, an optional `-digits`, an optional `/word`) must be a valid one: `70000` or
    /// `9000-8000` is an error, not a name. Names such as `3com-tsmux` still work.
    public init(parsing raw: some StringProtocol) throws {
        let text = raw.trimmingASCIIWhitespace()
        guard !text.isEmpty else {
            throw RegistryError(.usage, "empty query: give a port (80, 53/udp, 6000-6010) or a service name")
        }
        if let (ports, transport) = try PortSpec.parse(text) {
            self = .ports(ports, transport)
        } else {
            self = .name(text)
        }
    }

    public var description: String {
        switch self {
        case .ports(let ports, let transport): ports.description + (transport.map { "/\($0.rawValue)" } ?? "")
        case .name(let name): name
        }
    }
}

/// `PORT[-END][/PROTO]` as the CLI takes it.
public enum PortSpec {
    public static let rule =
        "a port is 1-65535, a block LO-HI with LO <= HI, optionally followed by /tcp, /udp, /sctp or /dccp"
    static let lookupRule =
        "a port is 0-65535, a range LO-HI with LO <= HI, optionally followed by /tcp, /udp, /sctp or /dccp"

    /// Nil when `text` does not look like a port at all; throws when it looks like one but is invalid.
    public static func parse(_ text: String, allowZero: Bool = true) throws -> (PortRange, TransportProtocol?)? {
        let parts = text.split(separator: "/", maxSplits: 1, omittingEmptySubsequences: false)
        let numbers = parts[0]
        let looksLikePort =
            !numbers.isEmpty && numbers.first!.isASCII && numbers.first!.isNumber
            && numbers.allSatisfy { ($0.isASCII && $0.isNumber) || $0 == "-" }
        guard looksLikePort else { return nil }
        guard let ports = PortRange(parsing: numbers), allowZero || ports.low > 0 else {
            throw RegistryError(.usage, "invalid port '\(text)': \(allowZero ? lookupRule : rule)")
        }
        guard parts.count == 2 else { return (ports, nil) }
        guard let transport = TransportProtocol(name: parts[1]) else {
            throw RegistryError(.usage, "invalid protocol '\(parts[1])' in '\(text)': use tcp, udp, sctp or dccp")
        }
        return (ports, transport)
    }
}

extension StringProtocol {
    func trimmingASCIIWhitespace() -> String {
        var slice = Substring(self)
        while let first = slice.first, first == " " || first == "\t" || first == "\r" || first == "\n" {
            slice.removeFirst()
        }
        while let last = slice.last, last == " " || last == "\t" || last == "\r" || last == "\n" { slice.removeLast() }
        return String(slice)
    }
}
