import PortRegistryModel

/// A kind (Kubernetes in Docker) cluster config, `kind: Cluster` with `apiVersion:
/// kind.x-k8s.io/*`: kind runs each node as a Docker container and publishes the node's
/// `extraPortMappings` on the Docker host (`listenAddress` the bind, default 0.0.0.0;
/// `protocol` TCP, UDP or SCTP in any case, default TCP). So its claims are on the Docker
/// host, like Compose: a mapping of the workstation's 80 to the node where an ingress
/// controller's `hostPort: 80` listens is one chain through two scopes, not a clash.
///
/// It is read from the YAML documents of any `*.yaml`/`*.yml` (its file has no fixed name),
/// before the Kubernetes reader, which never takes such a document as a manifest.
package enum KindCluster {
    package static func isClusterConfig(_ document: Node) -> Bool {
        document.value("kind")?.text == "Cluster"
            && document.value("apiVersion")?.text?.hasPrefix("kind.x-k8s.io/") == true
    }

    /// The claims and `parse` findings of one cluster config document.
    package static func read(_ document: Node, path: String, ignored: Set<Int>) -> (
        ports: [PublishedPort], findings: [Finding]
    ) {
        let cluster = document.value("name")?.text ?? "kind"
        var ports: [PublishedPort] = []
        var findings: [Finding] = []
        func refuse(_ message: String, at node: Node) {
            guard !(node.line.map { ignored.contains($0) } ?? false) else { return }
            findings.append(
                Finding(
                    severity: .error, kind: .parse, message: message,
                    places: [Finding.Place(location: SourceLocation(file: path, line: node.line), service: cluster)]))
        }
        for node in document.value("nodes")?.items ?? [] {
            for mapping in node.value("extraPortMappings")?.items ?? [] {
                guard let hostNode = mapping.value("hostPort"), !hostNode.isNull else { continue }
                guard let text = hostNode.text, let hostPort = Int(text), (0...65535).contains(hostPort) else {
                    refuse(
                        "hostPort must be an integer 0-65535, found '\(hostNode.text ?? "a collection")'", at: hostNode)
                    continue
                }
                // 0 lets Docker pick a free port: nothing fixed is claimed.
                guard let range = PortRange(port: hostPort), hostPort > 0 else { continue }
                guard let transport = TransportProtocol(name: mapping.value("protocol")?.text ?? "tcp"),
                    let bind = BindAddress(parsing: mapping.value("listenAddress")?.text ?? "0.0.0.0")
                else {
                    refuse("invalid protocol or listenAddress in extraPortMappings", at: mapping)
                    continue
                }
                let target = mapping.value("containerPort")?.text.flatMap { Int($0) }
                ports.append(
                    PublishedPort(
                        name: cluster, label: "kind cluster \(cluster)", identity: "kind\u{1}\(cluster)",
                        aliases: [cluster.lowercased()], ports: range, transport: transport, bind: bind,
                        location: SourceLocation(file: path, line: hostNode.line),
                        target: target.flatMap(PortRange.init(port:)), origin: .kubernetes,
                        isIgnored: hostNode.line.map { ignored.contains($0) } ?? false))
            }
        }
        return (ports, findings)
    }
}
