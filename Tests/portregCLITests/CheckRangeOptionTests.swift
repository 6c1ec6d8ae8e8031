import Foundation
import PortregTestSupport
import Testing

/// Issue 19 (with 20): `--ephemeral-range` and `--node-port-range` on the command line and
/// `ephemeral-range` / `node-port-range` in `.portreg.yaml` are one setting each, read by one
/// parser: the same value is accepted or refused (64) on both channels.
@Suite struct CheckRangeOptionTests {
    static let tree = "services:\n  web:\n    ports: [\"7311:80\"]\n"

    @Test(arguments: ["0-100", "100-50", "1-70000", "x", ""])
    func badNodePortRangeIsUsageOnTheCommandLine(_ value: String) async throws {
        let cli = try CLI()
        try cli.write("app/compose.yaml", Self.tree)
        let result = try await cli.run("check", "app", "--node-port-range", value)
        result.expectFailure(64, "--node-port-range")
    }

    @Test(arguments: ["0-100", "100-50", "x"])
    func badNodePortRangeIsUsageInTheConfig(_ value: String) async throws {
        let cli = try CLI()
        try cli.write("app/compose.yaml", Self.tree)
        try cli.write("app/.portreg.yaml", "node-port-range: \"\(value)\"\n")
        let result = try await cli.run("check", "app")
        result.expectFailure(64, "app/.portreg.yaml:1", "node-port-range")
    }

    @Test(arguments: ["0-100", "9-3"])
    func badEphemeralRangeIsUsageOnBothChannels(_ value: String) async throws {
        let cli = try CLI()
        try cli.write("app/compose.yaml", Self.tree)
        let flag = try await cli.run("check", "app", "--ephemeral-range", value)
        flag.expectFailure(64, "--ephemeral-range")
        try cli.write("app/.portreg.yaml", "ephemeral-range: \"\(value)\"\n")
        let config = try await cli.run("check", "app")
        config.expectFailure(64, "app/.portreg.yaml:1", "ephemeral-range")
    }

    @Test func ephemeralRangeHostAndNoneWorkInTheConfig() async throws {
        let cli = try CLI()
        try cli.write("app/compose.yaml", "services:\n  web:\n    ports: [\"40000:80\"]\n")
        try cli.write("app/.portreg.yaml", "ephemeral-range: none\n")
        let none = try await cli.run("check", "app", "--format", "json")
        none.expect(status: 0, stdoutLacks: ["ephemeral"])
        try cli.write("app/.portreg.yaml", "ephemeral-range: host\n")
        let host = try await cli.run("check", "app")
        #expect(host.status == 0, "\(host)")
        try cli.write("app/.portreg.yaml", "ephemeral-range: 39000-41000\n")
        let fixed = try await cli.run("check", "app", "--format", "json")
        fixed.expect(status: 0, stdout: ["\"kind\": \"ephemeral\"", "39000-41000"])
    }
}
