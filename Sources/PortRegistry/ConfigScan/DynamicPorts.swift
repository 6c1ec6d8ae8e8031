import PortRegistryModel

/// The ports that dynamic claims (`8000-8010:80`, one free port of the range per container)
/// have taken so far, for `ConfigCheck.exhaustedRanges`: where the next free port of a claim
/// is, found in near-constant time, never by stepping through the ports of a range.
///
/// Whether two claims compete for a port depends only on their bind address, host, and (for
/// claims that have a variant or profiles) project, variant and profiles: claims alike in
/// these are one class. Each class keeps a "next untaken port" forest (union-find with path
/// compression) over the ports its rivals took; a port taken updates the forest of each class
/// that competes with the taker. Cost: O(claims × rival classes), classes being few in any
/// real tree (a class per bind address only competes with its own address and the wildcards;
/// left open: thousands of wildcard classes made of distinct profile sets of one project).
struct DynamicPorts {
    private struct Competition: Hashable {
        var bind: BindAddress
        var host: HostScope
        var project: String?
        var variant: String?
        var profiles: [String]
    }

    private let classOf: [Int]
    /// Per class, the classes whose claims compete with its claims.
    private let rivals: [[Int]]
    private let rivalSets: [Set<Int>]
    /// Per class, taken port → a port at or after it that may be untaken.
    private var next: [[Int: Int]]
    private var held: [Int: [Int]] = [:]

    init(_ claims: [PublishedPort]) {
        var classes: [Competition: Int] = [:]
        var representatives: [PublishedPort] = []
        var classOf: [Int] = []
        for claim in claims {
            let makesAlternatives = claim.variant != nil || !claim.profiles.isEmpty
            let key = Competition(
                bind: claim.bind, host: claim.host, project: makesAlternatives ? claim.project : nil,
                variant: makesAlternatives ? claim.variant : nil,
                profiles: makesAlternatives ? claim.profiles.sorted() : [])
            if let known = classes[key] {
                classOf.append(known)
            } else {
                classes[key] = representatives.count
                classOf.append(representatives.count)
                representatives.append(claim)
            }
        }
        // A specific address overlaps only itself and the wildcards: only a wildcard class
        // is compared with every class (a tree of 10,000 addresses is not 10^8 pairs).
        var byAddress: [BindAddress: [Int]] = [:]
        var wildcards: [Int] = []
        for (index, claim) in representatives.enumerated() {
            if claim.bind.isWildcard {
                wildcards.append(index)
            } else {
                byAddress[claim.bind, default: []].append(index)
            }
        }
        var rivals = Array(repeating: [Int](), count: representatives.count)
        for (a, left) in representatives.enumerated() {
            let candidates =
                left.bind.isWildcard ? Array(representatives.indices) : (byAddress[left.bind] ?? []) + wildcards
            for b in candidates.sorted() {
                let right = representatives[b]
                if left.bind.overlaps(right.bind) && left.host.overlaps(right.host)
                    && !ConfigCheck.areAlternatives(left, right)
                {
                    rivals[a].append(b)
                }
            }
        }
        self.classOf = classOf
        self.rivals = rivals
        rivalSets = rivals.map(Set.init)
        next = Array(repeating: [:], count: representatives.count)
    }

    /// True when claims `a` and `b` cannot both hold one port.
    func compete(_ a: Int, _ b: Int) -> Bool { rivalSets[classOf[a]].contains(classOf[b]) }

    /// The first port at or after `port` that no rival of `claim` holds.
    mutating func firstUntaken(_ port: Int, by claim: Int) -> Int {
        let group = classOf[claim]
        var root = port
        while let after = next[group][root] { root = after }
        var step = port
        while let after = next[group][step], after != root {
            next[group][step] = root
            step = after
        }
        return root
    }

    /// `claim` binds `port`.
    mutating func take(_ port: Int, by claim: Int) {
        for group in rivals[classOf[claim]] { next[group][port] = port + 1 }
        held[port, default: []].append(claim)
    }

    /// The claims holding `port`.
    func holders(of port: Int) -> [Int] { held[port] ?? [] }
}

extension Array where Element == PortRange {
    /// In sorted disjoint spans, the index of the first that ends at or after `port`.
    func firstEnding(atOrAfter port: Int) -> Int {
        var low = 0
        var high = count
        while low < high {
            let middle = (low + high) / 2
            if self[middle].high < port { low = middle + 1 } else { high = middle }
        }
        return low
    }
}
