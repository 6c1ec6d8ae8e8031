import Foundation
import Testing

// Cost cliffs of issue 8. Not benchmarks (those are bench/cliffs.sh): each case took tens of
// seconds and is killed by the watchdog if it does again; it now takes well under a second.
extension HardeningTests {
    /// 10,000 names that match nothing: a suggestion was computed for each while 20 are shown.
    @Test func manyUnmatchedNamesComputeOnlyTheSuggestionsShown() async throws {
        let cli = try CLI()
        let names = (0..<10_000).map { "zq\(String($0, radix: 26))xvk" }
        let result = try await cli.run(
            ["lookup", "-"], stdin: (["postgresqk"] + names).joined(separator: "\n") + "\n", timeout: .seconds(20))
        result.expect(status: 1, stderr: ["postgresqk: no match (did you mean postgresql", "… and 9981 more queries"])
        #expect(result.stderr.split(separator: "\n").count == 21)
    }
}
