import Testing
@testable import PortRegistry
@testable import PortRegistrySearch

@testable import PortRegistry

@Suite struct LookupSuggestionTests {
    // MARK: lookup computes only the suggestions it shows

    @Test func aLookupNotAskedForSuggestionsComputesNone() throws {
        let registry = try Registry.inMemory()
        let lookup = try Lookup(registry: registry)
        let quiet = try lookup(.name("postgresqk"), suggesting: false)
        #expect(!quiet.matched && quiet.suggestions.isEmpty)
        #expect(lookup.suggestions.wordsScored == 0)
        let asked = try lookup(.name("postgresqk"))
        #expect(asked.suggestions.contains("postgresql"))
        #expect(lookup.suggestions.wordsScored == 1)
    }
}
