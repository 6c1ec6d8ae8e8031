import Foundation
import PortregTestSupport
import Testing

#if canImport(Glibc)
    import Glibc
#endif

/// How `check` judges and shows what it read: one finding per collision, every location in
/// every format, terminal-safe text, the way out, baseline, config file, stdin, `--live`.
@Suite struct CheckReportTests {
    /// Service names with U+200F (right-to-left mark) and U+061C (Arabic letter mark) reach
    /// the terminal escaped, in text and github output, as everywhere else (TerminalText).
    @Test func bidiMarksAreEscaped() async throws {
        let cli = try CLI()
        try cli.write("a/compose.yaml", "services:\n  \"a\u{200F}b\":\n    ports: [\"9911:80\"]\n")
        try cli.write("b/compose.yaml", "services:\n  \"c\u{061C}d\":\n    ports: [\"9911:80\"]\n")
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
            try cli.write("app\(index)/compose.yaml", "services:\n  web\(index):\n    ports: [\"8080:80\"]\n")
        }
        let result = try await cli.run(["check", "--format", "json", "."], timeout: .seconds(60))
        #expect(result.status == 1, "\(result.stderr)")
        let document = try #require(try result.json() as? [String: Any])
        let findings = try #require(document["findings"] as? [[String: Any]])
        #expect(findings.count == 1)
        #expect((findings.first?["locations"] as? [Any])?.count == 3_000)
        #expect(result.stdout.utf8.count < 1_000_000)

        // github: one ::error for the one finding (GitHub shows 10 a step); every location in
        // the step summary, linear in size (CheckGitHubFormatTests).
        let summary = cli.path("summary.md")
        let github = try await cli.run(
            ["check", "--format", "github", "."], environment: ["GITHUB_STEP_SUMMARY": summary],
            timeout: .seconds(60))
        #expect(github.lines.filter { $0.hasPrefix("::error ") }.count == 1)
        let markdown = try String(contentsOfFile: summary, encoding: .utf8)
        #expect(markdown.split(separator: "\n").filter { $0.hasPrefix("    - ") }.count == 3_000)
        #expect(markdown.utf8.count < 3_000 * 100)
    }
}

extension CheckReportTests {
    /// `--write-baseline` records the error findings; `--baseline` reports only new ones,
    /// counts the known and the stale, and survives edits that move lines.
    @Test func baselineReportsOnlyNewFindings() async throws {
        let cli = try CLI()
        try cli.write("a/compose.yaml", "services:\n  a:\n    ports: [\"9921:80\", \"9922:80\"]\n")
        try cli.write("b/compose.yaml", "services:\n  b:\n    ports: [\"9921:80\", \"9922:80\"]\n")
        let written = try await cli.run("check", "--write-baseline", "known.txt", ".")
        written.expect(status: 0, stderr: ["wrote 2 known findings to known.txt"])
        let file = try String(contentsOfFile: cli.path("known.txt"), encoding: .utf8)
        #expect(
            file.split(separator: "\n").dropFirst() == [
                "collision tcp 9921 compose:a/a compose:b/b", "collision tcp 9922 compose:a/a compose:b/b",
            ],
            "\(file)")

        // Lines move (a comment on top), nothing new: exit 0, both known.
        try cli.write("a/compose.yaml", "# moved\nservices:\n  a:\n    ports: [\"9921:80\", \"9922:80\"]\n")
        let clean = try await cli.run("check", "--baseline", "known.txt", ".")
        clean.expect(
            status: 0,
            stdout: ["0 errors", "baseline known.txt: 2 known findings not shown, 0 entries no longer match"])

        // One fixed, one new: exit 1 for the new one only, one entry stale.
        try cli.write("b/compose.yaml", "services:\n  b:\n    ports: [\"9921:80\", \"9923:80\"]\n")
        try cli.write("c/compose.yaml", "services:\n  c:\n    ports: [\"9923:80\"]\n")
        let fresh = try await cli.run("check", "--baseline", "known.txt", ".")
        fresh.expect(
            status: 1, stdout: ["9923/tcp", "1 error", "1 known finding not shown, 1 entry no longer matches"])
        #expect(!fresh.stdout.contains("9921/tcp ["), "\(fresh)")
        let json = try await cli.run("check", "--baseline", "known.txt", "--format", "json", ".")
        let document = try #require(try json.json() as? [String: Any])
        let baseline = try #require(document["baseline"] as? [String: Any])
        #expect(baseline["known"] as? Int == 1 && baseline["stale"] as? Int == 1)
    }

    @Test func badBaselineIs65WithItsLine() async throws {
        let cli = try CLI()
        try cli.write("a/compose.yaml", "services:\n  a:\n    ports: [\"9931:80\"]\n")
        try cli.write("known.txt", "# comment\ncollision tcp 9931 a/a b/b\ncollision tcp\n")
        let result = try await cli.run("check", "--baseline", "known.txt", ".")
        result.expectFailure(65, "known.txt:3")
        let missing = try await cli.run("check", "--baseline", "nowhere.txt", ".")
        missing.expectFailure(66, "nowhere.txt")
    }
}

extension CheckReportTests {
    /// `.portreg.yaml` maps path globs to hosts: stacks of different hosts never collide, a
    /// path no glob matches is on every host; its other settings apply unless the command
    /// line says otherwise.
    @Test func configFileMapsPathsToHosts() async throws {
        let cli = try CLI()
        try cli.write(
            ".portreg.yaml",
            "hosts:\n  nas: [\"media/**\", \"dns\"]\n  vps: [\"proxy/**\"]\nexclude: [\"legacy/*\"]\n")
        try cli.write("media/jellyfin/compose.yaml", "services:\n  jellyfin:\n    ports: [\"9941:80\"]\n")
        try cli.write("proxy/caddy/compose.yaml", "services:\n  caddy:\n    ports: [\"9941:80\", \"9942:80\"]\n")
        try cli.write("dns/compose.yaml", "services:\n  dns:\n    ports: [\"9942:80\"]\n")
        try cli.write("legacy/old/compose.yaml", "services:\n  old:\n    ports: [\"9941:80\"]\n")
        let apart = try await cli.run("check", ".")
        apart.expect(status: 0, stdout: ["3 files, 4 ports: 0 errors"], stderr: ["settings from .portreg.yaml"])

        // A stack on every host collides with both; the command line's --exclude wins.
        try cli.write("shared/compose.yaml", "services:\n  shared:\n    ports: [\"9941:80\"]\n")
        let shared = try await cli.run("check", "--exclude", "nothing", ".")
        shared.expect(status: 1, stdout: ["2 errors"])
        #expect(shared.lines.filter { $0.contains("error: ") }.count == 2, "\(shared)")
    }

    @Test(arguments: [
        ("colour: red\n", ".portreg.yaml:1", "unknown setting 'colour'"),
        ("strict: maybe\n", ".portreg.yaml:1", "'strict' must be true or false"),
        ("hosts:\n  nas: [\"a\"]\nnode-port-range: 9-x\n", ".portreg.yaml:3", "invalid node-port-range"),
    ])
    func badConfigIsUsage(_ text: String, _ location: String, _ message: String) async throws {
        let cli = try CLI()
        try cli.write(".portreg.yaml", text)
        let result = try await cli.run("check", ".")
        result.expectFailure(64, location, message)
    }
}

extension CheckReportTests {
    static let rendered = """
        apiVersion: v1
        kind: Service
        metadata:
          name: web
        spec:
          type: NodePort
          ports:
            - port: 80
              nodePort: 30951
        ---
        apiVersion: v1
        kind: Service
        metadata:
          name: api
        spec:
          type: NodePort
          ports:
            - port: 80
              nodePort: 30951

        """

    /// `helm template . | portreg check -`: a Kubernetes stream, named in findings.
    @Test func standardInputIsAManifestStream() async throws {
        let cli = try CLI()
        let result = try await cli.run(["check", "-"], stdin: Self.rendered)
        result.expect(status: 1, stdout: ["<stdin>:9: error: Service web and Service api both publish 30951/tcp"])
        let named = try await cli.run(["check", "--stdin-name", "rendered.yaml", "-"], stdin: Self.rendered)
        named.expect(status: 1, stdout: ["rendered.yaml:9: error:", "rendered.yaml:19: note: api is here"])
        // Capped as a file is: past 10 MiB a parse error, not read.
        let huge = try await cli.run(["check", "-"], stdin: "# " + String(repeating: "x", count: 11 << 20) + "\n")
        huge.expect(status: 65, stdout: ["<stdin>: error: larger than 10 MiB; not read [parse]"])
    }

    /// `--stdin-kind compose`: one Compose file, judged with the tree beside it.
    @Test func standardInputAsCompose() async throws {
        let cli = try CLI()
        try cli.write("app/compose.yaml", "services:\n  app:\n    ports: [\"9952:80\"]\n")
        let compose = "services:\n  piped:\n    ports: [\"9952:80\"]\n"
        let result = try await cli.run(["check", "--stdin-kind", "compose", "app", "-"], stdin: compose)
        result.expect(
            status: 1,
            stdout: [
                "<stdin>:3: error: service piped and service app", "app/compose.yaml:3: note: app is here", "2 files",
            ])
        #expect(!result.stdout.contains("/tmp/portreg-stdin"), "\(result)")
    }
}

extension CheckReportTests {
    /// A TCP listener of this test process on 127.0.0.1, at a port the kernel picks.
    func listener() throws -> (descriptor: Int32, port: Int) {
        let descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        try #require(descriptor >= 0)
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = 0
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { pointer in
                bind(descriptor, pointer, length) == 0 && listen(descriptor, 1) == 0
                    && getsockname(descriptor, pointer, &length) == 0
            }
        }
        try #require(bound)
        return (descriptor, Int(UInt16(bigEndian: address.sin_port)))
    }

    /// `--live`: a published port that a socket here listens on is an `in-use` error naming
    /// the process; without `--live` this machine is not looked at.
    @Test func liveSocketsAreClaims() async throws {
        let cli = try CLI()
        let (descriptor, port) = try listener()
        defer { close(descriptor) }
        try cli.write("db/compose.yaml", "services:\n  db:\n    ports: [\"\(port):5432\"]\n")
        let quiet = try await cli.run("check", "--ephemeral-range", "none", ".")
        quiet.expect(status: 0, stdout: ["0 errors"])
        let live = try await cli.run("check", "--live", "--ephemeral-range", "none", "--format", "json", ".")
        #expect(live.status == 1, "\(live)")
        let document = try #require(try live.json() as? [String: Any])
        let findings = try #require(document["findings"] as? [[String: Any]])
        #expect(findings.map { $0["kind"] as? String } == ["in-use"], "\(live)")
        let message = findings.first?["message"] as? String ?? ""
        #expect(message.contains("\(port)/tcp is in use by ") && message.contains("(pid \(getpid()))"), "\(message)")
    }
}

extension CheckReportTests {
    /// On a terminal the other locations are cut to five and "and N more"; piped, all.
    @Test(
        .enabled(
            if: FileManager.default.isExecutableFile(atPath: "/usr/bin/script"),
            "needs script(1) (util-linux's bsdutils) to give portreg a terminal"))
    func otherLocationsAreCutOnlyOnATerminal() async throws {
        let cli = try CLI()
        for index in 0..<9 {
            try cli.write("app\(index)/compose.yaml", "services:\n  web\(index):\n    ports: [\"9961:80\"]\n")
        }
        let piped = try await cli.run("check", ".")
        #expect(piped.lines.filter { $0.contains(": note: ") }.count == 8, "\(piped)")
        let binary = try #require(PortregBinary.path)
        let command = "'\(binary)' check ."
        let terminal = try await cli.run(["check", "."], via: ["/usr/bin/script", "-qec", command, "/dev/null"])
        #expect(terminal.stdout.components(separatedBy: ": note: ").count - 1 == 5, "\(terminal)")
        #expect(terminal.stdout.contains("and 3 more (every location: --format json)"), "\(terminal)")
    }
}
