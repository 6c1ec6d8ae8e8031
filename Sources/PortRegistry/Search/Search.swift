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
    let database: Database

    public init(registry: Registry) { database = registry.database }

    /// Every word must match (as a prefix); `limit` caps the hits.
    public func callAsFunction(_ text: String, limit: Int = 20) throws -> SearchResult {
        let words = Search.words(text)
        guard !words.isEmpty else {
            throw RegistryError(.usage, "nothing to search for in '\(text)': give at least one word")
        }
        let expression = words.map { "\"\($0)\"*" }.joined(separator: " ")
        var scored: [(score: Double, order: Int, hit: SearchHit)] = []
        var rows: [(score: Double, entry: CatalogEntry)] = []
        try database.cached(
            """
            SELECT \(CatalogStore.columns), bm25(catalog_search, 10.0, 6.0, 1.0, 0.5)
                   - (CASE WHEN e.service = ?2 COLLATE NOCASE THEN 100 ELSE 0 END) AS score
            FROM catalog_search JOIN catalog_entry e ON e.id = catalog_search.rowid
            WHERE catalog_search MATCH ?1
            ORDER BY score, e.id LIMIT ?3
            """
        ).forEachRow([expression, text, min(limit, 1 << 30) * CatalogSource.allCases.count]) { row in
            rows.append((row.double(16), CatalogStore.entry(row)))
        }
        // One hit per registration, ranked by its best row. A registration has one row per
        // source that lists it, so `limit` times the sources' count rows hold `limit` of them.
        let entries = rows.map(\.entry)
        for group in Registration.groups(entries) {
            scored.append((rows[group[0]].score, scored.count, .catalog(Registration(rows: group.map { entries[$0] }))))
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
            let assignment = AssignmentStore.assignment(row)
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
            hits.isEmpty && words.count == 1 ? try Suggestions(database: database).closest(to: words[0]) : []
        return SearchResult(hits: hits, suggestions: suggestions)
    }

    /// Letters and digits, lowercased: FTS5 syntax characters never reach MATCH.
    static func words(_ text: String) -> [String] {
        text.lowercased().split { !($0.isLetter || $0.isNumber) }.map(String.init)
    }
}
