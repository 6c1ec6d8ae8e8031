import Foundation
import PortregTestSupport
import Testing

/// How `check` judges and shows what it read: one finding per collision, every location in
/// every format, terminal-safe text, the way out, baseline, config file, stdin, `--live`.
@Suite struct CheckReportTests {
    @discardableResult
    func put(_ cli: CLI, _ name: String, _ text: String) throws -> String {
        let path = cli.path(name)
        try FileManager.default.createDirectory(
            atPath: (path as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
        return try cli.write(name, text)
    }

    /// Service names with U+200F (right-to-left mark) and U+061C (Arabic letter mark) reach
    /// the terminal escaped, in text and github output, as everywhere else (TerminalText).
    @Test func bidiMarksAreEscaped() async throws {
        let cli = try CLI()
        try put(cli, "a/compose.yaml", "services:\n  \"a\u{200F}b\":\n    ports: [\"9911:80\"]\n")
        try put(cli, "b/compose.yaml", "services:\n  \"c\u{061C}d\":\n    ports: [\"9911:80\"]\n")
        for format in ["text", "github"] {
            let result = try await cli.run("check", "--format", format, ".")
            #expect(result.status == 1, "\(result)")
            #expect(!result.stdout.unicodeScalars.contains { $0.value == 0x200F || $0.value == 0x061C }, "\(result)")
            #expect(result.stdout.contains("a\\u{200F}b") && result.stdout.contains("c\\u{61C}d"), "\(result)")
        }
    }
}

extension CheckReportTests {
    /// 3,000 services on one port: one finding naming every location (today's cost grows with
    /// the claims; it was 4.5 million findings).
    @Test func threeThousandServicesOnOnePortAreOneFinding() async throws {
        let cli = try CLI()
        for index in 0..<3_000 {
            try put(cli, "app\(index)/compose.yaml", "services:\n  web\(index):\n    ports: [\"8080:80\"]\n")
        }
        let result = try await cli.run(["check", "--format", "json", "."], timeout: .seconds(60))
        #expect(result.status == 1, "\(result.stderr)")
        let document = try #require(try result.json() as? [String: Any])
        let findings = try #require(document["findings"] as? [[String: Any]])
        #expect(findings.count == 1)
        #expect((findings.first?["locations"] as? [Any])?.count == 3_000)
        #expect(result.stdout.utf8.count < 1_000_000)

        // github: an ::error at every location, each linear in size.
        let github = try await cli.run(["check", "--format", "github", "."], timeout: .seconds(60))
        #expect(github.lines.filter { $0.hasPrefix("::error ") }.count == 3_000)
        #expect(github.stdout.utf8.count < 3_000 * 600)
    }
}
