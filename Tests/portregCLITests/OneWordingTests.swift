import Foundation
import PortregTestSupport
import Testing

/// Issue 22: a rule's words are written once, beside the rule. `add` and `check` warn about a
/// privileged or ephemeral port in the same words (they had two wordings and two kind enums).
@Suite struct OneWordingTests {
    @Test func privilegedAndEphemeralReadAlikeEverywhere() async throws {
        let cli = try CLI()
        let added = try await cli.run("add", "web", "80")
        added.expect(
            status: 0, stderr: ["80 is a privileged port (below 1024): binding it needs root or CAP_NET_BIND_SERVICE"])
        try cli.write("app/Procfile", "web: bin/web -p 80\nworker: bin/worker --port 40001\n")
        let checked = try await cli.run(
            "check", "app", "--assignments",
            cli.write("ports.csv", "service,port,protocol,host,bind,owner,note,created_at,expires_at\n"))
        checked.expect(
            status: 0,
            stdout: [
                "process web publishes 80/tcp: 80 is a privileged port (below 1024): binding it needs root or CAP_NET_BIND_SERVICE",
                "publishes 40001/tcp: 40001 is inside the deployment host's ephemeral range 32768-60999: outgoing connections can take it first",
            ])
    }
}
