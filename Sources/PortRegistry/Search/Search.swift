/// One full-text search hit: a catalog row or an assignment.
public enum SearchHit: Sendable {
    case catalog(CatalogEntry)
    case assignment(Assignment)
}

public struct SearchResult: Sendable {
    public var hits: [SearchHit]
    public var suggestions: [String]
}

/// Ranked full-text search: SQLite FTS5 with bm25 over catalog names, aliases, descriptions
/// and notes; a substring match over assignments' services, owners and notes. Names weigh most.
public struct Search {
    let database: Database

    public init(registry: Registry) { database = registry.database }

    /// Every word must match (as a prefix); `limit` caps the hits.
    public func callAsFunction(_ text: String, limit: Int = 20) throws -> SearchResult {
        let words = Search.words(text)
        guard !words.isEmpty else {
            throw RegistryError(.usage, "nothing to search for in '\(text)': give at least one word")
        }
        let expression = words.map { "\"\($0)\"*" }.joined(separator: " ")
        // The best `limit` hits only: a million matching assignments must not all be held.
        var scored = BestHits(limit: limit)
        try database.cached(
            """
            SELECT \(CatalogStore.columns), bm25(catalog_search, 10.0, 6.0, 1.0, 0.5)
                   - (CASE WHEN e.service = ?2 COLLATE NOCASE THEN 100 ELSE 0 END) AS score
            FROM catalog_search JOIN catalog_entry e ON e.id = catalog_search.rowid
            WHERE catalog_search MATCH ?1
            ORDER BY score, e.id LIMIT ?3
            """
        ).forEachRow([expression, text, limit]) { row in
            let score = row.double(16)
            if scored.admits(score) { scored.insert(score, .catalog(CatalogStore.entry(row))) }
        }
        // Assignments are a team's few thousand rows: a scan ranks them well enough and keeps
        // every write free of FTS upkeep. SQLite's lower() folds ASCII only, so the SQL
        // prefilter is used for ASCII words, and Swift's full case folding decides.
        let prefilter = words[0].utf8.allSatisfy { $0 < 0x80 } ? words[0] : nil
        try database.cached(
            """
            SELECT \(AssignmentStore.columns) FROM assignment a
            WHERE ?1 IS NULL OR instr(lower(a.service || ' ' || a.owner || ' ' || a.note), ?1) > 0
            """
        ).forEachRow([prefilter]) { row in
            // Scored from the text columns; the Assignment is built only for a hit that is kept.
            let service = row.text(1).lowercased()
            let owner = row.text(7).lowercased()
            let note = row.text(8).lowercased()
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
                scored.insert(score - 0.001, .assignment(AssignmentStore.assignment(row)))
            }
        }
        let hits = scored.sorted()
        let suggestions =
            hits.isEmpty && words.count == 1 ? try Suggestions(database: database).closest(to: words[0]) : []
        return SearchResult(hits: hits, suggestions: suggestions)
    }

    /// Letters and digits, lowercased: FTS5 syntax characters never reach MATCH.
    static func words(_ text: String) -> [String] {
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

    init(limit: Int) { self.limit = max(limit, 0) }

    private static func worse(_ a: Item, _ b: Item) -> Bool { (a.score, a.order) > (b.score, b.order) }

    /// Whether a hit with `score`, arriving now, would be kept (a later arrival loses ties).
    func admits(_ score: Double) -> Bool {
        heap.count < limit || (!heap.isEmpty && score < heap[0].score)
    }

    mutating func insert(_ score: Double, _ hit: SearchHit) {
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
    func sorted() -> [SearchHit] {
        heap.sorted { ($0.score, $0.order) < ($1.score, $1.order) }.map(\.hit)
    }
}
