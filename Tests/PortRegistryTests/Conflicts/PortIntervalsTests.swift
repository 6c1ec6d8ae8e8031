import PortRegistryStorage
import Testing
@testable import PortRegistry
@testable import PortRegistryCatalog
@testable import PortRegistryConflicts
@testable import PortRegistryModel

@testable import PortRegistry

/// The interval tree that replaced PortAdvisor's per-port table gives the answers the table gave.
@Suite struct PortIntervalsTests {
    // MARK: PortAdvisor's interval tree

    /// The advisor's first answer, computed the old way: a table of names per port.
    static func naiveRegistered(
        _ rows: [(name: String, low: Int, high: Int, transport: TransportProtocol?)], _ claim: Assignment
    ) -> String? {
        var table: [Int: [String]] = [:]
        for row in rows
        where row.transport == nil ? [.tcp, .udp].contains(claim.transport) : row.transport == claim.transport {
            let (low, high) = (max(row.low, claim.ports.low), min(row.high, claim.ports.high))
            guard low <= high else { continue }
            for port in low...high where !(table[port]?.contains(row.name) ?? false) {
                table[port, default: []].append(row.name)
            }
        }
        let others = table.keys.sorted().compactMap { port -> (Int, [String])? in
            let names = table[port]!
            return names.contains { CollisionRule.sameService($0, claim.service) } ? nil : (port, names)
        }
        guard let first = others.first else { return nil }
        let more = others.count > 1 ? " (and \(others.count - 1) more ports of the block)" : ""
        return
            "\(first.0)/\(claim.transport.rawValue) is registered to \(PortAdvisor.names(first.1)) in the catalog\(more)"
    }

    @Test(arguments: [UInt64(1), 2, 3, 4, 5, 6])
    func advisoriesMatchAPerPortTable(_ seed: UInt64) throws {
        var random = SplitMix64(seed: seed)
        let names = ["alpha", "beta", "Beta", "gamma", "delta", "myapp"]
        var rows: [(name: String, low: Int, high: Int, transport: TransportProtocol?)] = []
        for _ in 0..<60 {
            let low = Int.random(in: 7000...7100, using: &random)
            let width = Int.random(in: 0..<10, using: &random) < 6 ? 0 : Int.random(in: 1...40, using: &random)
            rows.append((names.pick(&random), low, low + width, [nil, .tcp, .udp].pick(&random)))
        }
        rows.append(("wide", 1, 65535, .udp))
        let registry = try Registry.inMemory()
        let entries = rows.map {
            CatalogEntry(
                source: .common, service: $0.name, ports: PortRange(low: $0.low, high: $0.high), transport: $0.transport
            )
        }
        _ = try CatalogImporter.replace(source: .common, with: entries, origin: "test", sha256: nil, in: registry)
        // Only the rows of this test: drop the built-in iana rows from the comparison.
        try registry.database.execute("DELETE FROM catalog_entry WHERE source = 'iana'")
        let advisor = try PortAdvisor(database: registry.database, ephemeral: nil)
        for _ in 0..<400 {
            let low = Int.random(in: 6990...7150, using: &random)
            let width = Int.random(in: 0..<3, using: &random) == 0 ? Int.random(in: 1...80, using: &random) : 0
            let claim = Assignment(
                service: names.pick(&random), ports: portRange(low, low + width),
                transport: [.tcp, .udp, .sctp].pick(&random))
            let message = advisor.advisories(for: claim).first { $0.kind == .registered }?.message
            #expect(
                message == PortIntervalsTests.naiveRegistered(rows, claim),
                "\(claim.service) \(claim.ports)/\(claim.transport)")
        }
    }

    /// 300 rows covering every port: one tree walk, and the count of the block is right.
    @Test func rowsCoveringEveryPortCostNothingPerPort() throws {
        let registry = try Registry.inMemory()
        let entries = (0..<300).map {
            CatalogEntry(source: .common, service: "wide\($0)", ports: PortRange(low: 1, high: 65535), transport: nil)
        }
        _ = try CatalogImporter.replace(source: .common, with: entries, origin: "test", sha256: nil, in: registry)
        let advisor = try PortAdvisor(database: registry.database, ephemeral: nil)
        let single = advisor.advisories(for: Assignment(service: "myapp", ports: portRange(20000)))
        #expect(single.first?.message == "20000/tcp is registered to wide0, wide1, wide2 and 297 more in the catalog")
        let block = advisor.advisories(for: Assignment(service: "myapp", ports: portRange(1024, 65535)))
        #expect(block.first?.message.hasSuffix("(and 64511 more ports of the block)") == true, "\(block)")
        #expect(advisor.advisories(for: Assignment(service: "wide7", ports: portRange(20000))).isEmpty)
        #expect(advisor.isRegistered(65535, transport: .udp))
        #expect(!advisor.isRegistered(1, transport: .sctp))
    }

    @Test func intervalSubtraction() {
        let ranges = PortIntervals.union([(1, 10), (12, 20), (5, 11), (30, 30)])
        #expect(ranges.map { [$0.low, $0.high] } == [[1, 20], [30, 30]])
        let left = PortIntervals.subtract(ranges, PortIntervals.union([(3, 4), (8, 8), (19, 31)]))
        #expect(left.map { [$0.low, $0.high] } == [[1, 2], [5, 7], [9, 18]])
        #expect(PortIntervals.subtract(ranges, []).count == 2)
        #expect(PortIntervals.subtract(ranges, [(0, 65535)]).isEmpty)
    }
}
