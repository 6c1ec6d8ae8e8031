/// Computes advisories for assignments. Catalog registrations are loaded once into an
/// interval tree per protocol, so a check costs a tree walk whatever the ranges' lengths
/// (300 rows covering 1-65535 took 14 s and 1 GB as a per-port table).
public struct PortAdvisor {
    public let ephemeral: PortRange?
    /// Registered names in catalog order (iana, then common); intervals point into it.
    private var names: [String] = []
    private var registered: [TransportProtocol: PortIntervals] = [:]

    package init(database: Database, ephemeral: PortRange? = EphemeralRange.current()) throws {
        self.ephemeral = ephemeral
        var intervals: [TransportProtocol: [PortIntervals.Interval]] = [:]
        try database.cached(
            """
            SELECT service, port_low, port_high, protocol FROM catalog_entry
            WHERE service IS NOT NULL AND port_low IS NOT NULL AND source IN ('iana', 'common')
            ORDER BY CASE source WHEN 'iana' THEN 0 ELSE 1 END, id
            """
        ).forEachRow { row in
            let transports: [TransportProtocol] =
                row.optionalText(3).flatMap(TransportProtocol.init(rawValue:)).map { [$0] } ?? [.tcp, .udp]
            let ports = try PortRange.stored(row.int(1), row.int(2), row: "catalog entry \(row.text(0))")
            let interval = PortIntervals.Interval(low: ports.low, high: ports.high, value: names.count)
            names.append(row.text(0))
            for transport in transports { intervals[transport, default: []].append(interval) }
        }
        registered = intervals.mapValues(PortIntervals.init)
    }

    /// The rows registered on `ports` for `transport`, in catalog order.
    private func hits(_ ports: PortRange, _ transport: TransportProtocol) -> [PortIntervals.Interval] {
        guard let tree = registered[transport] else { return [] }
        return tree.overlapping(ports.low, ports.high).sorted { $0.value < $1.value }
    }

    /// Distinct names, in catalog order, of the rows in `hits` that cover `port`.
    private func names(at port: Int, in hits: [PortIntervals.Interval]) -> [String] {
        var result: [String] = []
        for hit in hits where hit.low <= port && port <= hit.high && !result.contains(names[hit.value]) {
            result.append(names[hit.value])
        }
        return result
    }

    /// Catalog names registered on any port of `ports` for `transport`, one entry per
    /// registered port (the answer is as long as the ports it lists; advisories do not use it).
    public func registrations(_ ports: PortRange, transport: TransportProtocol) -> [(port: Int, names: [String])] {
        let found = hits(ports, transport)
        var result: [(port: Int, names: [String])] = []
        let covered = PortIntervals.union(found.map { (max($0.low, ports.low), min($0.high, ports.high)) })
        for range in covered {
            // Between two consecutive ends of the rows found, the same rows cover every port.
            var ends = found.flatMap { [$0.low, $0.high + 1] }.filter { $0 > range.low && $0 <= range.high }
            ends.append(range.high + 1)
            var start = range.low
            for end in Set(ends).sorted() {
                let here = names(at: start, in: found)
                for port in start..<end { result.append((port, here)) }
                start = end
            }
        }
        return result
    }

    public func isRegistered(_ port: Int, transport: TransportProtocol) -> Bool {
        var found = false
        registered[transport]?.forEachOverlapping(port, port) { _ in found = true }
        return found
    }

    /// "a, b, c" or, past three names, "a, b, c and 20 more".
    public static func names(_ names: [String], shown: Int = 3) -> String {
        names.prefix(shown).joined(separator: ", ") + (names.count > shown ? " and \(names.count - shown) more" : "")
    }

    /// Registered-to-another-service, privileged and ephemeral advisories for one claim.
    public func advisories(for claim: some SocketClaim) -> [PortAdvisory] {
        var result: [PortAdvisory] = []
        // Ports registered to other names, less those where the claim's own name is registered.
        let found = hits(claim.ports, claim.transport)
        func clipped(_ own: Bool) -> [(low: Int, high: Int)] {
            PortIntervals.union(
                found.filter { CollisionRule.sameService(names[$0.value], claim.service) == own }
                    .map { (max($0.low, claim.ports.low), min($0.high, claim.ports.high)) })
        }
        let others = PortIntervals.subtract(clipped(false), clipped(true))
        if let first = others.first?.low {
            let count = others.reduce(0) { $0 + $1.high - $1.low + 1 }
            let more = count > 1 ? " (and \(count - 1) more ports of the block)" : ""
            result.append(
                PortAdvisory(
                    kind: .registered, ports: PortRange(uncheckedLow: first, high: first),
                    message:
                        "\(first)/\(claim.transport.rawValue) is registered to \(PortAdvisor.names(names(at: first, in: found))) in the catalog\(more)"
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
