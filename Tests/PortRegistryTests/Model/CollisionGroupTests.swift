import Testing

@testable import PortRegistry
@testable import PortRegistryModel

/// `CollisionRule.groups` against the rule itself: in every group, any two claims of
/// different services collide, every colliding pair is in some group, and one socket
/// claimed by many services is one group.
@Suite struct CollisionGroupTests {
    static let hosts = ["*", "*", "*", "nas", "vps"]
    static let binds = ["*", "*", "0.0.0.0", "127.0.0.1", "127.0.0.2", "::1", "::"]

    func random(_ count: Int, using generator: inout some RandomNumberGenerator) -> [Assignment] {
        (0..<count).map { _ in
            let low = Int.random(in: 8000...8030, using: &generator)
            return Assignment(
                service: "s\(Int.random(in: 0..<8, using: &generator))",
                ports: PortRange(
                    low: low,
                    high: low + (Bool.random(using: &generator) ? 0 : Int.random(in: 0...12, using: &generator)))!,
                transport: Bool.random(using: &generator) ? .tcp : .udp,
                host: HostScope(parsing: Self.hosts.randomElement(using: &generator)!)!,
                bind: BindAddress(parsing: Self.binds.randomElement(using: &generator)!)!)
        }
    }

    @Test func groupsMatchThePairwiseRule() {
        var generator = SystemRandomNumberGenerator()
        for _ in 0..<300 {
            let claims = random(Int.random(in: 0...25, using: &generator), using: &generator)
            let groups = CollisionRule.groups(claims)
            var covered = Set<[Int]>()
            for group in groups {
                #expect(CollisionRule.hasTwoServices(group.members, claims))
                for (position, a) in group.members.enumerated() {
                    for b in group.members[(position + 1)...] {
                        let (x, y) = (claims[a], claims[b])
                        if CollisionRule.sameService(x.service, y.service) { continue }
                        #expect(CollisionRule.collide(x, y), "\(x) and \(y) grouped in \(group)")
                        covered.insert([a, b])
                    }
                    #expect(claims[a].ports.contains(group.shared.low) && claims[a].ports.contains(group.shared.high))
                }
            }
            for i in claims.indices {
                for j in claims.indices where i < j && CollisionRule.collide(claims[i], claims[j]) {
                    #expect(covered.contains([i, j]), "\(claims[i]) and \(claims[j]) collide but share no group")
                }
            }
        }
    }

    @Test func oneSocketIsOneGroup() {
        let claims = (0..<3_000).map { Assignment(service: "s\($0)", ports: PortRange(port: 8080)!) }
        let started = ContinuousClock.now
        let groups = CollisionRule.groups(claims)
        #expect(groups.map(\.members.count) == [3_000])
        #expect(ContinuousClock.now - started < .seconds(2))
    }

    /// Two addresses beside a wildcard: {wildcard, a} and {wildcard, b}, never {a, b}.
    @Test func addressesBesideAWildcardSplit() {
        let claims = [
            Assignment(service: "all", ports: PortRange(port: 80)!),
            Assignment(service: "a", ports: PortRange(port: 80)!, bind: BindAddress(parsing: "127.0.0.1")!),
            Assignment(service: "b", ports: PortRange(port: 80)!, bind: BindAddress(parsing: "127.0.0.2")!),
        ]
        #expect(CollisionRule.groups(claims).map(\.members) == [[0, 1], [0, 2]])
    }

    /// The sweep's groups are the maximal sets of ranges sharing a port.
    @Test func maximalGroupsOfRanges() {
        let ranges = ["8000-8010", "8005", "8010", "8011", "9000", "9000"].map { PortRange(parsing: $0)! }
        let groups = PortSweep.maximalGroups(ranges)
        #expect(groups.map { $0.members.sorted() } == [[0, 1], [0, 2], [4, 5]])
        #expect(groups.map(\.shared) == ["8005", "8010", "9000"].map { PortRange(parsing: $0)! })
    }
}
