import Foundation
import Testing

/// What a new user hit (issue 21): a typo of a command, a CI job without its committed
/// registry, a baseline run that printed the findings it recorded.
@Suite struct NewcomerMessagesTests {
    /// `portreg chek .` names the command it was probably meant to be (exit 64), instead of
    /// "2 unexpected arguments".
    @Test func aMistypedCommandSuggestsTheClosestOne() async throws {
        let cli = try CLI()
        let typo = try await cli.run("chek", ".")
        typo.expect(status: 64, stderr: ["unknown command 'chek' (did you mean 'check'?)", "portreg --help"])
        let alias = try await cli.run("relase", "web")
        alias.expect(status: 64, stderr: ["did you mean 'release'?"])
        let nothingClose = try await cli.run("frobnicate")
        nothingClose.expect(status: 64, stderr: ["unknown command 'frobnicate'"])
        #expect(!nothingClose.stderr.contains("did you mean"), "\(nothingClose)")
        // A real command and an option are untouched.
        let version = try await cli.run("--version")
        #expect(version.status == 0, "\(version)")
    }

    /// `check --assignments ports.csv` with no such file: 66, and how to make it.
    @Test func aMissingCommittedRegistrySaysHowToExportIt() async throws {
        let cli = try CLI()
        try cli.write("a/compose.yaml", "services:\n  a:\n    ports: [\"9951:80\"]\n")
        let result = try await cli.run("check", "--assignments", "ports.csv", ".")
        result.expect(status: 66, stderr: ["ports.csv: No such file or directory", "portreg export -o ports.csv"])
    }

    /// `--write-baseline` prints only what it wrote: no findings on stdout.
    @Test func writeBaselinePrintsOnlyWhatItWrote() async throws {
        let cli = try CLI()
        try cli.write("a/compose.yaml", "services:\n  a:\n    ports: [\"9952:80\"]\n")
        try cli.write("b/compose.yaml", "services:\n  b:\n    ports: [\"9952:80\"]\n")
        let result = try await cli.run("check", "--write-baseline", "known.txt", ".")
        result.expect(status: 0, stderr: ["wrote 1 known finding to known.txt"])
        #expect(result.stdout.isEmpty, "\(result)")
    }
}
