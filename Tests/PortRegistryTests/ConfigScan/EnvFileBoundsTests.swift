import Testing
@testable import PortRegistryConfigScan
@testable import PortRegistryModel

/// Issue 19, "Hangs": a 428-byte `.env` whose every line doubles the previous value expanded
/// to gigabytes. Values have fixed bounds; past them the file stops there with a problem
/// naming the line (reported as a `parse` error), and interpolation refuses to grow a text
/// past the value bound.
@Suite struct EnvFileBoundsTests {
    /// `V0=xx`, `V1=$V0$V0`, … (about 428 bytes with 60 lines).
    static let doubling: String = {
        var lines = ["V0=xx"]
        for index in 1..<60 { lines.append("V\(index)=$V\(index - 1)$V\(index - 1)") }
        return lines.joined(separator: "\n") + "\n"
    }()

    @Test func doublingValuesStopAtTheBound() throws {
        let file = EnvFile(text: Self.doubling)
        let problem = try #require(file.problem)
        // V15 is 2^16 = 64 KiB: the first value past the bound is V16, on line 17.
        #expect(problem.line == 17)
        #expect(problem.message.contains("64 KiB"))
        #expect(file.entries.count == 16)
        #expect(file.entries.allSatisfy { $0.value.utf8.count <= EnvFile.valueLimit })
    }

    @Test func totalBound() throws {
        let big = String(repeating: "x", count: 60 << 10)
        let text = (0..<40).map { "K\($0)=\(big)" }.joined(separator: "\n")
        let file = EnvFile(text: text)
        let problem = try #require(file.problem)
        #expect(problem.message.contains("1 MiB"))
        #expect(file.entries.reduce(0) { $0 + $1.value.utf8.count } <= EnvFile.totalLimit)
    }

    @Test func ordinaryFilesHaveNoProblem() {
        #expect(EnvFile(text: "A=1\nB=${A}${A}\n").problem == nil)
    }

    @Test func interpolationRefusesToGrowPastTheBound() {
        let value = String(repeating: "y", count: 40 << 10)
        let interpolation = ComposeInterpolation(variables: ["A": value])
        #expect(throws: ComposeInterpolation.InvalidTemplate.self) { try interpolation.interpolate("${A}${A}") }
        #expect(throws: ComposeInterpolation.InvalidTemplate.self) { try interpolation.interpolate("$A:${X:-$A}") }
        #expect((try? interpolation.interpolate("${A}"))?.text == value)
    }

    @Test func aFilePastTheBoundIsAParseFinding() throws {
        let text = "PORT=8080\n" + Self.doubling
        #expect(StandaloneEnv.ports(path: "app/.env", text: text).ports.map(\.ports.low) == [8080])
        let finding = try #require(EnvFile.boundFinding(path: "app/.env", text: text))
        #expect(finding.kind == .parse && finding.severity == .error)
        #expect(finding.places.first?.location == SourceLocation(file: "app/.env", line: 18))
        #expect(EnvFile.boundFinding(path: "app/.env", text: "PORT=1\n") == nil)
    }
}
