import PortRegistryModel

extension PublishedPort {
    /// The two places a claim can run (SPEC, "Where things run").
    package enum Scope: String, Sendable {
        /// The machine that runs Docker and the processes of Procfiles (and kind's nodes).
        case dockerHost = "docker-host"
        /// The nodes of a Kubernetes cluster.
        case cluster
    }
}

/// A Kubernetes object as the API server knows it: (API group, kind, namespace, name). A
/// class, so that a claim (of every format) carries 8 bytes for it, not four strings: a
/// monorepo's 60,000 Compose claims are copied a few times on their way to the judge.
package final class KubernetesObject: Hashable, Sendable {
    /// `apps`, `batch`, or empty for the core group (`apiVersion: v1`).
    package let group: String
    package let kind: String
    /// nil when nothing in the tree says (no `metadata.namespace`, no kustomization): it then
    /// matches the object of that group, kind and name in any namespace.
    package let namespace: String?
    package let name: String

    package init(group: String, kind: String, namespace: String?, name: String) {
        self.group = group
        self.kind = kind
        self.namespace = namespace
        self.name = name
    }

    /// The same object in another namespace.
    package func inNamespace(_ namespace: String?) -> KubernetesObject {
        KubernetesObject(group: group, kind: kind, namespace: namespace, name: name)
    }

    package static func == (a: KubernetesObject, b: KubernetesObject) -> Bool {
        (a.group, a.kind, a.namespace, a.name) == (b.group, b.kind, b.namespace, b.name)
    }

    package func hash(into hasher: inout Hasher) {
        hasher.combine(group)
        hasher.combine(kind)
        hasher.combine(namespace)
        hasher.combine(name)
    }
}

/// The two scopes and the scheduler (SPEC, "Where things run" and "Kubernetes"), between the
/// claims read and the collision judge:
///
/// - claims of the Docker host are judged among themselves by `ConfigCheck.collisions`, and
///   Kubernetes claims among themselves here; the two meet only where `.portreg.yaml` `hosts`
///   puts a claim of each on one named host;
/// - a Kubernetes object is (group, kind, namespace, name): one whose namespace nothing in the
///   tree says is the object of that group, kind and name in the one namespace the tree names
///   for it (several: it stays apart);
/// - a `nodePort` is open on every node, and so is a DaemonSet's `hostPort` (a pod on every
///   node): against any other claim of the port that is an error (the other pods can run
///   nowhere; two Services with one `nodePort` are refused by the API server). Two workloads
///   the scheduler places (Deployment, StatefulSet, Job, CronJob, ReplicaSet, bare Pod) only
///   need their pods on distinct nodes: a warning.
package enum ClusterRules {
    /// The identity of a Kubernetes claim: two claims of one object never collide.
    package static func identity(_ object: KubernetesObject) -> String {
        "kubernetes\u{1}\(object.group)\u{1}\(object.kind)\u{1}\(object.namespace ?? "*")\u{1}\(object.name)"
    }

    /// Kinds whose port is taken on every node of the cluster.
    package static let everyNode: Set<String> = ["DaemonSet", "Service"]

    /// The Docker host's claims, left to the caller's judge, and the findings of the rest: the
    /// cluster's collisions and those of two scopes on one named host.
    package static func split(_ ports: [PublishedPort], wayOut: WayOut?) -> (
        dockerHost: [PublishedPort], findings: [Finding]
    ) {
        guard ports.contains(where: { $0.scope == .cluster }) else { return (ports, []) }
        let resolved = resolvingNamespaces(ports)
        let dockerHost = resolved.filter { $0.scope == .dockerHost }
        let cluster = resolved.filter { $0.scope == .cluster }
        var findings = clusterCollisions(cluster, wayOut: wayOut)
        let placed = resolved.filter { $0.isPlacedOnHost && !$0.host.isEverywhere }
        if placed.contains(where: { $0.scope == .cluster }) && placed.contains(where: { $0.scope == .dockerHost }) {
            findings += sharedHostCollisions(placed, wayOut: wayOut)
        }
        return (dockerHost, findings)
    }

    /// Claims whose object has no namespace in the tree take the namespace of the object of
    /// that group, kind and name, where the tree names exactly one.
    package static func resolvingNamespaces(_ ports: [PublishedPort]) -> [PublishedPort] {
        struct Key: Hashable {
            var group: String
            var kind: String
            var name: String
        }
        var namespaces: [Key: Set<String>] = [:]
        var unknown = false
        for port in ports {
            guard let object = port.kubernetesObject else { continue }
            let key = Key(group: object.group, kind: object.kind, name: object.name)
            if let namespace = object.namespace {
                namespaces[key, default: []].insert(namespace)
            } else {
                unknown = true
            }
        }
        guard unknown, !namespaces.isEmpty else { return ports }
        return ports.map { port in
            guard let object = port.kubernetesObject, object.namespace == nil,
                let known = namespaces[Key(group: object.group, kind: object.kind, name: object.name)],
                known.count == 1
            else { return port }
            var port = port
            port.kubernetesObject = object.inNamespace(known.first)
            port.identity = identity(port.kubernetesObject!)
            return port
        }
    }

    /// The collision groups of the cluster's claims, judged as the scheduler and the API
    /// server see them.
    package static func clusterCollisions(_ cluster: [PublishedPort], wayOut: WayOut?) -> [Finding] {
        judge(cluster, wayOut: wayOut) { claims in claims }.map { finding, claims in
            scheduled(finding, claims)
        }
    }

    /// Claims of both scopes that `hosts` put on one named host: each binds the host's port
    /// (the node is that host), so they collide as any two claims do. Only groups with both
    /// scopes: the rest are reported by each scope's own judge.
    package static func sharedHostCollisions(_ placed: [PublishedPort], wayOut: WayOut?) -> [Finding] {
        judge(placed, wayOut: wayOut) { claims in
            Set(claims.map(\.scope)).count == 2 ? claims : nil
        }.map(\.finding)
    }

    /// Groups of claims that all collide (the collision rule, split where claims are
    /// alternatives), each kept (and maybe trimmed) by `keep`, with its finding.
    private static func judge(
        _ ports: [PublishedPort], wayOut: WayOut?, keep: ([PublishedPort]) -> [PublishedPort]?
    ) -> [(finding: Finding, claims: [PublishedPort])] {
        var result: [(finding: Finding, claims: [PublishedPort])] = []
        var byTransport: [TransportProtocol: [PublishedPort]] = [:]
        for port in ports { byTransport[port.transport, default: []].append(port) }
        for transport in TransportProtocol.allCases {
            guard let group = byTransport[transport], group.count > 1 else { continue }
            for ruleGroup in CollisionRule.groups(group) {
                for members in AlternativeSplit.split(ruleGroup.members, group)
                where CollisionRule.hasTwoServices(members, group) {
                    let sorted = members.map { group[$0] }.sorted {
                        ($0.location, $0.identity) < ($1.location, $1.identity)
                    }
                    guard let claims = keep(sorted) else { continue }
                    let shared = CollisionRule.sharedPorts(members, group)
                    result.append(
                        (
                            ConfigCheck.collisionFinding(claims, shared: shared, transport: transport, wayOut: wayOut),
                            claims
                        ))
                }
            }
        }
        return result
    }

    /// A cluster collision with the scheduler's reason, before the way out; a warning where
    /// every claimant is a workload whose pods the scheduler places apart.
    private static func scheduled(_ finding: Finding, _ claims: [PublishedPort]) -> Finding {
        var finding = finding
        let services = Set(claims.filter { $0.workload == "Service" }.map { $0.identity.lowercased() })
        let reason: String
        if services.count > 1 && claims.allSatisfy({ $0.workload == "Service" }) {
            reason = "the API server refuses the second Service (a nodePort is unique in the cluster)"
        } else if let daemonSet = claims.first(where: { $0.workload == "DaemonSet" }) {
            reason = "\(daemonSet.label) takes it on every node, so the other pods can run nowhere"
        } else if let service = claims.first(where: { $0.workload == "Service" }) {
            // The scheduler does not know nodePorts: the pod runs, and on every node it and
            // kube-proxy's rule for the Service compete for the port's traffic.
            reason = "the nodePort of \(service.label) is open on every node, where the pods' port competes with it"
        } else {
            finding.severity = .warning
            reason = "their pods need distinct nodes (the scheduler puts them on different nodes)"
        }
        // The message without the way out (one call with no `WayOut`), then the reason, then
        // the way out the first call found.
        let plain = ConfigCheck.collisionFinding(
            claims, shared: finding.ports ?? claims[0].ports, transport: claims[0].transport, wayOut: nil
        ).message
        let advice = finding.message.hasPrefix(plain) ? String(finding.message.dropFirst(plain.count)) : ""
        finding.message = plain + ": " + reason + advice
        return finding
    }
}
