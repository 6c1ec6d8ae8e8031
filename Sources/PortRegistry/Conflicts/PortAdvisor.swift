import PortRegistryModel
import PortRegistryStorage
import PortRegistrySystem

/// Computes advisories for assignments. Catalog registrations are loaded once into an
/// interval tree per protocol, so a check costs a tree walk whatever the ranges' lengths
/// (300 rows covering 1-65535 took 14 s and 1 GB as a per-port table).
package struct PortAdvisor {
    package let ephemeral: PortRange?
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

    /// The ports of `ports` registered (for `transport`) to names that are not `isOwn`, less
    /// those where an own name is registered too, as spans: the first such port, the distinct
    /// names registered there (catalog order) and how many such ports there are. nil when
    /// there is none. Costs a tree walk and a sort of the rows found, whatever the range's length.
    package func foreignRegistration(
        _ ports: PortRange, transport: TransportProtocol, isOwn: (String) -> Bool
    ) -> (port: Int, names: [String], count: Int)? {
        let found = hits(ports, transport)
        func clipped(_ own: Bool) -> [(low: Int, high: Int)] {
            PortIntervals.union(
                found.filter { isOwn(names[$0.value]) == own }
                    .map { (max($0.low, ports.low), min($0.high, ports.high)) })
        }
        let others = PortIntervals.subtract(clipped(false), clipped(true))
        guard let first = others.first?.low else { return nil }
        let count = others.reduce(0) { $0 + $1.high - $1.low + 1 }
        return (first, names(at: first, in: found), count)
    }

    package func isRegistered(_ port: Int, transport: TransportProtocol) -> Bool {
        var found = false
        registered[transport]?.forEachOverlapping(port, port) { _ in found = true }
        return found
    }

    /// "a, b, c" or, past three names, "a, b, c and 20 more".
    package static func names(_ names: [String], shown: Int = 3) -> String {
        names.prefix(shown).joined(separator: ", ") + (names.count > shown ? " and \(names.count - shown) more" : "")
    }

    /// Registered-to-another-service, privileged and ephemeral advisories for one claim.
    package func advisories(for claim: some SocketClaim) -> [PortAdvisory] {
        var result: [PortAdvisory] = []
        // Ports registered to other names, less those where the claim's own name is registered.
        if let foreign = foreignRegistration(
            claim.ports, transport: claim.transport,
            isOwn: {
                CollisionRule.sameService($0, claim.service)
            })
        {
            let first = foreign.port
            let more = foreign.count > 1 ? " (and \(foreign.count - 1) more ports of the block)" : ""
            result.append(
                PortAdvisory(
                    kind: .registered, ports: PortRange(uncheckedLow: first, high: first),
                    message:
                        "\(first)/\(claim.transport.rawValue) is registered to \(PortAdvisor.names(foreign.names)) in the catalog\(more)"
                ))
        }
        if claim.ports.low < 1024 {
            result.append(
                PortAdvisory(
                    kind: .privileged, ports: claim.ports,
                    message: PortAdvisory.privileged(claim.ports)))
        }
        if let ephemeral, ephemeral.overlaps(claim.ports) {
            result.append(
                PortAdvisory(
                    kind: .ephemeral, ports: claim.ports,
                    message: PortAdvisory.ephemeral(claim.ports, range: ephemeral, host: "this host's")))
        }
        return result
    }
}
