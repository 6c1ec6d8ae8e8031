import PortRegistryModel

/// A reason to think twice about a port that does not stop it being assigned.
public struct PortAdvisory: Hashable, Sendable {
    public enum Kind: String, Sendable {
        /// The catalog registers the port, for this protocol, to another service.
        case registered
        /// Below 1024: binding needs privileges.
        case privileged
        /// Inside this host's ephemeral range: outgoing connections may take it first.
        case ephemeral
        /// Another process listens on it right now (`conflicts --live`).
        case live
    }

    public var kind: Kind
    public var ports: PortRange
    public var message: String

    public init(kind: Kind, ports: PortRange, message: String) {
        self.kind = kind
        self.ports = ports
        self.message = message
    }
}
