import PortregTestSupport
import Testing

@testable import PortRegistryConfigScan
@testable import PortRegistryModel

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// A small hand-made tree in a fresh folder, checked with no registry: what the scan reads
/// and what the judge reports.
struct ClusterTree {
    let directory: TemporaryDirectory

    init(_ files: [String: String]) throws {
        directory = try TemporaryDirectory(prefix: "portreg-cluster")
        for (name, text) in files {
            var folder = directory.path
            for part in name.split(separator: "/").dropLast() {
                folder += "/" + part
                mkdir(folder, 0o755)
            }
            try FileSystem.write(Array(text.utf8), to: directory.path + "/" + name)
        }
    }

    var options: CheckOptions { CheckOptions(paths: [directory.path], ephemeral: nil) }

    func scan(_ options: CheckOptions? = nil) throws -> ConfigScanResult {
        try ConfigCheck.scan(options ?? self.options, now: Timestamp(secondsSinceEpoch: 0))
    }

    func report(_ options: CheckOptions? = nil) throws -> CheckReport {
        let options = options ?? self.options
        return ConfigCheck.evaluate(try scan(options), registry: RegistrySnapshot(), options: options)
    }

    /// The collision findings (errors and warnings), the rest left out.
    func collisions(_ options: CheckOptions? = nil) throws -> [Finding] {
        try report(options).findings.filter { $0.kind == .collision }
    }
}

/// A workload with one container port published on the node.
func workload(
    _ kind: String, _ name: String, namespace: String? = nil, hostPort: Int, apiVersion: String = "apps/v1",
    containerPortText: String = "8080", hostPortText: String? = nil
) -> String {
    let podSpec = """
        containers:
          - name: main
            image: example/\(name)
            ports:
              - containerPort: \(containerPortText)
                hostPort: \(hostPortText ?? String(hostPort))
        """
    let indented: String
    switch kind {
    case "Pod": indented = indent(podSpec, 2)
    case "CronJob":
        indented =
            "  schedule: \"* * * * *\"\n  jobTemplate:\n    spec:\n      template:\n        spec:\n"
            + indent(podSpec, 10)
    default: indented = "  template:\n    spec:\n" + indent(podSpec, 6)
    }
    return """
        apiVersion: \(apiVersion)
        kind: \(kind)
        metadata:
          name: \(name)
        \(namespace.map { "  namespace: \($0)\n" } ?? "")spec:
        \(indented)

        """
}

func nodePortService(_ name: String, nodePort: Int, namespace: String? = nil) -> String {
    """
    apiVersion: v1
    kind: Service
    metadata:
      name: \(name)
    \(namespace.map { "  namespace: \($0)\n" } ?? "")spec:
      type: NodePort
      ports:
        - port: 80
          nodePort: \(nodePort)

    """
}

private func indent(_ text: String, _ spaces: Int) -> String {
    let prefix = String(repeating: " ", count: spaces)
    return text.split(separator: "\n", omittingEmptySubsequences: false).map { prefix + $0 }.joined(separator: "\n")
}
