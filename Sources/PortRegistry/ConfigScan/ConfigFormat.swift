import PortRegistryFormats
import PortRegistryModel

/// One kind of config file that `check` reads file by file (Kubernetes manifests, Procfiles,
/// standalone `.env` files, registry CSVs): how Discovery recognises it by name, and how one
/// file becomes claims with their locations. A new format (Nomad, Quadlet, …) is one new type
/// conforming to this, added to `ConfigFormats.perFile`; docs/ARCHITECTURE.md says how.
///
/// Compose is the one format read by folder rather than by file (a project is a folder's
/// files merged, with a base and variants), so `ComposeLoader` reads it; Discovery still asks
/// `Discovery.isComposeName` first.
package protocol ConfigFormat: Sendable {
    /// The key Discovery files its candidates under, e.g. `kubernetes`.
    var name: String { get }
    /// Whether a regular file of this base name is a candidate. Cheap: nothing is read.
    func recognises(fileName: String) -> Bool
    /// Reads one candidate. A file that turns out not to be of this format returns
    /// `counted: false` and nothing else (SPEC: other YAML is skipped without a word).
    func read(path: String, context: ConfigFormatContext) -> ConfigFormatScan
}

/// What a per-file format may need besides the file.
package struct ConfigFormatContext {
    package var options: CheckOptions
    package var now: Timestamp
    /// The trees checked: every file is read through it (`SourceTree.read`).
    package var tree: SourceTree
    /// The kustomizations of the checked trees, each read once per run.
    package var kustomizations: Kustomizations

    package init(options: CheckOptions, now: Timestamp, tree: SourceTree) {
        self.options = options
        self.now = now
        self.tree = tree
        self.kustomizations = Kustomizations(tree: tree)
    }
}

/// What one file yields.
package struct ConfigFormatScan {
    package var ports: [PublishedPort] = []
    package var findings: [Finding] = []
    /// Registry rows (a registry CSV in the tree).
    package var assignments: [RegistryClaim] = []
    /// The file was of this format: it counts among the files read.
    package var counted = false
}

/// Every per-file format, in the order Discovery offers a file to them (the first that
/// recognises a name gets the file).
package enum ConfigFormats {
    package static let perFile: [any ConfigFormat] = [
        KubernetesFormat(), ProcfileFormat(), StandaloneEnvFormat(), RegistryCSVFormat(),
    ]

    /// The format that takes a file of this name, if any.
    package static func format(for fileName: String) -> (any ConfigFormat)? {
        perFile.first { $0.recognises(fileName: fileName) }
    }

    package static func unreadable(_ path: String, _ failure: ConfigFile.Unreadable) -> Finding {
        Finding(
            severity: .error, kind: .parse, message: failure.message,
            places: [Finding.Place(location: SourceLocation(file: path, line: failure.line ?? 1))])
    }
}

/// Any other `*.yaml`/`*.yml`: a Kubernetes manifest when a document has `apiVersion` and `kind`.
package struct KubernetesFormat: ConfigFormat {
    package var name: String { "kubernetes" }

    package func recognises(fileName: String) -> Bool { fileName.hasSuffix(".yaml") || fileName.hasSuffix(".yml") }

    package func read(path: String, context: ConfigFormatContext) -> ConfigFormatScan {
        var scan = ConfigFormatScan()
        let text: String
        switch context.tree.read(path) {
        case .success(let contents): text = contents
        case .failure(let failure):
            // Ours only if it would have been a manifest, which cannot be told without
            // reading it; the size limit is ours to report.
            if failure.message.hasPrefix("larger than") {
                scan.findings.append(ConfigFormats.unreadable(path, failure))
                scan.counted = true
            }
            return scan
        }
        guard KubernetesManifest.mayBeManifest(text) else { return scan }
        let manifest = KubernetesManifest.scan(
            path: path, text: text, nodePorts: context.options.nodePortRange ?? CheckOptions.defaultNodePorts,
            kustomized: context.kustomizations.namespace(of: path))
        guard manifest.isManifest else { return scan }
        scan.counted = true
        scan.ports = manifest.ports
        scan.findings = manifest.findings
        return scan
    }
}

/// `Procfile`, `Procfile.*`.
package struct ProcfileFormat: ConfigFormat {
    package var name: String { "procfile" }

    package func recognises(fileName: String) -> Bool { Procfile.isProcfileName(fileName) }

    package func read(path: String, context: ConfigFormatContext) -> ConfigFormatScan {
        var scan = ConfigFormatScan(counted: true)
        switch context.tree.read(path) {
        case .success(let text):
            (scan.ports, scan.findings) = Procfile.ports(path: path, text: text)
            scan.ports = Procfile.asAlternatives(scan.ports, path: path)
        case .failure(let failure): scan.findings.append(ConfigFormats.unreadable(path, failure))
        }
        return scan
    }
}

/// A `.env` in a folder that is no Compose project. (The scan decides that first: a `.env`
/// beside Compose files, or read by a service, is interpolation or a container's environment.)
package struct StandaloneEnvFormat: ConfigFormat {
    package var name: String { "env" }

    package func recognises(fileName: String) -> Bool { fileName == ".env" }

    package func read(path: String, context: ConfigFormatContext) -> ConfigFormatScan {
        var scan = ConfigFormatScan()
        switch context.tree.read(path) {
        case .success(let text):
            (scan.ports, scan.findings) = StandaloneEnv.ports(path: path, text: text)
            scan.counted = !scan.ports.isEmpty || !scan.findings.isEmpty
        case .failure(let failure):
            scan.findings.append(ConfigFormats.unreadable(path, failure))
            scan.counted = true
        }
        return scan
    }
}

/// A CSV with the registry header: its rows count like `--assignments`.
package struct RegistryCSVFormat: ConfigFormat {
    package var name: String { "registry-csv" }

    package func recognises(fileName: String) -> Bool { fileName.hasSuffix(".csv") }

    package func read(path: String, context: ConfigFormatContext) -> ConfigFormatScan {
        var scan = ConfigFormatScan()
        if let committed = context.options.assignmentsFile.flatMap(ConfigFile.canonical),
            ConfigFile.canonical(path) == committed
        {
            return scan  // compared with already
        }
        guard var reader = try? CSVReader(path: path) else { return scan }
        reader.computesDigest = false
        guard let header = try? reader.next(), RegistryCSV.isRegistryHeader(header.fields) else { return scan }
        scan.counted = true
        do {
            scan.assignments = try ConfigCheck.readAssignments(path, now: context.now)
        } catch let error as RegistryError {
            scan.findings.append(
                Finding(
                    severity: .error, kind: .parse, message: error.message,
                    places: [Finding.Place(location: SourceLocation(file: path, line: error.location?.line))]))
        } catch {
            scan.findings.append(
                Finding(
                    severity: .error, kind: .parse, message: "\(error)",
                    places: [Finding.Place(location: SourceLocation(file: path, line: 1))]))
        }
        return scan
    }
}
