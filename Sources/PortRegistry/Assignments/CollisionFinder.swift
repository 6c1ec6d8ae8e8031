/// Finds every collision among the live assignments with one sweep over the port axis:
/// O(n log n + k) for n assignments and k overlapping pairs, never a pair loop over all rows.
///
/// Rows are read in a packed form (ports and an interned host), a cheap necessary condition
/// (same protocol, overlapping ports and hosts) picks candidate pairs, and `CollisionRule` —
/// the one rule — decides each candidate. Service names are left to the rule: reading a
/// million of them costs more than the few same-service pairs it would spare.
package struct CollisionFinder {
    let storage: any AssignmentStorage

    public init(storage: any AssignmentStorage) { self.storage = storage }

    struct Packed {
        var id: Int
        var low: Int32
        var high: Int32
        var host: Int32
    }

    /// Collisions among live assignments; with `involving`, only pairs where at least one side
    /// passes it (an import checks only what it brought).
    public func collisions(now: Timestamp, involving: ((Int) -> Bool)? = nil) throws -> [Collision] {
        var buckets: [TransportProtocol: [Packed]] = [:]
        var hosts: [String: Int32] = ["*": 0]
        func intern(_ text: String, _ table: inout [String: Int32]) -> Int32 {
            if let index = table[text] { return index }
            let index = Int32(table.count)
            table[text] = index
            return index
        }
        try storage.forEachLiveClaim(now: now) { id, ports, transport, host, _ in
            let packed = Packed(id: id, low: Int32(ports.low), high: Int32(ports.high), host: intern(host, &hosts))
            buckets[transport, default: []].append(packed)
        }

        var candidates: [(Int, Int)] = []
        for transport in TransportProtocol.allCases {
            guard let claims = buckets[transport] else { continue }
            var active: [Packed] = []
            for claim in claims {
                active.removeAll { $0.high < claim.low }
                for other in active
                where claim.host == other.host || claim.host == 0 || other.host == 0 {
                    if let involving, !involving(claim.id) && !involving(other.id) { continue }
                    candidates.append((other.id, claim.id))
                }
                active.append(claim)
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
