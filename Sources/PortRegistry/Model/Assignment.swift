/// A team's claim on a port or block of ports for one service.
package struct Assignment: Hashable, Sendable {
    /// The row id, once stored.
    package var id: Int?
    package var service: String
    package var ports: PortRange
    package var transport: TransportProtocol
    package var host: HostScope
    package var bind: BindAddress
    package var owner: String
    package var note: String
    /// RFC 3339 UTC, e.g. `2026-11-27T10:00:00Z`.
    package var createdAt: String
    /// RFC 3339 UTC; nil for a permanent assignment, set for a lease.
    package var expiresAt: String?

    package init(
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
    package func isExpired(now: Timestamp) -> Bool {
        guard let expiresAt else { return false }
        return expiresAt <= now.text
    }

    /// "billing (8080/tcp on prod at 127.0.0.1, owner team-pay)": who holds a port, for messages.
    package var holderDescription: String {
        var text = "\(service) (\(ports)/\(transport.rawValue)"
        if !host.isEverywhere { text += " on \(host)" }
        if bind.text != "*" { text += " at \(bind)" }
        if !owner.isEmpty { text += ", owner \(owner)" }
        return text + ")"
    }
}
