import Foundation
import PortregTestSupport
import Testing

/// `portreg check` on small trees deployed to a cluster and a Docker host (issue 20): the two
/// scopes, Kubernetes object identity, the scheduler's rules, kind configs and Procfiles.
@Suite struct CheckClusterCLITests {
    static let controller = """
        apiVersion: apps/v1
        kind: DaemonSet
        metadata:
          name: ingress-nginx-controller
        NAMESPACE
        spec:
          template:
            spec:
              containers:
                - name: controller
                  ports:
                    - containerPort: 80
                      hostPort: 80
                    - containerPort: 443
                      hostPort: 443

        """

    static func controller(namespace: String?) -> String {
        controller.replacingOccurrences(of: "NAMESPACE\n", with: namespace.map { "  namespace: \($0)\n" } ?? "")
    }

    static let kindConfig = """
        kind: Cluster
        apiVersion: kind.x-k8s.io/v1alpha4
        nodes:
          - role: control-plane
            extraPortMappings:
              - {containerPort: 80, hostPort: 80, protocol: TCP}
              - {containerPort: 443, hostPort: 443, protocol: TCP}

        """

    func collisions(_ result: CLIResult) throws -> [[String: Any]] {
        let document = try #require(try result.json() as? [String: Any])
        let findings = try #require(document["findings"] as? [[String: Any]])
        return findings.filter { $0["kind"] as? String == "collision" }
    }

    /// A kustomize base and overlay, one manifest per provider, and a kind config that forwards
    /// the workstation's 80/443 to the controller: one object and one chain, exit 0.
    @Test func anIngressControllerRepositoryIsClean() async throws {
        let cli = try CLI()
        try cli.write("deploy/base/kustomization.yaml", "namespace: ingress-nginx\nresources: [controller.yaml]\n")
        try cli.write("deploy/base/controller.yaml", Self.controller(namespace: nil))
        try cli.write(
            "deploy/overlays/kind/kustomization.yaml", "resources: [../../base]\npatches:\n  - path: patch.yaml\n")
        try cli.write("deploy/overlays/kind/patch.yaml", Self.controller(namespace: nil))
        for provider in ["aws", "baremetal", "kind"] {
            try cli.write("deploy/static/\(provider)/deploy.yaml", Self.controller(namespace: "ingress-nginx"))
        }
        try cli.write("hack/kind-config.yaml", Self.kindConfig)
        let result = try await cli.run("check", "--format", "json", ".")
        #expect(result.status == 0, "\(result)")
        #expect(try collisions(result).isEmpty, "\(result)")
        #expect(result.stdout.contains("\"files\": 6"), "\(result)")
    }

    /// `.portreg.yaml` puts the kind config and a Compose stack on one host with the cluster:
    /// the Compose stack meets the kind config anyway (one Docker host), and the cluster's
    /// DaemonSet meets the Compose stack only once `hosts` puts both on `laptop`.
    @Test func aHostsEntryMakesTheScopesMeet() async throws {
        let cli = try CLI()
        try cli.write("k8s/controller.yaml", Self.controller(namespace: "ingress-nginx"))
        try cli.write("app/compose.yaml", "services:\n  web:\n    image: nginx\n    ports: [\"443:443\"]\n")
        var result = try await cli.run("check", "--format", "json", ".")
        #expect(result.status == 0, "\(result)")
        try cli.write(".portreg.yaml", "hosts:\n  laptop: [\"k8s/**\", \"app\"]\n")
        result = try await cli.run("check", "--format", "json", ".")
        #expect(result.status == 1, "\(result)")
        let findings = try collisions(result)
        #expect(findings.count == 1 && findings.first?["port"] as? Int == 443, "\(result)")
        #expect(findings.first?["severity"] as? String == "error")
    }

    @Test func twoDeploymentsOnOneHostPortWarnAndPass() async throws {
        let cli = try CLI()
        for name in ["blue", "green"] {
            try cli.write(
                "k8s/\(name).yaml",
                Self.controller(namespace: "web").replacingOccurrences(of: "DaemonSet", with: "Deployment")
                    .replacingOccurrences(of: "ingress-nginx-controller", with: name))
        }
        let result = try await cli.run("check", ".")
        #expect(result.status == 0, "\(result)")
        #expect(
            result.stdout.contains(
                "warning: Deployment blue and Deployment green both publish 80/tcp: their pods need distinct nodes"),
            "\(result)")
    }

    @Test func theProcfilesOfARailsAppAreAlternatives() async throws {
        let cli = try CLI()
        try cli.write("Procfile", "web: bundle exec puma -p 3000\nworker: bundle exec sidekiq\n")
        try cli.write("Procfile.dev", "web: bin/rails server -p 3000\njs: yarn build --watch\n")
        try cli.write("Procfile.dev-static-assets", "web: bin/rails server -p 3000\n")
        var result = try await cli.run("check", "--format", "json", ".")
        #expect(result.status == 0, "\(result)")
        try cli.write("Procfile.dev", "web: bin/rails server -p 3000\nvite: bin/vite dev --port 3000\n")
        result = try await cli.run("check", "--format", "json", ".")
        #expect(result.status == 1, "\(result)")
        let places = try collisions(result).flatMap { ($0["locations"] as? [[String: Any]]) ?? [] }
        #expect(places.compactMap { $0["file"] as? String } == ["Procfile.dev", "Procfile.dev"], "\(result)")
    }
}
