/// Anything that claims a socket: a stored assignment, or a port a config file publishes.
public protocol SocketClaim {
    var service: String { get }
    var ports: PortRange { get }
    var transport: TransportProtocol { get }
    var host: HostScope { get }
    var bind: BindAddress { get }
}

extension Assignment: SocketClaim {}

/// SPEC.md's collision rule, in one place: two claims of *different* services collide when
/// their protocols match, their port ranges overlap, their host scopes overlap (equal, or
/// either is `*`) and their bind addresses overlap.
public enum CollisionRule {
    public static func collide(_ a: some SocketClaim, _ b: some SocketClaim) -> Bool {
        a.transport == b.transport
            && a.ports.overlaps(b.ports)
            && a.host.overlaps(b.host)
            && a.bind.overlaps(b.bind)
            && !sameService(a.service, b.service)
    }

    /// Service names compare case-insensitively.
    public static func sameService(_ a: String, _ b: String) -> Bool {
        a.count == b.count && a.lowercased() == b.lowercased()
    }
}

/// Two assignments that cannot both hold.
public struct Collision: Hashable, Sendable {
    public var first: Assignment
    public var second: Assignment

    package init(first: Assignment, second: Assignment) {
        self.first = first
        self.second = second
    }

    /// The ports both claim.
    public var ports: PortRange {
        PortRange(uncheckedLow: max(first.ports.low, second.ports.low), high: min(first.ports.high, second.ports.high))
    }
}
