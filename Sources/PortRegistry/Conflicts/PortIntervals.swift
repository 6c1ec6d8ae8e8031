import PortRegistryModel

/// A static interval tree over port ranges: which stored ranges overlap a query range, in
/// O(log n + k) for k answers, whatever the ranges' lengths. Nothing is stored per port, so
/// a catalog row covering 1-65535 costs what a single port does.
///
/// The intervals are sorted by their low end, and each midpoint of the implicit balanced
/// tree over that array knows the highest high end below it, which prunes the walk.
struct PortIntervals {
    struct Interval {
        var low: Int
        var high: Int
        /// The caller's key, such as the row's position in the catalog order.
        var value: Int
    }

    private let items: [Interval]
    private var maxHigh: [Int]

    package init(_ intervals: [Interval]) {
        // Reversed ranges (rows written behind the schema's back) overlap nothing.
        items = intervals.filter { $0.low <= $0.high }.sorted { ($0.low, $0.value) < ($1.low, $1.value) }
        maxHigh = [Int](repeating: Int.min, count: items.count)
        _ = build(0, items.count)
    }

    private mutating func build(_ lower: Int, _ upper: Int) -> Int {
        guard lower < upper else { return Int.min }
        let middle = (lower + upper) / 2
        let highest = max(items[middle].high, build(lower, middle), build(middle + 1, upper))
        maxHigh[middle] = highest
        return highest
    }

    package var isEmpty: Bool { items.isEmpty }

    /// Calls `body` with every interval that shares a port with `low...high`.
    func forEachOverlapping(_ low: Int, _ high: Int, _ body: (Interval) -> Void) {
        func visit(_ lower: Int, _ upper: Int) {
            guard lower < upper else { return }
            let middle = (lower + upper) / 2
            guard maxHigh[middle] >= low else { return }
            visit(lower, middle)
            let item = items[middle]
            guard item.low <= high else { return }  // everything to the right starts later still
            if item.high >= low { body(item) }
            visit(middle + 1, upper)
        }
        visit(0, items.count)
    }

    package func overlapping(_ low: Int, _ high: Int) -> [Interval] {
        var found: [Interval] = []
        forEachOverlapping(low, high) { found.append($0) }
        return found
    }

    /// The union of `ranges` as sorted, disjoint, non-adjacent closed ranges: `PortRange.union`,
    /// the one interval union, on these pairs.
    package static func union(_ ranges: [(low: Int, high: Int)]) -> [(low: Int, high: Int)] {
        PortRange.union(ranges.map { PortRange(uncheckedLow: $0.low, high: $0.high) }).map { ($0.low, $0.high) }
    }

    /// `ranges` minus `removed`, both sorted and disjoint (as `union` returns them).
    static func subtract(_ ranges: [(low: Int, high: Int)], _ removed: [(low: Int, high: Int)])
        -> [(low: Int, high: Int)]
    {
        var result: [(low: Int, high: Int)] = []
        var index = 0
        for range in ranges {
            var low = range.low
            while index < removed.count && removed[index].high < low { index += 1 }
            var cursor = index
            while low <= range.high {
                guard cursor < removed.count, removed[cursor].low <= range.high else {
                    result.append((low, range.high))
                    break
                }
                if removed[cursor].low > low { result.append((low, removed[cursor].low - 1)) }
                low = max(low, removed[cursor].high + 1)
                cursor += 1
            }
        }
        return result
    }
}
