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
    private var reportedCycles = Set<[String]>()
    /// Services that extend a service of another file: (physical file, service) of both
    /// sides. The scan makes the two one app where their files belong to different projects.
    private(set) var extensions: [(extending: ServiceKey, extended: ServiceKey)] = []

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

    // MARK: Services

    /// One service of one file with its `extends` chain applied, and how it merges onto what
    /// earlier files said about it.
    private mutating func resolve(
        _ node: Node, named name: String, in file: ParsedFile, variables: [String: String], chain: [String]
    ) -> (Service, MergeMode)? {
        var service = Service()
        var mode = MergeMode.append
        // `web: !reset {}` in an override drops what earlier files said of the service;
        // `web: !override {…}` replaces it.
        switch node.tagName {
        case "!reset": return (service, .reset)
        case "!override": mode = .replace
        default: break
        }
        // The service's fields in one pass (merge keys resolved once, not per lookup).
        var field: [String: Node] = [:]
        for (key, value) in node.pairs {
            switch key {
            case "ports", "network_mode", "image", "profiles", "scale", "deploy", "env_file", "build", "extends",
                "depends_on", "links", "volumes_from", "networks", "volumes":
                field[key] = value
            default: break
            }
        }
        let portsNode = field["ports"]
        if let portsNode {
            switch portsNode.tagName {
            case "!reset": mode = .reset
            case "!override": mode = .replace
            default: break
            }
            if mode != .reset {
                service.entries = entries(portsNode, in: file, variables: variables, service: name)
            }
        }
        let interpolation = ComposeInterpolation(variables: variables)
        func interpolated(_ node: Node?) -> String? {
            guard let text = node?.text else { return nil }
            return (try? interpolation.interpolate(text).text) ?? text
        }
        if let network = interpolated(field["network_mode"]) {
            service.networkModeHost = network == "host"
            service.sharesNetwork = network.hasPrefix("service:") || network.hasPrefix("container:")
            if network.hasPrefix("service:") { service.namedServices.append(String(network.dropFirst(8))) }
        }
        service.image = field["image"]?.text
        service.hasBuild = field["build"] != nil || field["extends"] != nil
        service.profiles = field["profiles"]?.items.compactMap(\.text) ?? []
        Self.readNames(field, into: &service)
        // `scale` wins over `deploy.replicas`, as in Compose (which refuses the two when they differ).
        for node in [field["scale"], field["deploy"]?.value("replicas")] {
            guard let node, service.replicas == nil, let count = interpolated(node).flatMap({ Int($0) }) else {
                continue
            }
            service.replicas = (count, SourceLocation(file: file.path, line: node.line))
        }
        let directory = ConfigFile.directory(of: file.path)
        if let envFile = field["env_file"] {
            for item in envFile.isSequence ? envFile.items : [envFile] {
                guard let path = interpolated(item.isMapping ? item.value("path") : item) else { continue }
                let resolved = ConfigFile.join(directory, path)
                service.containerFiles.append(resolved)
                // An env_file sets the container's environment, never a host port: CI never has
                // the `.env` that holds secrets, so a missing one is a warning (SPEC), and one
                // outside the tree is not looked at.
                let required = item.isMapping ? interpolated(item.value("required")) : nil
                guard required != "false", let refusal = tree.refusal(resolved) else { continue }
                let location = SourceLocation(file: file.path, line: item.line)
                if refusal == .missing {
                    findings.append(
                        Finding(
                            severity: .warning, kind: .parse,
                            message:
                                "env_file \(ConfigText.quoted(path)) does not exist: Docker refuses to start \(name) until it does (its ports are checked all the same)",
                            places: [Finding.Place(location: location, service: name)]))
                } else {
                    refused("env_file", path, refusal, at: location, service: name)
                }
            }
        }
        if let build = field["build"],
            let context = interpolated(build.isMapping ? build.value("context") : build), !context.contains("://")
        {
            service.containerFiles.append(ConfigFile.join(directory, context))
        }
        guard let extends = field["extends"] else { return (service, mode) }
        let link = "\(physical(file.path))\u{1}\(name)"
        let reference = SourceLocation(file: file.path, line: extends.line)
        if let start = chain.firstIndex(of: link) {
            // One finding per cycle, whichever member it was reached from.
            let members = chain[start...].map { String($0.split(separator: "\u{1}").last ?? "") }
            let rotation = members.indices.min { members[$0] < members[$1] } ?? 0
            let cycle = Array(members[rotation...] + members[..<rotation])
            if reportedCycles.insert(cycle).inserted {
                findings.append(
                    Finding(
                        severity: .error, kind: .parse,
                        message: "extends cycle: \((cycle + [cycle[0]]).joined(separator: " → "))",
                        places: [Finding.Place(location: reference, service: name)]))
            }
            return (service, mode)
        }
        guard chain.count < 32 else { return (service, mode) }
        var baseName = interpolated(extends)
        var baseFile = file
        if extends.isMapping {
            baseName = interpolated(extends.value("service"))
            if let path = interpolated(extends.value("file")) {
                let resolved = ConfigFile.join(ConfigFile.directory(of: file.path), path)
                if let refusal = tree.refusal(resolved) {
                    refused(
                        "extends file", path, refusal, at: reference, service: name,
                        severity: refusal == .missing ? .error : .warning)
                    return (service, mode)
                }
                guard let parsed = parse(resolved, from: reference) else { return (service, mode) }
                baseFile = parsed
            }
        }
        // The service named, merged over every document of its file that defines it.
        var base: Service?
        if let baseName {
            for definition in baseFile.service(baseName) {
                guard
                    let (part, partMode) = resolve(
                        definition, named: baseName, in: baseFile, variables: variables, chain: chain + [link])
                else { continue }
                base = Self.merge(base ?? Service(), part, mode: partMode)
            }
        }
        guard let base, let baseName else {
            findings.append(
                Finding(
                    severity: .error, kind: .parse,
                    message:
                        "extends: service \(ConfigText.quoted(baseName ?? "")) not found in \(ConfigText.quoted(baseFile.path))",
                    places: [Finding.Place(location: reference, service: name)]))
            return (service, mode)
        }
        if baseFile !== file {
            let extended = ServiceKey(file: physical(baseFile.path), service: baseName)
            service.extendsFrom = (extended.file, extended.service)
            extensions.append((ServiceKey(file: physical(file.path), service: name), extended))
        }
        // One merge for overrides, variants and `extends` (issue 16): the extending service is
        // an override of the one it extends, `profiles` included (compose-go merges both
        // with the same rules).
        return (Self.merge(base, service, mode: mode), mode)
    }

    /// The services, networks and volumes a service names.
    private static func readNames(_ field: [String: Node], into service: inout Service) {
        for key in ["depends_on", "links", "volumes_from"] {
            guard let node = field[key] else { continue }
            let names = node.isMapping ? node.pairs.map(\.key) : node.items.compactMap(\.text)
            // `links: [db:database]`, `volumes_from: [data:ro]`, `container:NAME` is no service.
            service.namedServices += names.filter { !$0.hasPrefix("container:") }.map {
                String($0.split(separator: ":").first ?? "")
            }
        }
        if let networks = field["networks"] {
            service.namedNetworks = networks.isMapping ? networks.pairs.map(\.key) : networks.items.compactMap(\.text)
        }
        for item in field["volumes"]?.items ?? [] {
            // `name:/path` names a volume; `./dir:/path`, `/abs:/path` and `~/x` are binds.
            let source: String? =
                item.isMapping
                ? (item.value("type")?.text == "volume" ? item.value("source")?.text : nil)
                : item.text.flatMap { text in text.contains(":") ? String(text.split(separator: ":")[0]) : nil }
            if let source, !source.isEmpty, !source.hasPrefix("."), !source.hasPrefix("/"), !source.hasPrefix("~"),
                !source.hasPrefix("$")
            {
                service.namedVolumes.append(source)
            }
        }
    }

    package static func merge(_ base: Service, _ override: Service, mode: MergeMode) -> Service {
        var result = base
        result.networkModeHost = override.networkModeHost ?? base.networkModeHost
        result.sharesNetwork = override.sharesNetwork ?? base.sharesNetwork
        result.image = override.image ?? base.image
        result.hasBuild = base.hasBuild || override.hasBuild
        result.replicas = override.replicas ?? base.replicas
        result.containerFiles += override.containerFiles
        result.namedServices += override.namedServices
        result.namedNetworks += override.namedNetworks
        result.namedVolumes += override.namedVolumes
        result.extendsFrom = override.extendsFrom ?? base.extendsFrom
        for profile in override.profiles where !result.profiles.contains(profile) { result.profiles.append(profile) }
        switch mode {
        case .reset:
            result.entries = []
        case .replace:
            result.entries = override.entries
        case .append:
            var position: [String: Int] = [:]
            for (index, entry) in result.entries.enumerated() { position[entry.key] = index }
            for entry in override.entries {
                if let index = position[entry.key] {
                    result.entries[index] = entry
                } else {
                    position[entry.key] = result.entries.count
                    result.entries.append(entry)
                }
            }
        }
        return result
    }
}
