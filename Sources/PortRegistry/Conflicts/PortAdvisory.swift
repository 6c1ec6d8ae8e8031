import PortRegistryModel

/// A reason to think twice about a port that does not stop it being assigned.
package struct PortAdvisory: Hashable, Sendable {
    package enum Kind: String, Sendable {
        /// The catalog registers the port, for this protocol, to another service.
        case registered
        /// Below 1024: binding needs privileges.
        case privileged
        /// Inside this host's ephemeral range: outgoing connections may take it first.
        case ephemeral
        /// Another process listens on it right now (`conflicts --live`).
        case live
    }

    package var kind: Kind
    package var ports: PortRange
    package var message: String

    package init(kind: Kind, ports: PortRange, message: String) {
        self.kind = kind
        self.ports = ports
        self.message = message
    }
}
