/// The one sweep over the port axis: ranges sorted by their low end, an active set of the
/// ranges that still reach the sweep's position. Time n log n plus what is reported, never
/// per port of a range and never a loop over all pairs.
///
/// `check` uses it for pairs (claims against registry rows, dynamic ranges against fixed
/// claims) and for groups (every maximal set of claims that share a port).
package enum PortSweep {
    /// The active set: ranges that reach the sweep's position, with the lowest end among them
    /// so that nothing is scanned while nothing ends.
    struct Active {
        var entries: [(high: Int, index: Int)] = []
        var lowestHigh = Int.max

        mutating func insert(_ high: Int, _ index: Int) {
            entries.append((high, index))
            lowestHigh = min(lowestHigh, high)
        }

        /// Drops the ranges that end before `port`; true when any did.
        @discardableResult
        mutating func expire(before port: Int) -> Bool {
            guard lowestHigh < port else { return false }
            entries.removeAll { $0.high < port }
            lowestHigh = entries.lazy.map(\.high).min() ?? Int.max
            return true
        }
    }

    /// Each overlapping pair (i, j) of `ranges` once, i before j in sweep order (by low end,
    /// then index).
    package static func overlappingPairs(_ ranges: [PortRange], _ body: (Int, Int) -> Void) {
        let order = ranges.indices.sorted { (ranges[$0].low, $0) < (ranges[$1].low, $1) }
        var active = Active()
        for index in order {
            let range = ranges[index]
            active.expire(before: range.low)
            for entry in active.entries { body(entry.index, index) }
            active.insert(range.high, index)
        }
    }

    /// Pairs (i, j), i from `left` and j from `right`, whose ranges overlap.
    package static func overlappingPairs(_ left: [PortRange], _ right: [PortRange], _ body: (Int, Int) -> Void) {
        guard !left.isEmpty, !right.isEmpty else { return }
        let events = (left.indices.map { (left[$0], 0, $0) } + right.indices.map { (right[$0], 1, $0) }).sorted {
            ($0.0.low, $0.1, $0.2) < ($1.0.low, $1.1, $1.2)
        }
        var active = [Active(), Active()]
        for (range, side, index) in events {
            active[0].expire(before: range.low)
            active[1].expire(before: range.low)
            for entry in active[1 - side].entries {
                if side == 0 { body(index, entry.index) } else { body(entry.index, index) }
            }
            active[side].insert(range.high, index)
        }
    }

    /// Every maximal set of at least two ranges that share a port (the maximal cliques of the
    /// ranges' overlap graph), each with the span all its members share, in port order.
    ///
    /// A set is reported when the sweep is about to drop a range after having added one: the
    /// active set is then maximal. Time n log n plus the sizes of the sets reported; for n
    /// claims of one port that is one set of n.
    static func maximalGroups(_ ranges: [PortRange]) -> [(members: [Int], shared: PortRange)] {
        let order = ranges.indices.sorted { (ranges[$0].low, $0) < (ranges[$1].low, $1) }
        var groups: [(members: [Int], shared: PortRange)] = []
        var active = Active()
        var highestLow = 0
        var grew = false
        func report() {
            guard grew, active.entries.count > 1 else { return }
            groups.append(
                (active.entries.map(\.index), PortRange(uncheckedLow: highestLow, high: active.lowestHigh)))
        }
        for index in order {
            let range = ranges[index]
            if active.lowestHigh < range.low {
                report()
                active.expire(before: range.low)
                grew = false
            }
            active.insert(range.high, index)
            highestLow = range.low
            grew = true
        }
        report()
        return groups
    }
}
