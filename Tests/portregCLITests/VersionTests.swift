import Foundation
import PortregTestSupport
import Testing

/// `portreg --version` names the release and the commit built (issue 14): the same string in
/// SARIF's tool.driver.version and in `doctor`; the commit is read from .git by the
/// BuildCommit tool, without git, and is "unknown commit" outside git.
@Suite struct VersionTests {

    /// `git rev-parse HEAD` of this checkout, abbreviated to 7, when git and a .git are here.
    static func checkoutCommit(_ cli: CLI) async throws -> String? {
        let git = try await cli.run(
            ["rev-parse"], via: ["/usr/bin/env", "git", "-C", Repository.root, "rev-parse", "HEAD"])
        guard git.status == 0 else { return nil }
        return String(git.stdout.trimmingCharacters(in: .whitespacesAndNewlines).prefix(7))
    }

    @Test func versionNamesTheReleaseAndTheCommitBuilt() async throws {
        let cli = try CLI()
        let result = try await cli.run("--version")
        result.expect(status: 0)
        let version = result.stdout.trimmingCharacters(in: .newlines)
        #expect(version.wholeMatch(of: /0\.3\.0 \(([0-9a-f]{7}|unknown commit)\)/) != nil, "\(result)")
        if let commit = try await Self.checkoutCommit(cli) {
            #expect(version == "0.3.0 (\(commit))", "built from \(commit): \(result)")
        }
    }

    @Test func sarifAndDoctorCarryTheSameVersion() async throws {
        let cli = try CLI()
        let version = try await cli.run("--version").stdout.trimmingCharacters(in: .newlines)
        try cli.write("a/compose.yaml", "services:\n  a:\n    ports: [\"8080:80\"]\n")
        let sarif = try await cli.run("check", "--format", "sarif", "a")
        sarif.expect(status: 0)
        let log = try #require(try sarif.json() as? [String: Any])
        let runs = try #require(log["runs"] as? [[String: Any]])
        let driver = try #require((runs.first?["tool"] as? [String: Any])?["driver"] as? [String: Any])
        #expect(driver["version"] as? String == version, "\(sarif)")

        let doctor = try await cli.run("doctor", "--format", "json")
        doctor.expect(status: 0)
        let report = try #require(try doctor.json() as? [String: Any])
        #expect(report["portreg_version"] as? String == version, "\(doctor)")
        try await cli.run("doctor").expect(status: 0, stdout: ["portreg_version", version])
    }

    // MARK: the BuildCommit tool on the git layouts it must read

    static let commit = "d4936b3c0ffee00000000000000000000000000a"

    /// Runs the BuildCommit tool built beside portreg and returns the name it generated.
    func generated(_ cli: CLI, _ arguments: [String], into path: String? = nil) async throws -> String {
        let binary = try #require(PortregBinary.path)
        let tool = URL(fileURLWithPath: binary).deletingLastPathComponent().appendingPathComponent("BuildCommit").path
        let output = path ?? cli.path("BuildCommit-\(UUID().uuidString).swift")
        let result = try await cli.run(["BuildCommit"], via: [tool, output] + arguments)
        result.expect(status: 0)
        let source = try String(contentsOfFile: output, encoding: .utf8)
        let match = try #require(source.firstMatch(of: /static let description = "([^"]*)"/), "\(source)")
        return String(match.1)
    }

    @Test func toolReadsBranchDetachedPackedAndWorktreeHeads() async throws {
        let cli = try CLI()
        // A clone on a branch whose ref is a loose file.
        try cli.write("clone/.git/HEAD", "ref: refs/heads/main\n")
        try cli.write("clone/.git/refs/heads/main", Self.commit + "\n")
        let clone = cli.path("clone/.git")
        #expect(try await generated(cli, [clone, clone]) == "d4936b3")
        // Detached HEAD.
        try cli.write("detached/.git/HEAD", "0123456789abcdef0123456789abcdef01234567\n")
        let detached = cli.path("detached/.git")
        #expect(try await generated(cli, [detached, detached]) == "0123456")
        // After `git pack-refs --all`: no loose file, the ref in packed-refs (peeled lines skipped).
        try cli.write("packed/.git/HEAD", "ref: refs/heads/release/0.2\n")
        try cli.write(
            "packed/.git/packed-refs",
            "# pack-refs with: peeled fully-peeled sorted \n"
                + "1111111111111111111111111111111111111111 refs/heads/other\n"
                + Self.commit + " refs/heads/release/0.2\n^2222222222222222222222222222222222222222\n")
        let packed = cli.path("packed/.git")
        #expect(try await generated(cli, [packed, packed]) == "d4936b3")
        // A worktree: its own HEAD, the branch's ref in the shared folder.
        try cli.write("main/.git/worktrees/wt/HEAD", "ref: refs/heads/feature\n")
        try cli.write("main/.git/refs/heads/feature", "abcdef0123456789abcdef0123456789abcdef01\n")
        #expect(
            try await generated(cli, [cli.path("main/.git/worktrees/wt"), cli.path("main/.git")]) == "abcdef0")
    }

    @Test func toolSaysUnknownCommitOutsideGitOrOnAnUnbornBranch() async throws {
        let cli = try CLI()
        #expect(try await generated(cli, []) == "unknown commit")
        // `git init` with no commit yet: HEAD names a branch that has no ref.
        try cli.write("fresh/.git/HEAD", "ref: refs/heads/main\n")
        let fresh = cli.path("fresh/.git")
        #expect(try await generated(cli, [fresh, fresh]) == "unknown commit")
        // A ref file that is not an object name is not trusted.
        try cli.write("odd/.git/HEAD", "ref: refs/heads/main\n")
        try cli.write("odd/.git/refs/heads/main", "\"; exit(1) //\n")
        let odd = cli.path("odd/.git")
        #expect(try await generated(cli, [odd, odd]) == "unknown commit")
    }

    /// Debug, release and plugin builds share the output: a rewrite of the same text would
    /// make the other configuration recompile the executable, so the file is left alone.
    @Test func toolRewritesItsOutputOnlyWhenTheCommitChanges() async throws {
        let cli = try CLI()
        try cli.write("repo/.git/HEAD", "0123456789abcdef0123456789abcdef01234567\n")
        let git = cli.path("repo/.git")
        let output = cli.path("BuildCommit.swift")
        #expect(try await generated(cli, [git, git], into: output) == "0123456")
        let old = Date(timeIntervalSince1970: 1_000_000_000)
        try FileManager.default.setAttributes([.modificationDate: old], ofItemAtPath: output)
        #expect(try await generated(cli, [git, git], into: output) == "0123456")
        let kept = try FileManager.default.attributesOfItem(atPath: output)[.modificationDate] as? Date
        #expect(kept == old, "an unchanged name must not touch the file")
        try cli.write("repo/.git/HEAD", "fedcba9876543210fedcba9876543210fedcba98\n")
        #expect(try await generated(cli, [git, git], into: output) == "fedcba9")
    }
}
