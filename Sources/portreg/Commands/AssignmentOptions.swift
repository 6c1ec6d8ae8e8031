import ArgumentParser
import PortRegistry
import PortRegistryModel

/// `--host`, `--bind`, `--owner`, `--note`, `--ttl`: the attributes of a new assignment.
struct AssignmentOptions: ParsableArguments {
    @Option(
        help: "Host or environment the assignment applies to; * means every host. (default: *)",
        transform: HostScope.argument)
    var host: HostScope = .everywhere

    @Option(
        help:
            "Local address the service binds: an IPv4 or IPv6 address, 0.0.0.0, :: or * (every address). (default: *)",
        transform: BindAddress.argument)
    var bind: BindAddress = .wildcard

    @Option(help: "Team or person who owns the service.")
    var owner: String = ""

    @Option(help: "Free-text note.")
    var note: String = ""

    // Unconditional: `--ttl -5m` is a value to refuse as such, not a missing one.
    @Option(parsing: .unconditional, help: "Make a lease that expires after this long: 90s, 30m, 2h, 7d, 1h30m.")
    var ttl: String?

    func validate() throws {
        if let ttl, ttl.hasPrefix("-") {
            throw ValidationError("--ttl must be positive (a duration such as 30m or 2h), not '\(ttl)'")
        }
    }

    func ttlSeconds() throws -> Int? {
        try ttl.map { try LeaseDuration.seconds(parsing: $0) }
    }
}

extension TransportProtocol: ExpressibleByArgument {
    public init?(argument: String) { self.init(name: argument) }
}
