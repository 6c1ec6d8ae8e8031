/// One full-text search hit: a catalog registration (every source's row for it) or an assignment.
public enum SearchHit: Sendable {
    case catalog(Registration)
    case assignment(Assignment)
}

public struct SearchResult: Sendable {
    public var hits: [SearchHit]
    public var suggestions: [String]
}

/// Ranked full-text search: SQLite FTS5 with bm25 over catalog names, aliases, descriptions
/// and notes; a substring match over assignments' services, owners and notes. Names weigh most.
public struct Search {
    let catalog: CatalogStore
    let assignments: any AssignmentStorage

    init(catalog: CatalogStore, assignments: any AssignmentStorage) {
        self.catalog = catalog
        self.assignments = assignments
    }

    /// Every word must match (as a prefix); `limit` caps the hits.
    public func callAsFunction(_ text: String, limit: Int = 20) throws -> SearchResult {
        let words = Search.words(text)
        guard !words.isEmpty else {
            throw RegistryError(.usage, "nothing to search for in '\(text)': give at least one word")
        }
        let expression = words.map { "\"\($0)\"*" }.joined(separator: " ")
        var scored: [(score: Double, order: Int, hit: SearchHit)] = []
        // One hit per registration, ranked by its best row. A registration has one row per
        // source that lists it, so `limit` times the sources' count rows hold `limit` of them.
        let rows = try catalog.search(
            expression, exactName: text, limit: min(limit, 1 << 30) * CatalogSource.allCases.count)
        let entries = rows.map(\.entry)
        for group in Registration.groups(entries) {
            let registration = Registration(rows: group.map { entries[$0] })
            scored.append((rows[group[0]].score, scored.count, .catalog(registration)))
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
            scored.append((score - 0.001, scored.count, .assignment(assignment)))
        }
        let hits = scored.sorted { ($0.score, $0.order) < ($1.score, $1.order) }.prefix(limit).map(\.hit)
        let suggestions =
            hits.isEmpty && words.count == 1
            ? try Suggestions(catalog: catalog, assignments: assignments).closest(to: words[0]) : []
        return SearchResult(hits: hits, suggestions: suggestions)
    }

    /// Letters and digits, lowercased: FTS5 syntax characters never reach MATCH.
    static func words(_ text: String) -> [String] {
        text.lowercased().split { !($0.isLetter || $0.isNumber) }.map(String.init)
    }
}
