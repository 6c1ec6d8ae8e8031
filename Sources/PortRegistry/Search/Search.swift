import PortRegistryCatalog
import PortRegistryModel

/// One full-text search hit: a catalog registration (every source's row for it) or an assignment.
package enum SearchHit: Sendable {
    case catalog(Registration)
    case assignment(Assignment)
}

package struct SearchResult: Sendable {
    package var hits: [SearchHit]
    package var suggestions: [String]
}

/// Ranked full-text search: SQLite FTS5 with bm25 over catalog names, aliases, descriptions
/// and notes; a substring match over assignments' services, owners and notes. Names weigh most.
package struct Search {
    package let catalog: CatalogStore
    package let assignments: any AssignmentStorage

    package init(catalog: CatalogStore, assignments: any AssignmentStorage) {
        self.catalog = catalog
        self.assignments = assignments
    }

    /// Every word must match (as a prefix); `limit` caps the hits.
    package func callAsFunction(_ text: String, limit: Int = 20) throws -> SearchResult {
        let words = Search.words(text)
        guard !words.isEmpty else {
            throw RegistryError(.usage, "nothing to search for in '\(text)': give at least one word")
        }
        let expression = words.map { "\"\($0)\"*" }.joined(separator: " ")
        // The best `limit` hits only: a million matching assignments must not all be held.
        var scored = BestHits(limit: limit)
        // One hit per registration, ranked by its best row. A registration has one row per
        // source that lists it, so `limit` times the sources' count rows hold `limit` of them.
        let rows = try catalog.search(
            expression, exactName: text, limit: min(limit, 1 << 30) * CatalogSource.allCases.count)
        let entries = rows.map(\.entry)
        for group in Registration.groups(entries) where scored.admits(rows[group[0]].score) {
            scored.insert(rows[group[0]].score, .catalog(Registration(rows: group.map { entries[$0] })))
        }
        // Assignments are a team's few thousand rows: a scan ranks them well enough and keeps
        // every write free of FTS upkeep. SQLite's lower() folds ASCII only, so the SQL
        // prefilter is used for ASCII words, and Swift's full case folding decides.
        let prefilter = words[0].utf8.allSatisfy { $0 < 0x80 } ? words[0] : nil
        try assignments.forEachContaining(prefilter) { assignment in
            let service = assignment.service.lowercased()
            let owner = assignment.owner.lowercased()
            let note = assignment.note.lowercased()
            var score = 0.0
            for word in words {
                let weight =
                    (service.contains(word) ? 10.0 : 0) + (owner.contains(word) ? 3.0 : 0)
                    + (note.contains(word) ? 1.0 : 0)
                guard weight > 0 else { return }
                score -= weight
            }
            if service == text.lowercased() { score -= 100 }
            if scored.admits(score - 0.001) {
                scored.insert(score - 0.001, .assignment(assignment))
            }
        }
        let hits = scored.sorted()
        let suggestions =
            hits.isEmpty && words.count == 1
            ? try Suggestions(catalog: catalog, assignments: assignments).closest(to: words[0]) : []
        return SearchResult(hits: hits, suggestions: suggestions)
    }

    /// Letters and digits, lowercased: FTS5 syntax characters never reach MATCH.
    package static func words(_ text: String) -> [String] {
        text.lowercased().split { !($0.isLetter || $0.isNumber) }.map(String.init)
    }
}

/// The `limit` lowest-scored hits seen so far, ties to the earlier one: a max-heap on
/// (score, arrival), so memory is bounded by `limit` and each offer costs O(log limit).
struct BestHits {
    private typealias Item = (score: Double, order: Int, hit: SearchHit)
    private let limit: Int
    private var heap: [Item] = []
    private var arrivals = 0

    package init(limit: Int) { self.limit = max(limit, 0) }

    private static func worse(_ a: Item, _ b: Item) -> Bool { (a.score, a.order) > (b.score, b.order) }

    /// Whether a hit with `score`, arriving now, would be kept (a later arrival loses ties).
    func admits(_ score: Double) -> Bool {
        heap.count < limit || (!heap.isEmpty && score < heap[0].score)
    }

    package mutating func insert(_ score: Double, _ hit: SearchHit) {
        let item = (score: score, order: arrivals, hit: hit)
        arrivals += 1
        if heap.count < limit {
            heap.append(item)
            var child = heap.count - 1
            while child > 0 {
                let parent = (child - 1) / 2
                guard Self.worse(heap[child], heap[parent]) else { break }
                heap.swapAt(child, parent)
                child = parent
            }
        } else if limit > 0, !Self.worse(item, heap[0]) {
            heap[0] = item
            var parent = 0
            while true {
                var largest = parent
                for child in [2 * parent + 1, 2 * parent + 2]
                where child < heap.count && Self.worse(heap[child], heap[largest]) {
                    largest = child
                }
                guard largest != parent else { break }
                heap.swapAt(parent, largest)
                parent = largest
            }
        }
    }

    /// The hits kept, best first.
    package func sorted() -> [SearchHit] {
        heap.sorted { ($0.score, $0.order) < ($1.score, $1.order) }.map(\.hit)
    }
}
