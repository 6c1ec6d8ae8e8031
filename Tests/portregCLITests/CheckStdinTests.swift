import Foundation
import PortregTestSupport
import Testing

/// Issue 19, "stdin": `helm template … | portreg check -` must not pass a failed render. A
/// stream that is not what `--stdin-kind` says (a NUL byte, invalid YAML, helm's error text,
/// nothing at all, Compose given as Kubernetes) is 65 with a message; a Compose stream's
/// project is named after `--stdin-name`, never after a temporary folder.
@Suite struct CheckStdinTests {
    static let service = """
        apiVersion: v1
        kind: Service
        metadata:
          name: web
        spec:
          type: NodePort
          ports:
            - port: 80
              nodePort: 30951

        """

    @Test func aNulByteIs65() async throws {
        let cli = try CLI()
        let kubernetes = try await cli.run(["check", "-"], stdin: Self.service + "\u{0}---\n" + Self.service)
        kubernetes.expect(status: 65, stdout: ["<stdin>:10: error:", "NUL"])
        let compose = try await cli.run(
            ["check", "--stdin-kind", "compose", "-"],
            stdin: "services:\n  a:\n    ports: [\"7001:80\"]\n\u{0}\n  b:\n    ports: [\"7001:80\"]\n")
        compose.expect(status: 65, stdout: ["<stdin>:4: error:", "NUL"])
    }

    @Test(arguments: [
        ("", "no YAML document"), ("\n\n", "no YAML document"), ("# only a comment\n", "no YAML document"),
        ("---\n...\n", "no YAML document"),
        (
            "Error: INSTALLATION FAILED: template: chart/templates/svc.yaml:3:4: executing \"x\": nil pointer\n",
            "invalid YAML"
        ),
        ("apiVersion: v1\nkind: [unclosed\n", "invalid YAML"), ("just some text\n", "not a Kubernetes"),
    ])
    func notAStreamOfManifestsIs65(_ input: String, _ fragment: String) async throws {
        let cli = try CLI()
        let result = try await cli.run(["check", "-"], stdin: input)
        result.expect(status: 65, stdout: ["<stdin>", "error:", fragment])
    }

    @Test(arguments: ["", "\n", "# nothing\n"])
    func anEmptyComposeStreamIs65(_ input: String) async throws {
        let cli = try CLI()
        let result = try await cli.run(["check", "--stdin-kind", "compose", "-"], stdin: input)
        result.expect(status: 65, stdout: ["<stdin>", "no YAML document"])
    }

    @Test func invalidComposeYAMLIs65() async throws {
        let cli = try CLI()
        let result = try await cli.run(["check", "--stdin-kind", "compose", "-"], stdin: "services:\n  a: [\n")
        result.expect(status: 65, stdout: ["<stdin>"])
    }

    @Test func composeWithoutStdinKindSaysSo() async throws {
        let cli = try CLI()
        let result = try await cli.run(["check", "-"], stdin: "services:\n  web:\n    ports: [\"7002:80\"]\n")
        result.expect(status: 65, stdout: ["<stdin>:1: error:", "--stdin-kind compose"])
    }

    @Test func theComposeProjectIsNamedAfterStdinName() async throws {
        let cli = try CLI()
        try cli.write(
            "ports.csv",
            "service,port,protocol,host,bind,owner,note,created_at,expires_at\n"
                + "shop,7403,tcp,*,*,,,2025-01-01T00:00:00Z,\n")
        let stream = "services:\n  web:\n    ports: [\"7403:80\"]\n"
        let named = try await cli.run(
            [
                "check", "--assignments", "ports.csv", "--stdin-kind", "compose", "--stdin-name", "shop/compose.yaml",
                "-",
            ],
            stdin: stream)
        named.expect(status: 0, stdoutLacks: ["registry", "portreg-stdin"])
        let other = try await cli.run(
            [
                "check", "--assignments", "ports.csv", "--stdin-kind", "compose", "--stdin-name",
                "billing/compose.yaml", "-",
            ],
            stdin: stream)
        other.expect(status: 1, stdout: ["which the registry assigns to shop"], stdoutLacks: ["portreg-stdin"])
    }
}
