import PortRegistryModel
import PortRegistryStorage

/// Finds every collision among the live assignments with one sweep over the port axis:
/// O(n log n + k) for n assignments and k overlapping pairs, never a pair loop over all rows.
///
/// Rows are read in a packed form (ports and an interned host), a cheap necessary condition
/// (same protocol, overlapping ports and hosts) picks candidate pairs, and `CollisionRule` —
/// the one rule — decides each candidate. Service names are left to the rule: reading a
/// million of them costs more than the few same-service pairs it would spare.
package struct CollisionFinder {
    package let storage: any AssignmentStorage

    package init(storage: any AssignmentStorage) { self.storage = storage }

    struct Packed {
        var id: Int
        var low: Int32
        var high: Int32
        /// Position in the sweep, to keep the pairs in the order the sweep meets them.
        var order: Int32
    }

    /// Keys of the active set along one axis. A pair of claims overlaps on an axis exactly
    /// when one claim's *visible* keys and the other's *queried* keys share one key: equal
    /// names meet under the name, a wildcard meets every specific name under a shared key.
    /// Each overlapping pair therefore meets under exactly one (host, bind) key, and every
    /// claim found in a queried bucket is a real candidate: no scan over claims that do not
    /// overlap (15,000 claims of one port on distinct addresses was 112 M pair checks).
    enum AxisKey: Hashable {
        case name(Int32)
        /// Host `*`, or bind `*`/`::` (every address of both families).
        case everything
        /// Bind `0.0.0.0`.
        case everyIPv4
        /// Every specific host; every specific IPv4 or IPv6 address.
        case anySpecific
        case anySpecificIPv4
        case anySpecificIPv6
    }

    package struct Key: Hashable {
        var host: AxisKey
        var bind: AxisKey
    }

    static func hostKeys(_ host: Int32) -> (visible: [AxisKey], queried: [AxisKey]) {
        host == 0
            ? ([.everything], [.everything, .anySpecific]) : ([.name(host), .anySpecific], [.name(host), .everything])
    }

    static func bindKeys(_ bind: Int32, _ kind: BindAddress.Kind) -> (visible: [AxisKey], queried: [AxisKey]) {
        switch kind {
        case .any: ([.everything], [.everything, .everyIPv4, .anySpecificIPv4, .anySpecificIPv6])
        case .anyIPv4: ([.everyIPv4], [.everyIPv4, .everything, .anySpecificIPv4])
        case .ipv4: ([.name(bind), .anySpecificIPv4], [.name(bind), .everyIPv4, .everything])
        case .ipv6: ([.name(bind), .anySpecificIPv6], [.name(bind), .everything])
        }
    }

    /// Collisions among live assignments; with `involving`, only pairs where at least one side
    /// passes it (an import checks only what it brought).
    package func collisions(now: Timestamp, involving: ((Int) -> Bool)? = nil) throws -> [Collision] {
        struct Row {
            var packed: Packed
            var host: Int32
            var bind: Int32
        }
        var buckets: [TransportProtocol: [Row]] = [:]
        var hosts: [String: Int32] = ["*": 0]
        var binds: [String: Int32] = [:]
        var bindKinds: [BindAddress.Kind] = []
        func intern(_ text: String, _ table: inout [String: Int32]) -> Int32 {
            if let index = table[text] { return index }
            let index = Int32(table.count)
            table[text] = index
            return index
        }
        var order: Int32 = 0
        try storage.forEachLiveClaim(now: now) { id, ports, transport, host, bindText in
            let bind = intern(bindText, &binds)
            if bind == bindKinds.count { bindKinds.append((BindAddress(parsing: bindText) ?? .wildcard).kind) }
            let packed = Packed(id: id, low: Int32(ports.low), high: Int32(ports.high), order: order)
            order += 1
            buckets[transport, default: []].append(Row(packed: packed, host: intern(host, &hosts), bind: bind))
        }

        var candidates: [(Int, Int)] = []
        for transport in TransportProtocol.allCases {
            guard let claims = buckets[transport] else { continue }
            // Claims whose ports reach the sweep's position, by the keys they are visible under.
            // A claim that ended before the position is dropped from a bucket when the bucket
            // is next read, so each claim is dropped at most once per bucket.
            var active: [Key: [Packed]] = [:]
            var found: [Packed] = []
            for claim in claims {
                let hostKeys = CollisionFinder.hostKeys(claim.host)
                let bindKeys = CollisionFinder.bindKeys(claim.bind, bindKinds[Int(claim.bind)])
                found.removeAll(keepingCapacity: true)
                for host in hostKeys.queried {
                    for bind in bindKeys.queried {
                        let key = Key(host: host, bind: bind)
                        guard var bucket = active[key] else { continue }
                        active[key] = nil  // edit the bucket without a copy
                        bucket.removeAll { $0.high < claim.packed.low }
                        found += bucket
                        if !bucket.isEmpty { active[key] = bucket }
                    }
                }
                found.sort { $0.order < $1.order }
                for other in found {
                    if let involving, !involving(claim.packed.id) && !involving(other.id) { continue }
                    candidates.append((other.id, claim.packed.id))
                }
                for host in hostKeys.visible {
                    for bind in bindKeys.visible {
                        active[Key(host: host, bind: bind), default: []].append(claim.packed)
                    }
                }
            }
        }
        guard !candidates.isEmpty else { return [] }

        var cache: [Int: Assignment] = [:]
        func assignment(_ id: Int) throws -> Assignment {
            if let known = cache[id] { return known }
            guard let found = try storage.assignment(id: id) else {
                throw RegistryError(.io, "assignment \(id) vanished during the collision check")
            }
            cache[id] = found
            return found
        }
        var result: [Collision] = []
        for (first, second) in candidates {
            let a = try assignment(first)
            let b = try assignment(second)
            if CollisionRule.collide(a, b) { result.append(Collision(first: a, second: b)) }
        }
        return result
    }
}
