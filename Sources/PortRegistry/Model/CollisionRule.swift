/// Anything that claims a socket: a stored assignment, or a port a config file publishes.
package protocol SocketClaim {
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
package enum CollisionRule {
    package static func collide(_ a: some SocketClaim, _ b: some SocketClaim) -> Bool {
        a.transport == b.transport
            && a.ports.overlaps(b.ports)
            && a.host.overlaps(b.host)
            && a.bind.overlaps(b.bind)
            && !sameService(a.service, b.service)
    }

    /// Service names compare case-insensitively.
    package static func sameService(_ a: String, _ b: String) -> Bool {
        a.count == b.count && a.lowercased() == b.lowercased()
    }
}

/// Two assignments that cannot both hold.
package struct Collision: Hashable, Sendable {
    package var first: Assignment
    package var second: Assignment

    package init(first: Assignment, second: Assignment) {
        self.first = first
        self.second = second
    }

    /// The ports both claim.
    package var ports: PortRange {
        PortRange(uncheckedLow: max(first.ports.low, second.ports.low), high: min(first.ports.high, second.ports.high))
    }
}

/// Claims that all collide with one another under `CollisionRule` (any two claims of
/// different services in it collide; several claims of one service may be in it, as one
/// claimant), and the ports they all share.
package struct CollisionGroup: Hashable, Sendable {
    /// Indices into the claims given, ascending.
    package var members: [Int]
    package var shared: PortRange
    package var transport: TransportProtocol
}

extension CollisionRule {
    /// Every collision among `claims` as groups rather than pairs: each group's claims of
    /// different services pairwise collide, and every colliding pair is in some group.
    ///
    /// The rule is an intersection of overlaps along independent axes, so its groups are
    /// products of each axis's maximal groups, and each axis has a cheap partition:
    /// - protocol: equal;
    /// - ports: the maximal sets of ranges sharing a port, by one sweep (`PortSweep`);
    /// - host: for each named host, its claims plus those on `*` (only `*`: one group);
    /// - bind: for each specific IPv4 address, its claims plus `0.0.0.0` and the wildcard;
    ///   for each IPv6 address, its claims plus the wildcard; else `0.0.0.0` plus the
    ///   wildcard, else the wildcard alone;
    /// - service: claims of one service never collide, so a group needs two services.
    ///
    /// n claims of one socket are one group of n. Time n log n plus the sizes of the groups;
    /// only named hosts or addresses beside a shared wildcard repeat a claim (in each of their
    /// groups), which is the report itself, bounded by the colliding pairs.
    package static func groups<Item: SocketClaim>(_ claims: [Item]) -> [CollisionGroup] {
        var byTransport: [TransportProtocol: [Int]] = [:]
        for index in claims.indices { byTransport[claims[index].transport, default: []].append(index) }
        var result: [CollisionGroup] = []
        for transport in TransportProtocol.allCases {
            guard let indices = byTransport[transport], indices.count > 1 else { continue }
            for ports in PortSweep.maximalGroups(indices.map { claims[$0].ports }) {
                let members = ports.members.map { indices[$0] }
                var candidates: [[Int]] = []
                for hostGroup in hostGroups(members, claims) {
                    for bindGroup in bindGroups(hostGroup, claims) where hasTwoServices(bindGroup, claims) {
                        candidates.append(bindGroup.sorted())
                    }
                }
                for group in maximal(candidates) {
                    result.append(
                        CollisionGroup(members: group, shared: sharedPorts(group, claims), transport: transport))
                }
            }
        }
        return result
    }

    /// The ports every member claims (the members share one, as a sweep group does).
    package static func sharedPorts<Item: SocketClaim>(_ members: [Int], _ claims: [Item]) -> PortRange {
        var low = Int.min
        var high = Int.max
        for index in members {
            low = max(low, claims[index].ports.low)
            high = min(high, claims[index].ports.high)
        }
        return PortRange(uncheckedLow: low, high: high)
    }

    package static func hasTwoServices<Item: SocketClaim>(_ members: [Int], _ claims: [Item]) -> Bool {
        guard let first = members.first else { return false }
        return members.contains { !sameService(claims[$0].service, claims[first].service) }
    }

    static func hostGroups<Item: SocketClaim>(_ members: [Int], _ claims: [Item]) -> [[Int]] {
        var everywhere: [Int] = []
        var named: [String: [Int]] = [:]
        var names: [String] = []
        for index in members {
            let host = claims[index].host
            if host.isEverywhere {
                everywhere.append(index)
            } else {
                if named[host.name] == nil { names.append(host.name) }
                named[host.name, default: []].append(index)
            }
        }
        guard !names.isEmpty else { return [members] }
        return names.map { everywhere + named[$0]! }
    }

    static func bindGroups<Item: SocketClaim>(_ members: [Int], _ claims: [Item]) -> [[Int]] {
        var any: [Int] = []
        var anyIPv4: [Int] = []
        var ipv4: [String: [Int]] = [:]
        var ipv6: [String: [Int]] = [:]
        var ipv4Order: [String] = []
        var ipv6Order: [String] = []
        for index in members {
            let bind = claims[index].bind
            switch bind.kind {
            case .any: any.append(index)
            case .anyIPv4: anyIPv4.append(index)
            case .ipv4:
                if ipv4[bind.text] == nil { ipv4Order.append(bind.text) }
                ipv4[bind.text, default: []].append(index)
            case .ipv6:
                if ipv6[bind.text] == nil { ipv6Order.append(bind.text) }
                ipv6[bind.text, default: []].append(index)
            }
        }
        if ipv4Order.isEmpty && ipv6Order.isEmpty { return [any + anyIPv4] }
        var groups = ipv4Order.map { any + anyIPv4 + ipv4[$0]! } + ipv6Order.map { any + ipv6[$0]! }
        if ipv4Order.isEmpty && !anyIPv4.isEmpty { groups.append(any + anyIPv4) }
        return groups
    }

    /// `candidates` (each sorted) without duplicates and, while there are few, without those
    /// inside another one: a group met under two hosts is reported once.
    package static func maximal(_ candidates: [[Int]]) -> [[Int]] {
        guard candidates.count > 1 else { return candidates }
        var seen = Set<[Int]>()
        let unique = candidates.filter { seen.insert($0).inserted }
        guard unique.count > 1, unique.count <= 256 else { return unique }
        func contains(_ outer: [Int], _ inner: [Int]) -> Bool {
            var position = 0
            for value in inner {
                while position < outer.count && outer[position] < value { position += 1 }
                guard position < outer.count, outer[position] == value else { return false }
            }
            return true
        }
        let bySize = unique.indices.sorted { unique[$0].count > unique[$1].count }
        var kept: [Int] = []
        for index in bySize where !kept.contains(where: { contains(unique[$0], unique[index]) }) {
            kept.append(index)
        }
        return kept.sorted().map { unique[$0] }
    }
}
