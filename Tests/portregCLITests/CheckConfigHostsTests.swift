import Foundation
import PortregTestSupport
import Testing

/// Issue 19, "`.portreg.yaml` hosts": globs matched only when the PATH was spelled like the
/// displayed paths, so `check ./r`, `r/.`, `$PWD/r` and any `--config` outside the tree
/// dropped the hosts while printing "settings from …". Where two hosts' globs match a path,
/// the most specific wins; equally specific globs of two hosts are a usage error (64).
@Suite struct CheckConfigHostsTests {
    /// Two projects on one port, which `hosts` puts on two hosts.
    func tree(_ cli: CLI, hosts: String, config: String = "r/.portreg.yaml") throws {
        try cli.write("r/a/compose.yaml", "services:\n  web:\n    ports: [\"7501:80\"]\n")
        try cli.write("r/b/compose.yaml", "services:\n  api:\n    ports: [\"7501:80\"]\n")
        try cli.write(config, hosts)
    }

    static let twoHosts = "hosts:\n  one: [\"a\"]\n  two: [\"b/**\"]\n"

    @Test func hostsMatchHoweverThePathIsSpelled() async throws {
        let cli = try CLI()
        try tree(cli, hosts: Self.twoHosts)
        for spelling in ["r", "./r", "r/.", "r/", cli.path("r"), "./r/./a/../"] {
            let result = try await cli.run("check", spelling)
            result.expect(status: 0, stdout: ["0 errors"], stderr: ["settings from"])
        }
    }

    @Test func hostsMatchFromAnotherCurrentFolder() async throws {
        let cli = try CLI()
        try tree(cli, hosts: Self.twoHosts)
        try cli.write("elsewhere/.keep", "")
        let binary = try #require(PortregBinary.path)
        let result = try await cli.run(
            ["check", "../r"], via: ["/bin/sh", "-c", "cd elsewhere && exec \"$0\" check ../r", binary])
        result.expect(status: 0, stdout: ["0 errors"])
    }

    @Test func configOutsideTheTreeIsRelativeToThePath() async throws {
        let cli = try CLI()
        try tree(cli, hosts: Self.twoHosts, config: "settings/gate.yaml")
        let result = try await cli.run("check", "--config", "settings/gate.yaml", "r")
        result.expect(status: 0, stdout: ["0 errors"], stderr: ["settings from settings/gate.yaml"])
        let absolute = try await cli.run("check", "--config", cli.path("settings/gate.yaml"), "./r/")
        absolute.expect(status: 0, stdout: ["0 errors"])
    }

    @Test func theMostSpecificGlobWins() async throws {
        let cli = try CLI()
        try tree(cli, hosts: "hosts:\n  main: [\"**\"]\n  node2: [\"b/compose.yaml\"]\n")
        let literal = try await cli.run("check", "r")
        literal.expect(status: 0, stdout: ["0 errors"])
        try cli.write("r/.portreg.yaml", "hosts:\n  main: [\"**\"]\n  node2: [\"b/*\"]\n")
        let longer = try await cli.run("check", "r")
        longer.expect(status: 0, stdout: ["0 errors"])
        try cli.write("r/.portreg.yaml", "hosts:\n  main: [\"**\"]\n")
        let one = try await cli.run("check", "r")
        one.expect(status: 1, stdout: ["both publish 7501/tcp"])
    }

    @Test func equallySpecificGlobsOfTwoHostsAreUsage() async throws {
        let cli = try CLI()
        // Two literal characters each ("b/" and "b", "l").
        try tree(cli, hosts: "hosts:\n  one: [\"b/*\"]\n  two: [\"b*l\"]\n")
        let result = try await cli.run("check", "r")
        result.expectFailure(64, "r/.portreg.yaml:3", "'b/*' (host one) and 'b*l' (host two) match r/b/compose.yaml")
    }
}
