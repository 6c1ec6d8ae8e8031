/// `PORT[-END][/PROTO]` as the CLI takes it.
package enum PortSpec {
    package static let rule =
        "a port is 1-65535, a block LO-HI with LO <= HI, optionally followed by /tcp, /udp, /sctp or /dccp"
    static let lookupRule =
        "a port is 0-65535, a range LO-HI with LO <= HI, optionally followed by /tcp, /udp, /sctp or /dccp"

    /// Nil when `text` does not look like a port at all; throws when it looks like one but is invalid.
    package static func parse(_ text: String, allowZero: Bool = true) throws -> (PortRange, TransportProtocol?)? {
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
