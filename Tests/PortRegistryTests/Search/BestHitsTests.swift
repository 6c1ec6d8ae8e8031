import Testing
@testable import PortRegistryModel
@testable import PortRegistrySearch

@testable import PortRegistry

/// search keeps the best `limit` hits in a bounded heap instead of sorting every match.
@Suite struct BestHitsTests {
    // MARK: search keeps only the best hits

    @Test func bestHitsKeepsTheLowestScoresAndTheEarliestOfTies() {
        var random = SplitMix64(seed: 9)
        for limit in [0, 1, 3, 20, 500] {
            var best = BestHits(limit: limit)
            var all: [(Double, Int)] = []
            for order in 0..<400 {
                let score = Double(Int.random(in: 0..<30, using: &random))
                all.append((score, order))
                if best.admits(score) {
                    best.insert(
                        score,
                        .catalog(
                            Registration(rows: [
                                CatalogEntry(source: .common, service: "s\(order)", ports: nil, transport: nil)
                            ]))
                    )
                }
            }
            let expected = all.sorted { $0 < $1 }.prefix(limit).map { "s\($0.1)" }
            let kept = best.sorted().map { hit -> String in
                if case .catalog(let entry) = hit { return entry.service ?? "" }
                return ""
            }
            #expect(kept == Array(expected), "limit \(limit)")
        }
    }
}
