import Foundation
import PortregTestSupport
import Testing

#if canImport(Glibc)
    import Glibc
#endif

/// `portreg check` end to end, one folder per case under `Tests/CheckCases/<case>/`:
///
/// - the config files of the case (the tree that `check` reads, copied to a fresh folder that
///   becomes the current directory);
/// - `args` (optional): the arguments after `check`, one per line (default `.`);
/// - `environment` (optional): `NAME=VALUE` lines set for the run;
/// - `expected.json`: the exact `--format json` output; `status` (optional, default 0);
/// - `expected.text`, `expected.github`, `expected.sarif` (optional): the exact output in that
///   format, with the same status.
///
/// `PORTREG_UPDATE_CASES=1` rewrites the expected files from the current output (review the diff).
@Suite struct CheckCaseTests {
    static let root = Repository.root + "/Tests/CheckCases"
    static let harnessFiles: Set<String> = [
        "args", "environment", "status", "expected.json", "expected.text", "expected.github", "expected.sarif",
    ]

    static let cases: [String] =
        ((try? FileManager.default.contentsOfDirectory(atPath: root)) ?? []).filter {
            var isDirectory: ObjCBool = false
            return FileManager.default.fileExists(atPath: root + "/" + $0, isDirectory: &isDirectory)
                && isDirectory.boolValue
        }.sorted()

    @Test func casesExist() {
        #expect(Self.cases.count >= 20, "expected the case folders under \(Self.root)")
    }

    @Test(arguments: cases)
    func checkCase(_ name: String) async throws {
        let source = Self.root + "/" + name
        let cli = try CLI()
        try copyTree(from: source, to: cli.directory.path, skipping: Self.harnessFiles)
        var arguments = ["check"]
        if let args = try? String(contentsOfFile: source + "/args", encoding: .utf8) {
            arguments += args.split(separator: "\n", omittingEmptySubsequences: true).map(String.init)
        } else {
            arguments.append(".")
        }
        var environment: [String: String?] = [:]
        if let text = try? String(contentsOfFile: source + "/environment", encoding: .utf8) {
            for line in text.split(separator: "\n") {
                guard let equals = line.firstIndex(of: "=") else { continue }
                environment[String(line[..<equals])] = String(line[line.index(after: equals)...])
            }
        }
        let status =
            (try? String(contentsOfFile: source + "/status", encoding: .utf8)).flatMap {
                Int32($0.trimmingCharacters(in: .whitespacesAndNewlines))
            } ?? 0
        let update = ProcessInfo.processInfo.environment["PORTREG_UPDATE_CASES"] == "1"
        // SARIF names the build ("0.2.0 (d4936b3)"), which changes every commit: expected.sarif
        // holds "VERSION" in its place.
        let version = try await cli.run("--version").stdout.trimmingCharacters(in: .newlines)
        let driver = "\"driver\": {\"name\": \"portreg\", \"version\": "
        for format in ["json", "text", "github", "sarif"] {
            let expectedPath = source + "/expected.\(format)"
            let exists = FileManager.default.fileExists(atPath: expectedPath)
            guard format == "json" || exists else { continue }
            let result = try await cli.run(
                arguments + ["--format", format], environment: environment, timeout: .seconds(60))
            let stdout =
                format == "sarif"
                ? result.stdout.replacingOccurrences(of: driver + "\"\(version)\"", with: driver + "\"VERSION\"")
                : result.stdout
            if update {
                try stdout.write(toFile: expectedPath, atomically: true, encoding: .utf8)
                if format == "json" && result.status != 0 {
                    try "\(result.status)\n".write(toFile: source + "/status", atomically: true, encoding: .utf8)
                }
                continue
            }
            let expected = try String(contentsOfFile: expectedPath, encoding: .utf8)
            #expect(result.status == status, "\(name) --format \(format): exit status\n\(result)")
            #expect(stdout == expected, "\(name) --format \(format): output differs\n\(result)")
            result.expectNoCrashReport()
            if format == "json" {
                // Whatever the case, the document is valid JSON with SPEC's shape.
                let document = try #require(try result.json() as? [String: Any], "\(result)")
                #expect(document["findings"] is [[String: Any]])
                #expect(document["summary"] is [String: Any])
            }
        }
    }

    /// Copies the case's tree; links are recreated as links, so that cases can hold them.
    func copyTree(from source: String, to destination: String, skipping: Set<String>) throws {
        let manager = FileManager.default
        for name in try manager.contentsOfDirectory(atPath: source) where !skipping.contains(name) {
            try manager.copyItem(atPath: source + "/" + name, toPath: destination + "/" + name)
        }
    }
}
