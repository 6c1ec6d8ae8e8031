/// A team's claim on a port or block of ports for one service.
public struct Assignment: Hashable, Sendable {
    /// The row id, once stored.
    public var id: Int?
    public var service: String
    public var ports: PortRange
    public var transport: TransportProtocol
    public var host: HostScope
    public var bind: BindAddress
    public var owner: String
    public var note: String
    /// RFC 3339 UTC, e.g. `2026-11-27T10:00:00Z`.
    public var createdAt: String
    /// RFC 3339 UTC; nil for a permanent assignment, set for a lease.
    public var expiresAt: String?

    public init(
        id: Int? = nil, service: String, ports: PortRange, transport: TransportProtocol = .tcp,
        host: HostScope = .everywhere, bind: BindAddress = .wildcard, owner: String = "", note: String = "",
        createdAt: String = "", expiresAt: String? = nil
    ) {
        self.id = id
        self.service = service
        self.ports = ports
        self.transport = transport
        self.host = host
        self.bind = bind
        self.owner = owner
        self.note = note
        self.createdAt = createdAt
        self.expiresAt = expiresAt
    }

    /// Lease expiry check; RFC 3339 UTC strings of one shape compare as text.
    public func isExpired(now: String) -> Bool {
        guard let expiresAt else { return false }
        return expiresAt <= now
    }
}

/// Service names: 1–63 characters of letters, digits, `-`, `_` and `.`, starting with a
/// letter or digit. Wider than RFC 6335 (15 characters, no `_` or `.`) because team service
/// names such as `billing-api.worker_2` are common; compared case-insensitively.
public enum ServiceName {
    public static let rule = "1-63 characters: letters, digits, '-', '_' or '.', starting with a letter or digit"

    public static func validate(_ name: String) throws -> String {
        func isLetterOrDigit(_ byte: UInt8) -> Bool {
            (byte >= 0x61 && byte <= 0x7A) || (byte >= 0x41 && byte <= 0x5A) || (byte >= 0x30 && byte <= 0x39)
        }
        let bytes = name.utf8
        let valid =
            !bytes.isEmpty && bytes.count <= 63 && isLetterOrDigit(bytes.first!)
            && bytes.allSatisfy { isLetterOrDigit($0) || $0 == 0x2D || $0 == 0x5F || $0 == 0x2E }
        guard valid else {
            throw RegistryError(.usage, "invalid service name '\(name)': \(rule)")
        }
        return name
    }
}
