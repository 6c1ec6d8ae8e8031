import PortRegistryModel

/// Loads Compose files as Compose does (the Compose specification's merge, `extends` and
/// `include` rules), down to what `check` needs: the host ports each service publishes, with
/// the file and line each one comes from. Which files run together is decided by
/// `loadProject` (ComposeDeployments.swift); the port entries are read in
/// ComposePortEntries.swift.
///
/// `ports` merge as the specification's "unique resources": an override's entry replaces the
/// base entry with the same (host IP, target, published, protocol) and is appended otherwise;
/// `!reset` clears the list and `!override` replaces it. Every file is read through the
/// tree's confined reader (`SourceTree`): a reference out of the tree is a warning naming the
/// reference, never a read.
package struct ComposeLoader {
    package struct Entry {
        /// The merge key: host IP, target, published port and protocol.
        var key: String
        var mapping: ComposePortSyntax.Mapping
        var location: SourceLocation
        var ignored: Bool
        /// The entry's text used a variable that had a value.
        var usesVariables = false
        /// Where the values came from when not the project's `.env`.
        var valueSource: String?
    }

    package struct Service {
        var entries: [Entry] = []
        var networkModeHost: Bool?
        /// `network_mode: service:X` or `container:X`: the container joins another's network
        /// and publishes nothing of its own (Docker refuses `ports` there).
        var sharesNetwork: Bool?
        var image: String?
        var hasBuild = false
        var profiles: [String] = []
        /// `scale` or `deploy.replicas`, and where it is set.
        var replicas: (count: Int, location: SourceLocation)?
        /// Where the service's containers read files from: `env_file`s and the build
        /// context. A `.env` there configures the container, not a host port.
        var containerFiles: [String] = []
        /// Other services, networks and volumes it names (`depends_on`, `links`,
        /// `volumes_from`, `network_mode: service:X`; `networks`; named volumes): a file whose
        /// services name what only another file defines cannot run alone.
        var namedServices: [String] = []
        var namedNetworks: [String] = []
        var namedVolumes: [String] = []
        /// The service of another file it extends (`extends.file`), as (physical path, name).
        var extendsFrom: (file: String, service: String)?
    }

    package enum MergeMode { case append, reset, replace }

    /// One Compose file; a multi-document file is its documents merged in order, as if each
    /// were a `-f` file of its own (compose-go's loader).
    package final class ParsedFile {
        let path: String
        let documents: [Node]
        let ignoredLines: Set<Int>

        init(path: String, documents: [Node], ignoredLines: Set<Int>) {
            self.path = path
            self.documents = documents
            self.ignoredLines = ignoredLines
        }

        /// The service's definition in each document that has it, in order.
        func service(_ name: String) -> [Node] { documents.compactMap { $0.value("services")?.value(name) } }

        /// The service names the file defines, in order.
        var serviceNames: [String] {
            var seen = Set<String>()
            return documents.flatMap { $0.value("services")?.pairs.map(\.key) ?? [] }.filter {
                seen.insert($0).inserted
            }
        }

        /// Names the file defines at the top level under `key` (`networks`, `volumes`).
        func topLevelNames(_ key: String) -> Set<String> {
            Set(documents.flatMap { $0.value(key)?.pairs.map(\.key) ?? [] })
        }

        /// The last `name:` of the file.
        var projectName: Node? { documents.reversed().lazy.compactMap { $0.value("name") }.first }

        /// The file has an `include` list.
        var includes: Bool { documents.contains { $0.value("include") != nil } }
    }

    /// What a project's `.env` says about which files and profiles `docker compose up` uses.
    package struct Selection {
        /// `COMPOSE_FILE`, resolved against the project folder: the base, when set.
        var composeFile: [String]?
        /// Where `COMPOSE_FILE` is set, for a file it names that cannot be read.
        var composeFileLocation: SourceLocation?
        /// `COMPOSE_PROFILES`: the profiles that run; nil when unset (then disjoint profile
        /// sets are alternatives).
        var activeProfiles: Set<String>?
        /// Where the interpolation values come from when it is not the project's `.env`
        /// (`.env.example`): said in the findings that depend on them.
        var valueSource: String?
    }

    /// The tree every file is read from.
    let tree: SourceTree
    /// Variables whose values come from outside the tree (`--env-file`, `--use-env`): a
    /// message that would quote them quotes the entry as written instead.
    package var outsideNames: Set<String> = []

    var findings: [Finding] = []
    /// Every file read, as displayed.
    private(set) var filesRead = Set<String>()
    /// Physical paths of files that some project includes (or names in `COMPOSE_FILE`): they
    /// are building blocks of that project, never projects of their own.
    var included = Set<String>()
    /// Physical paths of `env_file`s and build contexts of the services loaded: a `.env`
    /// among them (or in such a folder) is the container's environment, not a standalone config.
    private(set) var containerFiles = Set<String>()
    /// The same paths as written, so each is resolved once.
    private var seenContainerFiles = Set<String>()
    private var cache: [String: ParsedFile?] = [:]
    /// Where the current project's values come from when not its `.env` (`.env.example`).
    var valueSource: String?
    /// Port entries that publish nothing, and why (`check --list`).
    var silentEntries: [SilentEntry] = []
    /// `extends` cycles already reported (each once, not once per member).
    var reportedCycles = Set<[String]>()
    /// Services that extend a service of another file: (physical file, service) of both
    /// sides. The scan makes the two one app where their files belong to different projects.
    var extensions: [(extending: ServiceKey, extended: ServiceKey)] = []

    /// A service by the physical path of the file that defines it and its name.
    package struct ServiceKey: Hashable {
        var file: String
        var service: String
    }

    package init(tree: SourceTree) { self.tree = tree }

    /// Forgets the parsed files (the claims are kept): a loader of one chunk of a large tree
    /// holds its files' YAML only while it loads them.
    mutating func dropParsedFiles() { cache = [:] }

    /// What another loader found (a chunk of the tree loaded on another core), after this one's.
    mutating func absorb(_ other: ComposeLoader) {
        findings += other.findings
        filesRead.formUnion(other.filesRead)
        included.formUnion(other.included)
        containerFiles.formUnion(other.containerFiles)
        extensions += other.extensions
        silentEntries += other.silentEntries
    }

    /// The physical path of `path` when the tree holds it, else `path` as given.
    func physical(_ path: String) -> String {
        if case .success(let resolved) = tree.resolve(path) { return resolved }
        return path
    }

    // MARK: Files

    /// Parses a Compose file once; nil (with a finding) when it cannot be used. `from` is the
    /// `include`, `extends` or `COMPOSE_FILE` line that names it: a file it names that the
    /// tree's confinement refuses is a warning there, naming the reference.
    mutating func parse(_ path: String, from reference: SourceLocation?) -> ParsedFile? {
        if let cached = cache[path] { return cached }
        cache[path] = .some(nil)
        func fail(_ line: Int?, _ message: String, severity: Severity = .error) {
            let location = line == nil && reference != nil ? reference! : SourceLocation(file: path, line: line ?? 1)
            let text = reference != nil && line == nil ? "\(ConfigText.quoted(path)) \(message)" : message
            findings.append(
                Finding(
                    severity: severity, kind: .parse, message: text, places: [Finding.Place(location: location)]))
        }
        let text: String
        switch tree.read(path) {
        case .success(let contents): text = contents
        case .failure(let failure):
            if reference == nil { filesRead.insert(path) }
            // A reference the confinement refuses is not read: a warning naming it (SPEC).
            switch failure.refusal {
            case .missing?:
                fail(nil, "does not exist")
            case let refusal?:
                let location = reference ?? SourceLocation(file: path, line: 1)
                refused("COMPOSE_FILE entry", path, refusal, at: location)
            case nil:
                fail(failure.line, failure.message)
            }
            return nil
        }
        filesRead.insert(path)
        let (documents, failure) = YAMLDocuments.parse(text)
        if let failure {
            fail(failure.line, failure.message)
            return nil
        }
        // Every document counts, merged in order; empty ones are empty models.
        var roots: [Node] = []
        for root in documents where !root.isNull {
            guard root.isMapping else {
                fail(root.line, "a Compose file must be a mapping (services:, …)")
                return nil
            }
            if let services = root.value("services"), !services.isMapping, !services.isNull {
                fail(services.line, "'services' must be a mapping of service names")
                return nil
            }
            roots.append(root)
        }
        let parsed = ParsedFile(
            path: path, documents: roots, ignoredLines: roots.isEmpty ? [] : ConfigFile.ignoredLines(text))
        cache[path] = parsed
        return parsed
    }

    /// The merged services of `files` (`-f a -f b …`), in order of first appearance.
    mutating func services(of files: [String], variables: [String: String], reference: SourceLocation? = nil)
        -> (services: [String: Service], order: [String])
    {
        var services: [String: Service] = [:]
        var order: [String] = []
        for file in files {
            guard let parsed = parse(file, from: reference) else { continue }
            var chain = [physical(file)]
            var loaded = Set<String>()
            loadIncludes(
                of: parsed, variables: variables, into: &services, order: &order, chain: &chain, loaded: &loaded)
            loadServices(of: parsed, variables: variables, into: &services, order: &order)
        }
        for name in order {
            for path in services[name]?.containerFiles ?? [] where seenContainerFiles.insert(path).inserted {
                containerFiles.insert(physical(path))
            }
        }
        return (services, order)
    }

    /// Physical paths of the files that `file` includes.
    mutating func includedFiles(of file: String, variables: [String: String]) -> Set<String> {
        guard let parsed = parse(file, from: nil) else { return [] }
        let interpolation = ComposeInterpolation(variables: variables)
        let directory = ConfigFile.directory(of: file)
        var result = Set<String>()
        for document in parsed.documents {
            for item in document.value("include")?.items ?? [] {
                let nodes =
                    item.text != nil ? [item] : item.value("path").map { $0.isSequence ? $0.items : [$0] } ?? []
                for node in nodes {
                    guard let raw = node.text else { continue }
                    let relative = (try? interpolation.interpolate(raw).text) ?? raw
                    guard !relative.contains("://") else { continue }
                    result.insert(physical(ConfigFile.join(directory, relative)))
                }
            }
        }
        return result
    }

    /// Whether `docker compose -f FILE up` could run the file alone: every service has an
    /// `image`, a `build` or an `extends`, and names no service, network or volume that the
    /// file does not define. A file that cannot is an overlay of a main file.
    mutating func canRunAlone(_ file: String, variables: [String: String]) -> Bool {
        guard let parsed = parse(file, from: nil) else { return true }
        let (services, order) = services(of: [file], variables: variables)
        guard !order.isEmpty else { return parsed.includes }
        let names = Set(order)
        let networks = parsed.topLevelNames("networks").union(["default"])
        let volumes = parsed.topLevelNames("volumes")
        for name in order {
            guard let service = services[name] else { continue }
            if service.image == nil && !service.hasBuild { return false }
            if !service.namedServices.allSatisfy(names.contains) { return false }
            if !service.namedNetworks.allSatisfy(networks.contains) { return false }
            if !service.namedVolumes.allSatisfy(volumes.contains) { return false }
        }
        return true
    }

    private mutating func loadServices(
        of file: ParsedFile, variables: [String: String], into services: inout [String: Service],
        order: inout [String]
    ) {
        for document in file.documents {
            guard let node = document.value("services") else { continue }
            for (name, definition) in node.pairs {
                guard let (service, mode) = resolve(definition, named: name, in: file, variables: variables, chain: [])
                else { continue }
                if services[name] == nil { order.append(name) }
                services[name] = Self.merge(services[name] ?? Service(), service, mode: mode)
            }
        }
    }

    /// A finding about a reference (an `include`, an `env_file`, an `extends.file`) that the
    /// tree's confinement refused: a warning naming the reference, never its target's content.
    mutating func refused(
        _ what: String, _ reference: String, _ refusal: SourceTree.Refusal, at location: SourceLocation,
        service: String? = nil, severity: Severity = .warning
    ) {
        findings.append(
            Finding(
                severity: severity, kind: .parse,
                message: refusal == .missing
                    ? "\(what) \(ConfigText.quoted(reference)) does not exist"
                    : "\(what) \(ConfigText.quoted(reference)) is not read: \(refusal.reason)",
                places: [Finding.Place(location: location, service: service)]))
    }

    private mutating func loadIncludes(
        of file: ParsedFile, variables: [String: String], into services: inout [String: Service],
        order: inout [String], chain: inout [String], loaded: inout Set<String>
    ) {
        let include = file.documents.flatMap { $0.value("include")?.items ?? [] }
        guard !include.isEmpty else { return }
        let interpolation = ComposeInterpolation(variables: variables)
        func interpolated(_ node: Node) -> String? {
            guard let text = node.text else { return nil }
            return (try? interpolation.interpolate(text).text) ?? text
        }
        for item in include {
            var paths: [(String, Int?)] = []
            var envFiles: [(String, Int?)]?
            var projectDirectory: String?
            if let text = interpolated(item) {
                paths = [(text, item.line)]
            } else if item.isMapping {
                if let path = item.value("path") {
                    paths = (path.isSequence ? path.items : [path]).compactMap { node in
                        interpolated(node).map { ($0, node.line) }
                    }
                }
                if let env = item.value("env_file") {
                    envFiles = (env.isSequence ? env.items : [env]).compactMap { node in
                        interpolated(node).map { ($0, node.line ?? item.line) }
                    }
                }
                projectDirectory = item.value("project_directory").flatMap(interpolated)
            }
            let base = ConfigFile.directory(of: file.path)
            for (relative, line) in paths {
                let reference = SourceLocation(file: file.path, line: line)
                // Remote resources (git, oci://) are not fetched: nothing to check there.
                if relative.contains("://") || relative.hasPrefix("git@") {
                    findings.append(
                        Finding(
                            severity: .warning, kind: .parse,
                            message:
                                "include \(ConfigText.quoted(relative)) is remote: not fetched, its ports are not checked",
                            places: [Finding.Place(location: reference)]))
                    continue
                }
                let path = ConfigFile.join(base, relative)
                if let refusal = tree.refusal(path) {
                    if refusal == .missing {
                        findings.append(
                            Finding(
                                severity: .error, kind: .parse,
                                message: "included file \(ConfigText.quoted(path)) does not exist",
                                places: [Finding.Place(location: reference)]))
                    } else {
                        refused("include", relative, refusal, at: reference)
                    }
                    continue
                }
                let canonical = physical(path)
                included.insert(canonical)
                if chain.contains(canonical) {
                    findings.append(
                        Finding(
                            severity: .error, kind: .parse,
                            message: "include cycle: \(ConfigText.quoted(path)) includes itself",
                            places: [Finding.Place(location: reference)]))
                    continue
                }
                // A file included twice (directly or through others) is read and merged once:
                // the cost stays linear in the files, whatever a hostile tree nests.
                guard loaded.insert(canonical).inserted else { continue }
                guard let parsed = parse(path, from: reference) else { continue }
                // The included file's own .env (or env_file) fills in what the including
                // project does not define.
                var scope = variables
                // env_file paths are relative to the including file; the default .env lives in
                // the included project's folder (compose-go's include loader).
                let directory = projectDirectory.map { ConfigFile.join(base, $0) } ?? ConfigFile.directory(of: path)
                let envPaths: [(String, String?, Int?)] =
                    envFiles.map { $0.map { (ConfigFile.join(base, $0.0), $0.0, $0.1) } }
                    ?? [(ConfigFile.join(directory, ".env"), nil, nil)]
                for (envPath, written, envLine) in envPaths {
                    switch tree.read(envPath) {
                    case .success(let text):
                        for (key, value) in EnvFile(text: text, inherited: scope).variables where scope[key] == nil {
                            scope[key] = value
                        }
                    case .failure(let failure):
                        // The default `.env` may be absent; a named one that the tree refuses
                        // is said, never read.
                        guard let written else { break }
                        refused(
                            "env_file", written, failure.refusal ?? .unreadable(failure.message),
                            at: SourceLocation(file: file.path, line: envLine))
                    }
                }
                chain.append(canonical)
                loadIncludes(
                    of: parsed, variables: scope, into: &services, order: &order, chain: &chain, loaded: &loaded)
                loadServices(of: parsed, variables: scope, into: &services, order: &order)
                chain.removeLast()
            }
        }
    }
}
