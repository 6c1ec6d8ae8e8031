import Testing

@testable import PortRegistryConfigScan
@testable import PortRegistryModel

/// SPEC, "kind cluster configs": each node's `extraPortMappings` `hostPort` is a claim on the
/// Docker host, and the cluster config is no Kubernetes manifest.
@Suite struct KindClusterTests {
    static let config = """
        kind: Cluster
        apiVersion: kind.x-k8s.io/v1alpha4
        name: dev
        nodes:
          - role: control-plane
            labels:
              ingress-ready: "true"
            extraPortMappings:
              - containerPort: 80
                hostPort: 80
                protocol: TCP
              - containerPort: 443
                hostPort: 443
                listenAddress: 127.0.0.1
          - role: worker
            extraPortMappings:
              - containerPort: 30053
                hostPort: 5353
                protocol: udp

        """

    @Test func mappingsAreDockerHostClaims() throws {
        let tree = try ClusterTree(["kind-config.yaml": Self.config])
        let claims = try tree.scan().ports.sorted { $0.ports.low < $1.ports.low }
        #expect(claims.map(\.ports.low) == [80, 443, 5353])
        #expect(claims.allSatisfy { $0.scope == .dockerHost && $0.label == "kind cluster dev" })
        #expect(claims.map(\.transport) == [.tcp, .tcp, .udp])
        #expect(claims[1].bind == BindAddress(parsing: "127.0.0.1"))
    }

    /// Issue 20: the workstation's 80/443 forwarded to the node where the ingress controller's
    /// `hostPort: 80` listens is one chain, not a clash.
    @Test func forwardingToTheIngressControllerIsAChain() throws {
        let tree = try ClusterTree([
            "kind-config.yaml": Self.config,
            "ingress/deploy.yaml": workload(
                "Deployment", "ingress-nginx-controller", namespace: "ingress-nginx", hostPort: 80),
            "ingress/daemonset.yaml": workload("DaemonSet", "proxy", namespace: "ingress-nginx", hostPort: 443),
        ])
        #expect(try tree.collisions().isEmpty)
    }

    @Test func theClusterStillMeetsComposeOnTheDockerHost() throws {
        let tree = try ClusterTree([
            "kind-config.yaml": Self.config,
            "app/compose.yaml": "services:\n  web:\n    image: nginx\n    ports: [\"80:80\"]\n",
        ])
        let findings = try tree.collisions()
        try #require(findings.count == 1)
        #expect(findings[0].severity == .error && findings[0].message.contains("kind cluster dev"))
    }

    @Test func aConfigWithoutNameIsTheDefaultCluster() throws {
        let tree = try ClusterTree([
            "cluster.yml":
                "apiVersion: kind.x-k8s.io/v1alpha4\nkind: Cluster\nnodes:\n- role: control-plane\n  extraPortMappings:\n  - containerPort: 80\n    hostPort: 8080\n"
        ])
        let claims = try tree.scan().ports
        #expect(claims.map(\.label) == ["kind cluster kind"])
        #expect(claims.first?.kubernetesObject == nil && claims.first?.workload == nil)
    }

    @Test func aBadListenAddressIsAParseErrorWithItsLine() throws {
        let tree = try ClusterTree([
            "kind.yaml":
                "kind: Cluster\napiVersion: kind.x-k8s.io/v1alpha4\nnodes:\n- role: control-plane\n  extraPortMappings:\n  - containerPort: 80\n    hostPort: 80\n    listenAddress: nowhere\n"
        ])
        let parse = try tree.report().findings.filter { $0.kind == .parse }
        try #require(parse.count == 1)
        #expect(parse[0].places.first?.location.line == 6)
    }
}
