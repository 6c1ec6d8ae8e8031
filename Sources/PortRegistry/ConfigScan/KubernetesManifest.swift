import PortRegistryModel

/// Host ports in Kubernetes manifests: a Service's `nodePort` (types NodePort and
/// LoadBalancer; 0 or absent lets the cluster allocate one, so nothing fixed is claimed) and
/// `hostPort` in the pod template of every workload kind. `containerPort` and a Service's
/// `port` live inside the cluster network, except under `hostNetwork: true`, where Kubernetes
/// makes every container port a host port (its defaulting sets `hostPort` to `containerPort`).
package enum KubernetesManifest {
    package struct Scan {
        /// False when no document has `apiVersion` and `kind`: the file is not a manifest.
        var isManifest = false
        var ports: [PublishedPort] = []
        var findings: [Finding] = []
    }

    /// Where each workload kind keeps its pod spec.
    package static let podSpecPaths: [String: [String]] = [
        "Pod": ["spec"],
        "Deployment": ["spec", "template", "spec"],
        "StatefulSet": ["spec", "template", "spec"],
        "DaemonSet": ["spec", "template", "spec"],
        "ReplicaSet": ["spec", "template", "spec"],
        "ReplicationController": ["spec", "template", "spec"],
        "Job": ["spec", "template", "spec"],
        "CronJob": ["spec", "jobTemplate", "spec", "template", "spec"],
    ]

    /// Cheap test before parsing: a manifest names both keys somewhere.
    package static func mayBeManifest(_ text: String) -> Bool {
        ConfigFile.containsBytes(text, "apiVersion") && ConfigFile.containsBytes(text, "kind")
    }

    /// `kustomized`: the namespace the kustomization that lists this file gives its objects
    /// (`Kustomizations.namespace(of:)`), which overrides theirs as kustomize does.
    package static func scan(
        path: String, text: String, nodePorts: PortRange = CheckOptions.defaultNodePorts, kustomized: String? = nil
    ) -> Scan {
        var scan = Scan()
        let (parsed, failure) = YAMLDocuments.parse(text)
        let ignored = ConfigFile.ignoredLines(text)
        for document in parsed {
            // A kind cluster config is no manifest: its mappings are Docker host claims.
            if document.isMapping, KindCluster.isClusterConfig(document) {
                scan.isManifest = true
                let (ports, findings) = KindCluster.read(document, path: path, ignored: ignored)
                scan.ports += ports
                scan.findings += findings
                continue
            }
            read(document, path: path, ignored: ignored, nodePorts: nodePorts, kustomized: kustomized, into: &scan)
        }
        // A file that never showed a manifest (a Helm or Jinja template, some other YAML) is
        // not ours to refuse.
        if let failure, scan.isManifest || failure.message.hasPrefix("aliases expand") {
            scan.isManifest = true
            scan.findings.append(
                Finding(
                    severity: .error, kind: .parse, message: failure.message,
                    places: [Finding.Place(location: SourceLocation(file: path, line: failure.line))]))
        }
        return scan
    }

    /// The API group of an `apiVersion` (`apps/v1` is `apps`, `v1` the core group ``), with
    /// the workloads that moved from `extensions` to `apps` in it: one object in both.
    package static func group(apiVersion: String, kind: String) -> String {
        guard let slash = apiVersion.firstIndex(of: "/") else { return "" }
        let group = String(apiVersion[..<slash])
        if group == "extensions" && ["Deployment", "DaemonSet", "ReplicaSet"].contains(kind) { return "apps" }
        return group
    }

    /// `{{ .Port }}` of a Go (Helm, kustomize function) template, which YAML reads as a
    /// mapping whose one key is a mapping: a value the template fills in, no fixed port and no
    /// error (SPEC: templates are not ours to refuse).
    package static func isTemplatePlaceholder(_ node: Node) -> Bool {
        guard case .mapping(let entries) = node.content, entries.count == 1 else { return false }
        return entries[0].key.isMapping && entries[0].value.isNull
    }

    private static func read(
        _ document: Node, path: String, ignored: Set<Int>, nodePorts: PortRange, kustomized: String?,
        into scan: inout Scan
    ) {
        guard document.isMapping, let kind = document.value("kind")?.text, document.value("apiVersion")?.text != nil
        else { return }
        scan.isManifest = true
        if kind == "List" || kind.hasSuffix("List") {
            for item in document.value("items")?.items ?? [] {
                read(item, path: path, ignored: ignored, nodePorts: nodePorts, kustomized: kustomized, into: &scan)
            }
            return
        }
        let metadata = document.value("metadata")
        let name = metadata?.value("name")?.text ?? metadata?.value("generateName")?.text ?? kind.lowercased()
        let namespace = kustomized ?? metadata?.value("namespace")?.text.flatMap { $0.isEmpty ? nil : $0 }
        let object = KubernetesObject(
            group: group(apiVersion: document.value("apiVersion")?.text ?? "", kind: kind), kind: kind,
            namespace: namespace, name: name)
        let identity = ClusterRules.identity(object)
        var aliases = [
            namespace == nil || namespace == "default" ? name.lowercased() : "\(namespace!)/\(name)".lowercased()
        ]
        if let app = metadata?.value("labels")?.value("app")?.text
            ?? metadata?.value("labels")?.value(
                "app.kubernetes.io/name")?.text
        {
            aliases.append(app.lowercased())
        }

        func integer(_ node: Node?, _ field: String) -> Int?? {
            guard let node, !node.isNull, !isTemplatePlaceholder(node) else { return .some(nil) }
            guard let text = node.text, let value = Int(text), (0...65535).contains(value) else {
                scan.findings.append(
                    Finding(
                        severity: .error, kind: .parse,
                        message: "\(field) must be an integer 0-65535, found '\(node.text ?? "a collection")'",
                        places: [Finding.Place(location: SourceLocation(file: path, line: node.line), service: name)]))
                return nil
            }
            return .some(value)
        }
        func transport(_ node: Node?) -> TransportProtocol? {
            guard let text = node?.text else { return .tcp }
            switch text {
            case "TCP": return .tcp
            case "UDP": return .udp
            case "SCTP": return .sctp
            default:
                scan.findings.append(
                    Finding(
                        severity: .error, kind: .parse, message: "protocol must be TCP, UDP or SCTP, found '\(text)'",
                        places: [Finding.Place(location: SourceLocation(file: path, line: node?.line), service: name)]))
                return nil
            }
        }
        func add(
            _ port: Int, transport: TransportProtocol, bind: BindAddress, target: Int?, at node: Node,
            movesWithin: PortRange? = nil
        ) {
            guard port > 0, let ports = PortRange(port: port) else { return }
            let line = node.line
            var claim = PublishedPort(
                name: name, label: "\(kind) \(name)", identity: identity, aliases: aliases, ports: ports,
                transport: transport, bind: bind,
                location: SourceLocation(file: path, line: line), target: target.flatMap(PortRange.init(port:)),
                origin: .kubernetes, isIgnored: line.map { ignored.contains($0) } ?? false)
            claim.movesWithin = movesWithin
            claim.scope = .cluster
            claim.kubernetesObject = object
            scan.ports.append(claim)
        }

        /// A node port the API server would refuse: an error, and no claim (it is never bound).
        func allowedNodePort(_ port: Int, _ field: String, at node: Node) -> Bool {
            guard port > 0, !nodePorts.contains(port) else { return true }
            if node.line.map({ ignored.contains($0) }) == true { return false }
            scan.findings.append(
                Finding(
                    severity: .error, kind: .parse, ports: PortRange(port: port), transport: nil,
                    message:
                        "\(field) \(port) is outside the node-port range \(nodePorts): the API server refuses it",
                    places: [Finding.Place(location: SourceLocation(file: path, line: node.line), service: name)]))
            return false
        }
        if kind == "Service" {
            let spec = document.value("spec")
            let type = spec?.value("type")?.text ?? "ClusterIP"
            guard type == "NodePort" || type == "LoadBalancer" else { return }
            for entry in spec?.value("ports")?.items ?? [] {
                guard let nodePortNode = entry.value("nodePort"),
                    case .some(.some(let nodePort)) = integer(
                        nodePortNode, "nodePort"), let transport = transport(entry.value("protocol"))
                else { continue }
                let target: Int? = entry.value("port")?.text.flatMap { Int($0) }
                guard allowedNodePort(nodePort, "nodePort", at: nodePortNode) else { continue }
                add(
                    nodePort, transport: transport, bind: .wildcard, target: target, at: nodePortNode,
                    movesWithin: nodePorts)
            }
            // A LoadBalancer that keeps traffic on the receiving node (externalTrafficPolicy
            // Local) has a TCP health-check port on every node; absent or 0, it is allocated.
            if type == "LoadBalancer", spec?.value("externalTrafficPolicy")?.text == "Local",
                let node = spec?.value("healthCheckNodePort"),
                case .some(.some(let port)) = integer(
                    node, "healthCheckNodePort"),
                allowedNodePort(port, "healthCheckNodePort", at: node)
            {
                add(port, transport: .tcp, bind: .wildcard, target: nil, at: node, movesWithin: nodePorts)
            }
            return
        }
        guard let keys = podSpecPaths[kind] else { return }
        var podSpec: Node? = document
        for key in keys { podSpec = podSpec?.value(key) }
        guard let podSpec else { return }
        let hostNetwork = podSpec.value("hostNetwork")?.text == "true"
        for container in (podSpec.value("containers")?.items ?? []) + (podSpec.value("initContainers")?.items ?? []) {
            for entry in container.value("ports")?.items ?? [] {
                let hostNode = entry.value("hostPort")
                let containerNode = entry.value("containerPort")
                guard case .some(let hostPort) = integer(hostNode, "hostPort"),
                    case .some(let containerPort) = integer(containerNode, "containerPort")
                else { continue }
                guard let published = hostPort ?? (hostNetwork ? containerPort : nil), published > 0,
                    let transport = transport(entry.value("protocol"))
                else { continue }
                var bind = BindAddress.wildcard
                if let hostIP = entry.value("hostIP")?.text, !hostIP.isEmpty {
                    guard let parsed = BindAddress(parsing: hostIP) else {
                        scan.findings.append(
                            Finding(
                                severity: .error, kind: .parse, message: "invalid hostIP '\(hostIP)'",
                                places: [
                                    Finding.Place(
                                        location: SourceLocation(file: path, line: entry.line),
                                        service: name)
                                ]))
                        continue
                    }
                    bind = parsed
                }
                add(
                    published, transport: transport, bind: bind, target: containerPort,
                    at: hostNode ?? containerNode ?? entry)
            }
        }
    }
}
