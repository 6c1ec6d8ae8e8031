import ArgumentParser
import PortRegistry
import PortRegistryModel

/// The values a user types for a host, a bind address or a port, checked where argument-parser
/// checks arguments: one message per rule for every command, exit 64 with the usage lines
/// (`ExitStatus.exit(withParserError:)`), before any registry is opened.
///
/// Each option names its type's `argument` function as its transform rather than relying on an
/// `ExpressibleByArgument` conformance: a failable `init?(argument:)` cannot say why it failed,
/// while argument-parser prints a transform's error after "The value 'x' is invalid for
/// '--host <host>': ".
struct ArgumentRule: Error, CustomStringConvertible {
    let description: String
}

extension HostScope {
    static let rule = "a host or environment name without spaces or commas, or * for every host"

    /// The one check of a host on the command line (`--host`, `--in-host`).
    static func argument(_ text: String) throws -> HostScope {
        guard let scope = HostScope(parsing: text) else { throw ArgumentRule(description: rule) }
        return scope
    }
}

extension BindAddress {
    static let rule = "an IPv4 or IPv6 address, 0.0.0.0, :: or * (host names are not accepted)"

    /// The one check of `--bind`.
    static func argument(_ text: String) throws -> BindAddress {
        guard let address = BindAddress(parsing: text) else { throw ArgumentRule(description: rule) }
        return address
    }
}

/// A port or block with an optional protocol, `8080`, `9100-9109/udp`: what `add`, `remove`,
/// `edit` and `move` take. Port 0 is refused (it is no port a service can hold).
struct PortArgument: Sendable {
    let ports: PortRange
    let transport: TransportProtocol?
    /// As typed, for messages.
    let text: String

    private init(ports: PortRange, transport: TransportProtocol?, text: String) {
        self.ports = ports
        self.transport = transport
        self.text = text
    }

    /// The one check of a port on the command line.
    static func argument(_ text: String) throws -> PortArgument {
        guard let (ports, transport) = try? PortSpec.parse(text, allowZero: false) else {
            throw ArgumentRule(description: PortSpec.rule)
        }
        return PortArgument(ports: ports, transport: transport, text: text)
    }
}

extension PortRange {
    static let rule = "a port 0-65535, or a range LO-HI with LO <= HI"

    /// The one check of `--range`.
    static func argument(_ text: String) throws -> PortRange {
        guard let range = PortRange(parsing: text) else { throw ArgumentRule(description: rule) }
        return range
    }
}
