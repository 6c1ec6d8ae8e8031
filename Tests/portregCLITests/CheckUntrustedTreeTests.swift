import Foundation
import PortregTestSupport
import Testing

#if canImport(Glibc)
    import Glibc
#endif

/// `check` on a tree that a pull request controls (issue 19, SPEC "An untrusted tree"): every
/// file a tree names is read through one confined reader, so no message of any format carries
/// what lies outside the tree, and no construct costs more than the input's size.
@Suite struct CheckUntrustedTreeTests {
    /// What a runner keeps that a pull request must never see: the checkout token in
    /// `.git/config` and a file outside the checked tree.
    static let token = "AUTHORIZATION: basic c2VjcmV0LXRva2Vu"
    static let outsideSecret = "OUTSIDE_SECRET_VALUE_41"

    /// Every format's output of `check PATH` in `cli`'s folder, stdout and stderr together.
    func everyFormat(_ cli: CLI, _ arguments: [String], environment: [String: String?] = [:]) async throws
        -> [CLIResult]
    {
        var results: [CLIResult] = []
        for format in ["text", "json", "github", "sarif"] {
            results.append(try await cli.run(["check"] + arguments + ["--format", format], environment: environment))
        }
        return results
    }

    func expectNothingOf(
        _ secrets: [String], in results: [CLIResult], sourceLocation: SourceLocation = #_sourceLocation
    ) {
        for result in results {
            for secret in secrets {
                #expect(
                    !result.stdout.contains(secret) && !result.stderr.contains(secret),
                    "a secret reached the output\n\(result)", sourceLocation: sourceLocation)
            }
            result.expectNoCrashReport(sourceLocation: sourceLocation)
        }
    }

    /// The first case: `include` with `env_file: .git/config` and a port that names
    /// the checkout's `extraheader`.
    @Test func anIncludeCannotReadTheCheckoutToken() async throws {
        let cli = try CLI()
        try cli.write(
            "repo/.git/config", "[http \"https://github.com/\"]\n\textraheader = \(Self.token)\n")
        try cli.write(
            "repo/compose.yaml", "include:\n  - path: inc.yaml\n    env_file: .git/config\n")
        try cli.write(
            "repo/inc.yaml",
            "services:\n  web:\n    image: nginx\n    ports:\n      - published: \"${extraheader}\"\n        target: 80\n"
        )
        let results = try await everyFormat(cli, ["repo"])
        expectNothingOf(["basic", "c2VjcmV0", "AUTHORIZATION"], in: results)
        results[0].expect(status: 0, stdout: ["env_file '.git/config' is not read: it is inside a .git folder"])
    }

    /// `env_file: /proc/self/environ` on an include, a project `.env` that is a link to it,
    /// and a link to a file outside the tree: none is read.
    @Test func noLinkOrPathLeadsOutOfTheTree() async throws {
        let cli = try CLI()
        try cli.write("outside/secret.env", "PORT=\(Self.outsideSecret)\nWEB=\(Self.outsideSecret)\n")
        try cli.write(
            "repo/a/compose.yaml",
            "include:\n  - path: inc.yaml\n    env_file: /proc/self/environ\n  - path: ../../outside/secret.env\n")
        try cli.write("repo/a/inc.yaml", "services:\n  web:\n    image: nginx\n    ports: [\"${HOME}:80\"]\n")
        try cli.write("repo/b/compose.yaml", "services:\n  b:\n    image: nginx\n    ports: [\"${WEB}:80\"]\n")
        try #require(symlink(cli.path("outside/secret.env"), cli.path("repo/b/.env")) == 0)
        try cli.write("repo/c/compose.yaml", "services:\n  c:\n    image: nginx\n    ports: [\"${PORT}:80\"]\n")
        try #require(symlink("/proc/self/environ", cli.path("repo/c/.env")) == 0)
        try cli.write(
            "repo/d/compose.yaml",
            "services:\n  d:\n    extends:\n      file: ../../outside/secret.env\n      service: x\n    env_file: /etc/hostname\n"
        )
        try cli.write("repo/e/.env", "COMPOSE_FILE=../../outside/secret.env:compose.yaml\n")
        try cli.write("repo/e/compose.yaml", "services:\n  e:\n    image: nginx\n")
        let results = try await everyFormat(cli, ["repo"], environment: ["PORTREG_PROBE": Self.outsideSecret])
        expectNothingOf([Self.outsideSecret, "PORTREG_PROBE", "PATH="], in: results)
        let text = results[0]
        text.expect(
            status: 0,
            stdout: [
                "env_file '/proc/self/environ' is not read: it is a system folder",
                "include '../../outside/secret.env' is not read: it is outside the checked tree",
                "repo/b/.env:1: warning: not read: a link on the way leads out of the checked tree",
                "repo/c/.env:1: warning: not read: it is a system folder",
                "COMPOSE_FILE entry 'outside/secret.env' is not read: it is outside the checked tree",
                "extends file '../../outside/secret.env' is not read: it is outside the checked tree",
                "env_file '/etc/hostname' is not read: it is outside the checked tree",
            ])
    }

    /// A file outside the tree is refused before the file system is asked: the message is
    /// the same whether it exists or not, so a tree learns nothing of the machine.
    @Test func aPathOutsideTheTreeIsNoExistenceOracle() async throws {
        let cli = try CLI()
        try cli.write("outside/exists.yaml", "services: {}\n")
        try cli.write(
            "repo/compose.yaml",
            "include:\n  - ../outside/exists.yaml\n  - ../outside/missing.yaml\nservices:\n  a:\n    image: x\n")
        let result = try await cli.run("check", "repo")
        result.expect(
            status: 0,
            stdout: [
                "include '../outside/exists.yaml' is not read: it is outside the checked tree",
                "include '../outside/missing.yaml' is not read: it is outside the checked tree",
            ], stdoutLacks: ["does not exist"])
    }

    /// Values from `--env-file` and `--use-env` come from outside the tree: a message quotes
    /// the entry as the file writes it, never the value (a whole or split at `:` and `/`).
    @Test func valuesFromOutsideAreNeverPrinted() async throws {
        let cli = try CLI()
        let secret = "s3cr3t-t0ken/with:colons"
        try cli.write("ci.env", "TOKEN=\(secret)\n")
        try cli.write(
            "repo/compose.yaml",
            "services:\n  web:\n    image: nginx\n    ports:\n      - \"${TOKEN}\"\n      - published: \"${TOKEN}\"\n        target: 80\n"
        )
        var results = try await everyFormat(cli, ["repo", "--env-file", cli.path("ci.env")])
        results += try await everyFormat(cli, ["repo", "--use-env"], environment: ["TOKEN": secret])
        expectNothingOf([secret, "s3cr3t", "t0ken", "colons"], in: results)
        results[0].expect(status: 65, stdout: ["invalid port entry '${TOKEN}'"])
    }

    /// 22 files of 40 bytes, each including the next twice: a file included twice is read
    /// once, so the cost is linear (it doubled per file: 45 s at 22 files).
    @Test func nestedIncludesAreReadOnce() async throws {
        let cli = try CLI()
        for index in 0..<22 {
            try cli.write("repo/f\(index).yaml", "include: [f\(index + 1).yaml, f\(index + 1).yaml]\n")
        }
        try cli.write("repo/f22.yaml", "services:\n  x:\n    image: nginx\n    ports: [\"7001:80\"]\n")
        try cli.write("repo/compose.yaml", "include: [f0.yaml]\n")
        // A watchdog, not a timing: the old reader would still be running.
        let result = try await cli.run(["check", "repo", "--format", "json"], timeout: .seconds(30))
        result.expect(status: 0, stdout: ["\"ports\": 1"])
    }

    /// `.portreg.yaml` found in a PATH that is a link out of the tree is not read.
    @Test func aLinkedSettingsFileIsNotRead() async throws {
        let cli = try CLI()
        try cli.write("outside/settings.yaml", "github.com:\n  oauth_token: \(Self.outsideSecret)\n")
        try cli.write("repo/compose.yaml", "services:\n  a:\n    image: x\n    ports: [\"7002:80\"]\n")
        try #require(symlink(cli.path("outside/settings.yaml"), cli.path("repo/.portreg.yaml")) == 0)
        let result = try await cli.run("check", "repo")
        #expect(!result.stdout.contains("github.com") && !result.stderr.contains("github.com"), "\(result)")
        #expect(!result.stdout.contains(Self.outsideSecret) && !result.stderr.contains(Self.outsideSecret))
        result.expectNoCrashReport()
    }

    /// A FIFO named `.env` beside a Compose file is one `parse` error (the walk's), read by
    /// nobody: no hang, and not said twice.
    @Test func aFifoEnvIsOneFindingAndNoHang() async throws {
        let cli = try CLI()
        try cli.write("app/compose.yaml", "services:\n  a:\n    image: x\n    ports: [\"7003:80\"]\n")
        try #require(mkfifo(cli.path("app/.env"), 0o600) == 0)
        let result = try await cli.run(["check", "app"], timeout: .seconds(30))
        result.expect(status: 65, stdout: ["app/.env:1: error: not a regular file (a FIFO); not read [parse]"])
        #expect(result.stdout.components(separatedBy: "app/.env:1:").count == 2, "\(result)")
    }
}
