import PortRegistryCatalog
import PortRegistryModel

/// What one lookup found: catalog rows and the team's assignments.
package struct LookupResult: Sendable {
    package var query: LookupQuery
    package var catalog: [CatalogEntry]
    package var assignments: [Assignment]
    /// Close names when a name matched nothing.
    package var suggestions: [String] = []
    /// Leases of this name that have expired, when a name matched nothing: what to say
    /// instead of "did you mean" the very name asked for.
    package var expired: [Assignment] = []

    /// A named catalog row or an assignment. Reserved and Unassigned rows are shown but do
    /// not count: `lookup 4 || echo free` should say free.
    package var matched: Bool { !assignments.isEmpty || catalog.contains { $0.service != nil } }
}

/// Answers lookups; keeps its prepared statements, so thousands of queries in one process
/// cost a tree walk each.
package struct Lookup {
    package let catalog: CatalogStore
    package let assignments: any AssignmentStorage
    package let now: Timestamp
    package let suggestions: Suggestions

    package init(catalog: CatalogStore, assignments: any AssignmentStorage, now: Timestamp) {
        self.catalog = catalog
        self.assignments = assignments
        self.suggestions = Suggestions(catalog: catalog, assignments: assignments)
        self.now = now
    }

    /// `suggesting: false` skips the "did you mean" search for a name that matched nothing:
    /// a caller that shows suggestions for only the first few misses should not pay for the
    /// rest (10,000 unknown names took 8 s).
    package func callAsFunction(_ query: LookupQuery, suggesting: Bool = true) throws -> LookupResult {
        switch query {
        case .ports(let ports, let transport):
            return LookupResult(
                query: query, catalog: try catalog.entries(overlapping: ports, transport: transport),
                assignments: try assignments.overlapping(ports, transport: transport, now: now))
        case .name(let name):
            var result = LookupResult(
                query: query, catalog: try catalog.entries(named: name),
                assignments: try assignments.named(name, now: now))
            if !result.matched {
                // Every lease, expired ones included, is live at the earliest time.
                result.expired = try assignments.named(name, now: Timestamp(secondsSinceEpoch: 0)).filter {
                    $0.expiresAt != nil
                }
                if suggesting {
                    // The name itself is no suggestion (an expired lease keeps its name known).
                    let asked = name.lowercased()
                    result.suggestions = try suggestions.closest(to: name).filter { $0.lowercased() != asked }
                }
            }
            return result
        }
    }
}
