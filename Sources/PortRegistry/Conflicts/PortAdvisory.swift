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

/// Computes advisories for assignments. For many assignments, catalog registrations are
/// loaded once into a per-port table, so each check is a table read.
public struct PortAdvisor {
    public let ephemeral: PortRange?
    /// Registered names per protocol and port (iana and common sources).
    private var registered: [TransportProtocol: [Int: [String]]] = [:]

    package init(database: Database, ephemeral: PortRange? = EphemeralRange.current()) throws {
        self.ephemeral = ephemeral
        try database.cached(
            """
            SELECT service, port_low, port_high, protocol FROM catalog_entry
            WHERE service IS NOT NULL AND port_low IS NOT NULL AND source IN ('iana', 'common')
            ORDER BY CASE source WHEN 'iana' THEN 0 ELSE 1 END, id
            """
        ).forEachRow { row in
            let name = row.text(0)
            let transports: [TransportProtocol] =
                row.optionalText(3).flatMap(TransportProtocol.init(rawValue:)).map { [$0] } ?? [.tcp, .udp]
            for transport in transports {
                for port in row.int(1)...row.int(2) where !(registered[transport]?[port]?.contains(name) ?? false) {
                    registered[transport, default: [:]][port, default: []].append(name)
                }
            }
        }
    }

    /// Catalog names registered on any port of `ports` for `transport`.
    public func registrations(_ ports: PortRange, transport: TransportProtocol) -> [(port: Int, names: [String])] {
        guard let table = registered[transport] else { return [] }
        if ports.count > table.count {
            return table.filter { ports.contains($0.key) }.sorted { $0.key < $1.key }.map { ($0.key, $0.value) }
        }
        return (ports.low...ports.high).compactMap { port in table[port].map { (port, $0) } }
    }

    public func isRegistered(_ port: Int, transport: TransportProtocol) -> Bool {
        registered[transport]?[port] != nil
    }

    /// "a, b, c" or, past three names, "a, b, c and 20 more".
    public static func names(_ names: [String], shown: Int = 3) -> String {
        names.prefix(shown).joined(separator: ", ") + (names.count > shown ? " and \(names.count - shown) more" : "")
    }

    /// Registered-to-another-service, privileged and ephemeral advisories for one claim.
    public func advisories(for claim: some SocketClaim) -> [PortAdvisory] {
        var result: [PortAdvisory] = []
        let others = registrations(claim.ports, transport: claim.transport).compactMap { entry -> (Int, [String])? in
            let names = entry.names.filter { !CollisionRule.sameService($0, claim.service) }
            return names.isEmpty || entry.names.count != names.count ? nil : (entry.port, names)
        }
        if let first = others.first {
            let more = others.count > 1 ? " (and \(others.count - 1) more ports of the block)" : ""
            result.append(
                PortAdvisory(
                    kind: .registered, ports: PortRange(uncheckedLow: first.0, high: first.0),
                    message:
                        "\(first.0)/\(claim.transport.rawValue) is registered to \(PortAdvisor.names(first.1)) in the catalog\(more)"
                ))
        }
        if claim.ports.low < 1024 {
            result.append(
                PortAdvisory(
                    kind: .privileged, ports: claim.ports,
                    message:
                        claim.ports.isSinglePort
                        ? "\(claim.ports) is a privileged port (below 1024): binding it needs root or CAP_NET_BIND_SERVICE"
                        : "\(claim.ports) includes privileged ports (below 1024): binding them needs root or CAP_NET_BIND_SERVICE"
                ))
        }
        if let ephemeral, ephemeral.overlaps(claim.ports) {
            result.append(
                PortAdvisory(
                    kind: .ephemeral, ports: claim.ports,
                    message:
                        "\(claim.ports) is inside this host's ephemeral range \(ephemeral): outgoing connections can take it first"
                ))
        }
        return result
    }
}
