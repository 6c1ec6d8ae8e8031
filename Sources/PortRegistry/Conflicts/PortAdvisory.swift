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

    /// The privileged rule's words, the one wording `add`, `conflicts` and `check` share:
    /// `80 is a privileged port (below 1024): binding it needs root or CAP_NET_BIND_SERVICE`.
    package static func privileged(_ ports: PortRange) -> String {
        ports.isSinglePort
            ? "\(ports) is a privileged port (below 1024): binding it needs root or CAP_NET_BIND_SERVICE"
            : "\(ports) includes privileged ports (below 1024): binding them needs root or CAP_NET_BIND_SERVICE"
    }

    /// The ephemeral rule's words: `host` says whose range it is (`this host's`, `the
    /// deployment host's`).
    package static func ephemeral(_ ports: PortRange, range: PortRange, host: String) -> String {
        "\(ports) is inside \(host) ephemeral range \(range): outgoing connections can take it first"
    }
}
