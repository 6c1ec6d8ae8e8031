import Foundation
import Testing

/// `check --format github`: GitHub shows at most 10 error and 10 warning annotations a step,
/// so one annotation per finding at its primary location, errors first, and the whole report
/// (every finding, every location) as Markdown in `$GITHUB_STEP_SUMMARY` (SPEC, "Formats").
@Suite struct CheckGitHubFormatTests {
    /// 15 collisions, two services each, and a warning in a file that sorts before them all:
    /// 15 `::error` lines (not 30), each at the collision's first location, before the
    /// `::warning`; the summary names all 30 locations.
    @Test func fifteenCollisionsAreFifteenAnnotationsAndOneSummary() async throws {
        let cli = try CLI()
        for index in 0..<15 {
            let port = 9_740 + index
            try cli.write("a\(index)/compose.yaml", "services:\n  left\(index):\n    ports: [\"\(port):80\"]\n")
            try cli.write("b\(index)/compose.yaml", "services:\n  right\(index):\n    ports: [\"\(port):80\"]\n")
        }
        // 5432 is registered to postgresql in the catalog: a warning, in the first file.
        try cli.write("0/compose.yaml", "services:\n  cache:\n    ports: [\"5432:6379\"]\n")
        let summary = cli.path("summary.md")
        try "earlier step\n".write(toFile: summary, atomically: true, encoding: .utf8)

        let result = try await cli.run(
            ["check", "--format", "github", "."], environment: ["GITHUB_STEP_SUMMARY": summary])
        #expect(result.status == 1, "\(result)")
        let annotations = result.lines.filter { $0.hasPrefix("::") }
        let errors = annotations.filter { $0.hasPrefix("::error ") }
        #expect(errors.count == 15, "\(result.stdout)")
        #expect(annotations.filter { $0.hasPrefix("::warning ") }.count >= 1, "\(result.stdout)")
        let firstWarning = try #require(annotations.firstIndex { $0.hasPrefix("::warning ") })
        #expect(
            annotations.prefix(firstWarning).allSatisfy { $0.hasPrefix("::error ") }, "errors first: \(annotations)")
        for index in 0..<15 {
            #expect(
                errors.contains {
                    $0.hasPrefix("::error file=a\(index)/compose.yaml,line=3,")
                        && $0.contains("b\(index)/compose.yaml:3")
                },
                "collision \(index): \(errors)")
            #expect(
                !errors.contains { $0.hasPrefix("::error file=b\(index)/compose.yaml") }, "one annotation per finding")
        }

        let markdown = try String(contentsOfFile: summary, encoding: .utf8)
        #expect(markdown.hasPrefix("earlier step\n## portreg check\n"), "appended: \(markdown)")
        for index in 0..<15 {
            #expect(markdown.contains("- a\(index)/compose.yaml:3: left\(index)"), "\(markdown)")
            #expect(markdown.contains("- b\(index)/compose.yaml:3: right\(index)"), "\(markdown)")
        }
        #expect(markdown.contains("0/compose.yaml:3"), "the warning too: \(markdown)")
        #expect(markdown.contains("33 files") || markdown.contains("31 files"), "\(markdown)")
        let errorItems = markdown.split(separator: "\n").filter { $0.contains("**error**") }
        #expect(errorItems.count == 15, "\(markdown)")
    }

    /// Without `GITHUB_STEP_SUMMARY` nothing but the annotations is written; with it set to a
    /// path that cannot be opened, exit 74 naming the variable and the path.
    @Test func summaryPathThatCannotBeOpenedIsAnIOError() async throws {
        let cli = try CLI()
        try cli.write("a/compose.yaml", "services:\n  a:\n    ports: [\"9761:80\"]\n")
        try cli.write("b/compose.yaml", "services:\n  b:\n    ports: [\"9761:80\"]\n")
        let plain = try await cli.run(["check", "--format", "github", "."], environment: ["GITHUB_STEP_SUMMARY": nil])
        #expect(plain.status == 1 && plain.stderr.isEmpty, "\(plain)")
        let missing = cli.path("no/such/folder/summary.md")
        let failed = try await cli.run(
            ["check", "--format", "github", "."], environment: ["GITHUB_STEP_SUMMARY": missing])
        #expect(failed.status == 74, "\(failed)")
        #expect(failed.stderr.contains("GITHUB_STEP_SUMMARY") && failed.stderr.contains("no/such/folder"), "\(failed)")
    }

    /// A file or service name cannot make Markdown: emphasis, links, code, tags and table
    /// pipes arrive as literal text.
    @Test func summaryEscapesMarkdown() async throws {
        let cli = try CLI()
        try cli.write("x_[y](z)/compose.yaml", "services:\n  \"*a*<b>\":\n    ports: [\"9762:80\"]\n")
        try cli.write("w`|/compose.yaml", "services:\n  b:\n    ports: [\"9762:80\"]\n")
        let summary = cli.path("summary.md")
        let result = try await cli.run(
            ["check", "--format", "github", "."], environment: ["GITHUB_STEP_SUMMARY": summary])
        #expect(result.status == 1, "\(result)")
        let markdown = try String(contentsOfFile: summary, encoding: .utf8)
        #expect(markdown.contains(#"x\_\[y\]\(z\)/compose.yaml:3"#), "\(markdown)")
        #expect(markdown.contains(#"\*a\*\<b\>"#), "\(markdown)")
        #expect(markdown.contains(#"w\`\|/compose.yaml:3"#), "\(markdown)")
        #expect(!markdown.contains("<b>"), "\(markdown)")
    }
}
