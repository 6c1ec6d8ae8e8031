import PortregTestSupport
import Testing

@testable import PortRegistryConfigScan
@testable import PortRegistryModel
@testable import PortRegistrySystem

/// SPEC, "Kubernetes" and "Where things run": how the scheduler places pods that take a host
/// port, and the two scopes (Docker host, cluster).
@Suite struct ClusterRulesTests {
    /// The scheduler puts two Deployments' pods with one hostPort on different nodes: a
    /// warning, not a failed deploy.
    @Test(arguments: ["Deployment", "StatefulSet", "Job", "CronJob", "ReplicaSet", "Pod"])
    func twoPlacedWorkloadsOnOneHostPortAreAWarning(_ kind: String) throws {
        let tree = try ClusterTree([
            "k8s/a.yaml": workload("Deployment", "web", hostPort: 8080),
            "k8s/b.yaml": workload(
                kind, "other", hostPort: 8080,
                apiVersion: kind.hasSuffix("Job") ? "batch/v1" : kind == "Pod" ? "v1" : "apps/v1"),
        ])
        let findings = try tree.collisions()
        try #require(findings.count == 1)
        #expect(findings[0].severity == .warning)
        #expect(findings[0].message.contains("their pods need distinct nodes"), "\(findings[0].message)")
    }

    /// A DaemonSet runs a pod on every node: another pod with its hostPort can run nowhere.
    @Test func aDaemonSetAgainstAnyHostPortIsAnError() throws {
        let tree = try ClusterTree([
            "k8s/agent.yaml": workload("DaemonSet", "agent", hostPort: 9100),
            "k8s/web.yaml": workload("Deployment", "web", hostPort: 9100),
        ])
        let findings = try tree.collisions()
        try #require(findings.count == 1)
        #expect(findings[0].severity == .error)
        #expect(findings[0].message.contains("on every node"), "\(findings[0].message)")
    }

    /// A nodePort is open on every node: against a hostPort an error; two Services with one
    /// nodePort an error too (the API server refuses the second).
    @Test func nodePortsTakeEveryNode() throws {
        let tree = try ClusterTree([
            "k8s/web.yaml": workload("Deployment", "web", hostPort: 30080),
            "k8s/service.yaml": nodePortService("web", nodePort: 30080),
            "k8s/other.yaml": nodePortService("other", nodePort: 30090, namespace: "a"),
            "k8s/third.yaml": nodePortService("third", nodePort: 30090, namespace: "b"),
        ])
        let findings = try tree.collisions().sorted { $0.ports!.low < $1.ports!.low }
        try #require(findings.count == 2)
        #expect(findings.allSatisfy { $0.severity == .error })
        #expect(findings[0].message.contains("on every node"), "\(findings[0].message)")
        #expect(findings[1].message.contains("the API server refuses the second"), "\(findings[1].message)")
    }

    @Test func theClaimRecordsItsWorkloadAndScope() throws {
        let tree = try ClusterTree([
            "k8s/agent.yaml": workload("DaemonSet", "agent", hostPort: 9100),
            "k8s/service.yaml": nodePortService("web", nodePort: 30080),
            "app/compose.yaml": "services:\n  web:\n    image: nginx\n    ports: [\"8080:80\"]\n",
        ])
        let claims = Dictionary(uniqueKeysWithValues: try tree.scan().ports.map { ($0.ports.low, $0) })
        #expect(claims[9100]?.workload == "DaemonSet" && claims[9100]?.scope == .cluster)
        #expect(claims[30080]?.workload == "Service" && claims[30080]?.scope == .cluster)
        #expect(claims[8080]?.workload == nil && claims[8080]?.scope == .dockerHost)
    }

    /// Compose, Procfiles and a standalone `.env` run on the Docker host, Kubernetes objects
    /// on the cluster: no collision between the two.
    @Test func theDockerHostAndTheClusterNeverMeet() throws {
        let tree = try ClusterTree([
            "app/compose.yaml": "services:\n  web:\n    image: nginx\n    ports: [\"8080:80\"]\n",
            "worker/Procfile": "web: ./serve -p 9100\n",
            "metrics/.env": "PORT=30080\n",
            "k8s/web.yaml": workload("Deployment", "web", hostPort: 8080),
            "k8s/agent.yaml": workload("DaemonSet", "agent", hostPort: 9100),
            "k8s/service.yaml": nodePortService("web", nodePort: 30080),
        ])
        #expect(try tree.collisions().isEmpty)
    }

    /// A `.portreg.yaml` `hosts` entry that puts both on one named host makes them meet there.
    @Test func aHostsEntryPutsBothScopesOnOneHost() throws {
        let tree = try ClusterTree([
            "app/compose.yaml": "services:\n  web:\n    image: nginx\n    ports: [\"8080:80\"]\n",
            "k8s/web.yaml": workload("DaemonSet", "web", hostPort: 8080),
        ])
        var options = tree.options
        let edge = HostScope(parsing: "edge")!
        options.hostGlobs = [CheckConfig.HostGlobs(host: edge, globs: ["k8s/**"], root: tree.directory.path)]
        #expect(try tree.collisions(options).isEmpty, "only the cluster side is on edge")
        options.hostGlobs[0].globs.append("app")
        let findings = try tree.collisions(options)
        try #require(findings.count == 1)
        #expect(findings[0].severity == .error)
        options.hostGlobs = [
            CheckConfig.HostGlobs(host: edge, globs: ["k8s/**"], root: tree.directory.path),
            CheckConfig.HostGlobs(host: HostScope(parsing: "nas")!, globs: ["app"], root: tree.directory.path),
        ]
        #expect(try tree.collisions(options).isEmpty, "two hosts")
    }

    /// `--live` reads this machine's sockets: the Docker host's. A cluster node's hostPort is
    /// not taken by them.
    @Test func liveSocketsMeetOnlyTheDockerHost() throws {
        let tree = try ClusterTree([
            "app/compose.yaml": "services:\n  web:\n    image: nginx\n    ports: [\"8080:80\"]\n",
            "k8s/agent.yaml": workload("DaemonSet", "agent", hostPort: 9100),
        ])
        let listening = [8080, 9100].map {
            ListeningSocket(transport: .tcp, address: "0.0.0.0", isIPv6: false, port: $0, inode: $0)
        }
        let report = ConfigCheck.evaluate(
            try tree.scan(), registry: RegistrySnapshot(), options: tree.options, listening: listening)
        #expect(report.findings.filter { $0.kind == .inUse }.map { $0.ports?.low } == [8080])
    }
}
