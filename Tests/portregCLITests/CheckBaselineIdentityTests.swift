import Foundation
import PortregTestSupport
import Testing

/// Issue 19, "Baseline identity": a fingerprint is the kind, protocol, port span and the
/// claimants' identities (config kind, project or namespace, service, object or process;
/// paths relative to the checked PATH, never the current folder, never a line). Claimants
/// that were one `folder/name` passed a gate they should fail.
@Suite struct CheckBaselineIdentityTests {
    func write(_ cli: CLI) async throws {
        let written = try await cli.run("check", "r", "--write-baseline", "known.txt")
        written.expect(status: 0, stderr: ["wrote"])
    }

    static let deployment = """
        apiVersion: apps/v1
        kind: Deployment
        metadata: {name: web, namespace: NS}
        spec:
          template:
            spec:
              containers:
                - name: web
                  ports: [{containerPort: 80, hostPort: 8080}]

        """

    static let daemonSet = """
        apiVersion: apps/v1
        kind: DaemonSet
        metadata: {name: agent, namespace: staging}
        spec:
          template:
            spec:
              containers:
                - name: agent
                  ports: [{containerPort: 80, hostPort: 8080}]

        """

    @Test func aProcfileProcessIsNotTheComposeServiceOfItsName() async throws {
        let cli = try CLI()
        try cli.write("r/app/compose.yaml", "services:\n  store:\n    ports: [\"7601:80\"]\n")
        try cli.write("r/other/compose.yaml", "services:\n  web:\n    ports: [\"7601:80\"]\n")
        try await write(cli)
        try cli.write("r/app/Procfile", "store: bin/store -p 7601\n")
        let result = try await cli.run("check", "r", "--baseline", "known.txt")
        result.expect(status: 1, stdout: ["7601/tcp", "new since the baseline: procfile:app/Procfile:store"])
    }

    @Test func aDeploymentInAnotherNamespaceIsAnotherObject() async throws {
        let cli = try CLI()
        try cli.write("r/k8s/agent.yaml", Self.daemonSet)
        try cli.write("r/k8s/web-staging.yaml", Self.deployment.replacingOccurrences(of: "NS", with: "staging"))
        try await write(cli)
        try cli.write("r/k8s/web-prod.yaml", Self.deployment.replacingOccurrences(of: "NS", with: "prod"))
        let result = try await cli.run("check", "r", "--baseline", "known.txt")
        result.expect(status: 1, stdout: ["new since the baseline: kubernetes:prod/Deployment/web"])
    }

    @Test func aSecondBadPortInOneFileIsNew() async throws {
        let cli = try CLI()
        try cli.write("r/app/compose.yaml", "services:\n  a:\n    ports:\n      - \"99999:80\"\n")
        try await write(cli)
        let same = try await cli.run("check", "r", "--baseline", "known.txt")
        same.expect(status: 0, stdout: ["1 known finding not shown"])
        try cli.write("r/app/compose.yaml", "services:\n  a:\n    ports:\n      - \"99999:80\"\n      - \"99999:81\"\n")
        let result = try await cli.run("check", "r", "--baseline", "known.txt")
        result.expect(
            status: 65,
            stdout: ["r/app/compose.yaml:5: error: invalid host port '99999'", "1 known finding not shown"],
            stdoutLacks: ["compose.yaml:4: error"])
    }

    @Test func fingerprintsDoNotDependOnTheCurrentFolder() async throws {
        let cli = try CLI()
        try cli.write("r/a/compose.yaml", "services:\n  web:\n    ports: [\"7602:80\"]\n")
        try cli.write("r/b/compose.yaml", "services:\n  api:\n    ports: [\"7602:80\"]\n")
        try cli.write("r/c/Procfile", "web: x -p 7603\n")
        try cli.write("r/d/.env", "PORT=7603\n")
        try await write(cli)
        let text = try String(contentsOfFile: cli.path("known.txt"), encoding: .utf8)
        #expect(!text.contains("r/a"), "paths are relative to the checked PATH:\n\(text)")
        try cli.write("elsewhere/.keep", "")
        let binary = try #require(PortregBinary.path)
        let result = try await cli.run(
            ["check", "../r", "--baseline", "../known.txt"],
            via: ["/bin/sh", "-c", "cd elsewhere && exec \"$0\" check ../r --baseline ../known.txt", binary])
        result.expect(status: 0, stdout: ["2 known findings not shown", "0 entries no longer match"])
        let absolute = try await cli.run("check", cli.path("r"), "--baseline", "known.txt")
        absolute.expect(status: 0, stdout: ["2 known findings not shown"])
    }

    @Test func staleEntriesAreNamed() async throws {
        let cli = try CLI()
        try cli.write("r/a/compose.yaml", "services:\n  web:\n    ports: [\"7604:80\"]\n")
        try cli.write("r/b/compose.yaml", "services:\n  api:\n    ports: [\"7604:80\"]\n")
        try await write(cli)
        try cli.write("r/b/compose.yaml", "services:\n  api:\n    ports: [\"7605:80\"]\n")
        let result = try await cli.run("check", "r", "--baseline", "known.txt")
        result.expect(status: 0, stdout: ["1 entry no longer matches: collision tcp 7604 compose:a/web compose:b/api"])
        let json = try await cli.run("check", "r", "--baseline", "known.txt", "--format", "json")
        json.expect(status: 0, stdout: ["\"stale_entries\": [\"collision tcp 7604 compose:a/web compose:b/api\"]"])
    }
}
