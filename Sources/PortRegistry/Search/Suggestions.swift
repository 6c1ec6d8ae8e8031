import PortRegistryCatalog
import PortRegistryModel

/// "Did you mean postgresql?": the known names closest to a misspelt one.
///
/// A class so that one instance can serve many lookups: the names are read once, and each
/// misspelling is worked out once (`lookup -` with thousands of queries stays fast).
package final class Suggestions {
    package let catalog: CatalogStore
    package let assignments: any AssignmentStorage
    private var names: [(bytes: [UInt8], name: String)]?
    private var answers: [String: [String]] = [:]
    /// How many words were scored against every name (for tests: misses that are not shown
    /// must not be scored).
    private(set) var wordsScored = 0

    package init(catalog: CatalogStore, assignments: any AssignmentStorage) {
        self.catalog = catalog
        self.assignments = assignments
    }

    /// Up to `limit` names within an edit distance of about a third of the word's length.
    func closest(to word: String, limit: Int = 3) throws -> [String] {
        let key = word.lowercased()
        if let known = answers[key] { return Array(known.prefix(limit)) }
        let target = Array(key.utf8)
        guard target.count >= 2 else { return [] }
        if names == nil {
            names = Set(try catalog.names() + assignments.serviceNames()).map { name in
                (Array(name.lowercased().utf8), name)
            }
        }
        wordsScored += 1
        let budget = max(1, min(3, target.count / 3))
        var candidates: [(distance: Int, name: String)] = []
        for (bytes, name) in names! where abs(bytes.count - target.count) <= budget {
            let distance = Suggestions.editDistance(target, bytes, limit: budget)
            if distance <= budget { candidates.append((distance, name)) }
        }
        var seen = Set<String>()
        let found = candidates.sorted { ($0.distance, $0.name) < ($1.distance, $1.name) }
            .map(\.name).filter { seen.insert($0.lowercased()).inserted }
        answers[key] = Array(found.prefix(10))
        return Array(found.prefix(limit))
    }

    /// Damerau–Levenshtein (optimal string alignment) distance, giving up past `limit`.
    static func editDistance(_ a: [UInt8], _ b: [UInt8], limit: Int) -> Int {
        if a == b { return 0 }
        var previousPrevious = [Int](repeating: 0, count: b.count + 1)
        var previous = Array(0...b.count)
        var current = [Int](repeating: 0, count: b.count + 1)
        for i in 1...max(a.count, 1) where !a.isEmpty {
            current[0] = i
            var rowMinimum = i
            for j in 1...max(b.count, 1) where !b.isEmpty {
                let cost = a[i - 1] == b[j - 1] ? 0 : 1
                var value = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + cost)
                if i > 1, j > 1, a[i - 1] == b[j - 2], a[i - 2] == b[j - 1] {
                    value = min(value, previousPrevious[j - 2] + 1)
                }
                current[j] = value
                rowMinimum = min(rowMinimum, value)
            }
            if rowMinimum > limit { return limit + 1 }
            (previousPrevious, previous, current) = (previous, current, previousPrevious)
        }
        return a.isEmpty ? b.count : (b.isEmpty ? a.count : previous[b.count])
    }
}
