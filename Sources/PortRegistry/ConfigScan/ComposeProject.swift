import PortRegistryModel

/// Loads Compose projects as Compose does (the Compose specification's merge, `extends` and
/// `include` rules), down to what `check` needs: the host ports each service publishes, with the
/// file and line each one comes from.
///
/// A project is one folder's Compose files (SPEC: `compose.yaml`, `docker-compose.yml` and their
/// `compose.*.yaml` / `docker-compose.*.yml` overrides), merged in order; a service is
/// (project, service name). `ports` merge as the specification's "unique resources": an
/// override's entry replaces the base entry with the same (host IP, target, published,
/// protocol) and is appended otherwise; `!reset` clears the list and `!override` replaces it.
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
        var image: String?
        var profiles: [String] = []
        /// `scale` or `deploy.replicas`, and where it is set.
        var replicas: (count: Int, location: SourceLocation)?
        /// Where the service's containers read files from: `env_file`s and the build
        /// context. A `.env` there configures the container, not a host port.
        var containerFiles: [String] = []
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

        /// The last `name:` of the file.
        var projectName: Node? { documents.reversed().lazy.compactMap { $0.value("name") }.first }
    }

    /// What a project yields once loaded.
    package struct Project {
        var directory: String
        var name: String
        var ports: [PublishedPort] = []
        /// The project's own Compose files that parsed.
        var members: [String] = []
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

    private(set) var findings: [Finding] = []
    /// Every file read, as displayed.
    private(set) var filesRead = Set<String>()
    /// Canonical paths of files that some project includes or extends (`extends.file`): they
    /// are building blocks of that project, never projects of their own.
    private(set) var included = Set<String>()
    /// Canonical paths of `env_file`s and build contexts of the services loaded: a `.env`
    /// among them (or in such a folder) is the container's environment, not a standalone config.
    private(set) var containerFiles = Set<String>()
    /// The same paths as written, so each is resolved once.
    private var seenContainerFiles = Set<String>()
    private var cache: [String: ParsedFile?] = [:]
    /// Where the current project's values come from when not its `.env` (`.env.example`).
    private var valueSource: String?

    // MARK: Projects

    /// The main files `docker compose` looks for, in its order of preference (compose-go's
    /// `DefaultFileNames`), and the default overrides, of which it merges the first found.
    package static let mainNames = ["compose.yaml", "compose.yml", "docker-compose.yml", "docker-compose.yaml"]
    package static let defaultOverrideNames = [
        "compose.override.yml", "compose.override.yaml", "docker-compose.override.yml", "docker-compose.override.yaml",
    ]

    /// Loads one folder's Compose files as SPEC's base and variants: the base is
    /// `COMPOSE_FILE`, else the main file plus the default override; every other file is a
    /// variant, base + that file. A folder without a base makes each file a variant. The
    /// base's claims come once (`variant` nil); a variant contributes only the claims it adds
    /// or changes, so that no location is reported twice. Files that another file of the
    /// folder extends or includes are building blocks, not variants.
    package mutating func loadProject(
        directory: String, files: [String], variables: [String: String], selection: Selection = Selection()
    ) -> Project {
        let canonicalDirectory = ConfigFile.canonical(directory) ?? directory
        let folderName = ConfigFile.baseName(canonicalDirectory)
        var project = Project(directory: directory, name: Self.normalizedProjectName(folderName))
        var parsedFiles: [String] = []
        for file in files where parse(file, from: nil) != nil { parsedFiles.append(file) }
        project.members = parsedFiles

        let base: [String]
        if let composeFile = selection.composeFile {
            base = composeFile
        } else {
            let byName = Dictionary(parsedFiles.map { (ConfigFile.baseName($0), $0) }, uniquingKeysWith: { a, _ in a })
            if let main = Self.mainNames.lazy.compactMap({ byName[$0] }).first {
                base = [main] + (Self.defaultOverrideNames.lazy.compactMap { byName[$0] }.first.map { [$0] } ?? [])
            } else {
                base = []
            }
        }
        let baseSet = Set(base.map { ConfigFile.canonical($0) ?? $0 })
        // `COMPOSE_FILE` may name files of other folders: they belong to this project.
        for path in baseSet where ConfigFile.directory(of: path) != canonicalDirectory { included.insert(path) }
        var referenced = Set<String>()
        for file in parsedFiles { referenced.formUnion(references(of: file, variables: variables)) }
        let variants = parsedFiles.filter {
            let canonical = ConfigFile.canonical($0) ?? $0
            return !baseSet.contains(canonical) && !referenced.contains(canonical)
        }

        for file in base {
            guard let parsed = parse(file, from: selection.composeFileLocation) else { continue }
            if let name = parsed.projectName?.text,
                let value = try? ComposeInterpolation(variables: variables).interpolate(name).text, !value.isEmpty
            {
                project.name = Self.normalizedProjectName(value)
            }
        }
        valueSource = selection.valueSource
        defer { valueSource = nil }
        let context = PortContext(
            project: project.name, folderName: folderName, directory: canonicalDirectory, selection: selection)
        let baseClaims = claims(of: base, variables: variables, context: context, variant: nil)
        project.ports = baseClaims
        let known = Set(baseClaims.map(Self.sameClaim))
        for file in variants {
            let name = ConfigFile.baseName(file)
            for claim in claims(of: base + [file], variables: variables, context: context, variant: name)
            where !known.contains(Self.sameClaim(claim)) {
                var claim = claim
                claim.variant = name
                project.ports.append(claim)
            }
        }
        return project
    }

    /// What makes a variant's claim the base's own: the same service publishing the same
    /// socket the same way, wherever it is written (a variant that repeats `8080:80` adds
    /// nothing, and its line would only repeat the base's in every finding).
    package static func sameClaim(_ port: PublishedPort) -> String {
        [
            port.identity, port.ports.description, port.transport.rawValue, port.bind.text,
            port.isDynamic ? "dynamic" : "", String(port.replicas), port.isIngress ? "ingress" : "",
            port.profiles.joined(separator: ","), port.isIgnored ? "ignored" : "",
        ].joined(separator: "\u{1}")
    }

    package struct PortContext {
        var project: String
        var folderName: String
        var directory: String
        var selection: Selection
    }

    /// The claims of `files` merged in order (`-f a -f b …`), before any variant is set.
    private mutating func claims(
        of files: [String], variables: [String: String], context: PortContext, variant: String?
    )
        -> [PublishedPort]
    {
        var services: [String: Service] = [:]
        var order: [String] = []
        for file in files {
            guard let parsed = parse(file, from: nil) else { continue }
            var chain = [ConfigFile.canonical(file) ?? file]
            loadIncludes(of: parsed, variables: variables, into: &services, order: &order, chain: &chain)
            loadServices(of: parsed, variables: variables, into: &services, order: &order)
        }
        var result: [PublishedPort] = []
        for name in order {
            guard let service = services[name] else { continue }
            if let active = context.selection.activeProfiles, !service.profiles.isEmpty, !active.contains("*"),
                active.isDisjoint(with: service.profiles)
            {
                continue  // COMPOSE_PROFILES does not start it: it publishes nothing
            }
            var ports = ports(
                of: service, named: name, project: context.project, folderName: context.folderName,
                directory: context.directory)
            if context.selection.activeProfiles != nil {
                // Every service that runs runs together: no profile alternatives.
                for index in ports.indices { ports[index].profiles = [] }
            }
            result += ports
            for path in service.containerFiles where seenContainerFiles.insert(path).inserted {
                containerFiles.insert(ConfigFile.canonical(path) ?? path)
            }
        }
        return result
    }

    /// Canonical paths of the files that `file` extends (`extends.file`) or includes.
    private mutating func references(of file: String, variables: [String: String]) -> Set<String> {
        guard let parsed = parse(file, from: nil) else { return [] }
        let interpolation = ComposeInterpolation(variables: variables)
        func text(_ node: Node?) -> String? {
            guard let raw = node?.text else { return nil }
            return (try? interpolation.interpolate(raw).text) ?? raw
        }
        let directory = ConfigFile.directory(of: file)
        var result = Set<String>()
        func add(_ relative: String?) {
            guard let relative, !relative.contains("://") else { return }
            let path = ConfigFile.join(directory, relative)
            result.insert(ConfigFile.canonical(path) ?? path)
        }
        for document in parsed.documents {
            for item in document.value("include")?.items ?? [] {
                if item.text != nil {
                    add(text(item))
                } else if let path = item.value("path") {
                    for node in path.isSequence ? path.items : [path] { add(text(node)) }
                }
            }
            for (_, service) in document.value("services")?.pairs ?? [] {
                if let extends = service.value("extends"), extends.isMapping { add(text(extends.value("file"))) }
            }
        }
        return result
    }

    /// The published ports of one merged service.
    private func ports(of service: Service, named name: String, project: String, folderName: String, directory: String)
        -> [PublishedPort]
    {
        let projectKey = "compose\u{1}\(directory)"
        let identity = projectKey + "\u{1}" + name
        var aliases = [
            project, folderName.lowercased(), "\(project)-\(name)".lowercased(),
            "\(project)_\(name)".lowercased(), "\(project)/\(name)".lowercased(),
        ]
        if let image = service.image.flatMap(Self.imageName) { aliases.append(image) }
        // `scale: 0` (or `deploy.replicas: 0`) starts no container: nothing is published.
        if service.replicas?.count == 0 { return [] }
        var result: [PublishedPort] = []
        for entry in service.entries {
            // Under `network_mode: host` Docker ignores `ports` (with a warning) and the
            // container listens on the host itself: the target port is the host port.
            let host = service.networkModeHost == true
            guard let ports = host ? entry.mapping.target : entry.mapping.published else { continue }
            var port = PublishedPort(
                name: name, label: "service \(name)", identity: identity, aliases: aliases, ports: ports,
                transport: entry.mapping.transport, bind: host ? .wildcard : entry.mapping.bind,
                location: entry.location, target: entry.mapping.target,
                isDynamic: !host && entry.mapping.isDynamic, origin: .compose, isIgnored: entry.ignored)
            port.project = projectKey
            port.profiles = service.profiles
            if entry.usesVariables, let source = entry.valueSource {
                port.valueSource = source
                port.label += " (value from \(source))"
            }
            if let replicas = service.replicas, replicas.count > 1 {
                port.replicas = replicas.count
                port.replicasLocation = replicas.location
            }
            port.isIngress = !host && entry.mapping.isIngress
            result.append(port)
        }
        return result
    }

    /// Compose's project-name rule: lowercase letters, digits, `-` and `_`.
    package static func normalizedProjectName(_ name: String) -> String {
        String(
            name.lowercased().unicodeScalars.filter {
                ("a"..."z").contains($0) || ("0"..."9").contains($0) || $0 == "-" || $0 == "_"
            }.map(Character.init))
    }

    /// `ghcr.io/acme/postgres:16@sha256:…` → `postgres`.
    package static func imageName(_ image: String) -> String? {
        var name = Substring(image)
        if let at = name.firstIndex(of: "@") { name = name[..<at] }
        if let slash = name.lastIndex(of: "/") { name = name[name.index(after: slash)...] }
        if let colon = name.firstIndex(of: ":") { name = name[..<colon] }
        return name.isEmpty ? nil : name.lowercased()
    }

    // MARK: Files

    /// Parses a Compose file once; nil (with a finding) when it cannot be used. `from` is the
    /// `include` or `extends` line that names it, for files that are not found.
    private mutating func parse(_ path: String, from reference: SourceLocation?) -> ParsedFile? {
        if let cached = cache[path] { return cached }
        cache[path] = .some(nil)
        func fail(_ line: Int?, _ message: String) {
            let location = line == nil && reference != nil ? reference! : SourceLocation(file: path, line: line ?? 1)
            let text = reference != nil && line == nil ? "\(path): \(message)" : message
            findings.append(
                Finding(severity: .error, kind: .parse, message: text, places: [Finding.Place(location: location)]))
        }
        let text: String
        switch ConfigFile.read(path) {
        case .success(let contents): text = contents
        case .failure(let failure):
            if reference == nil { filesRead.insert(path) }
            fail(failure.line, failure.message)
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

    private mutating func loadIncludes(
        of file: ParsedFile, variables: [String: String], into services: inout [String: Service],
        order: inout [String], chain: inout [String]
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
            var envFiles: [String]?
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
                    envFiles = (env.isSequence ? env.items : [env]).compactMap(interpolated)
                }
                projectDirectory = item.value("project_directory").flatMap(interpolated)
            }
            let base = ConfigFile.directory(of: file.path)
            for (relative, line) in paths {
                // Remote resources (git, oci://) cannot be read offline: nothing to check there.
                if relative.contains("://") || relative.hasPrefix("git@") { continue }
                let path = ConfigFile.join(base, relative)
                let directory = projectDirectory.map { ConfigFile.join(base, $0) } ?? ConfigFile.directory(of: path)
                let canonical = ConfigFile.canonical(path) ?? path
                included.insert(canonical)
                let reference = SourceLocation(file: file.path, line: line)
                if chain.contains(canonical) {
                    findings.append(
                        Finding(
                            severity: .error, kind: .parse, message: "include cycle: \(path) includes itself",
                            places: [Finding.Place(location: reference)]))
                    continue
                }
                guard ConfigFile.exists(path) else {
                    findings.append(
                        Finding(
                            severity: .error, kind: .parse, message: "included file \(path) does not exist",
                            places: [Finding.Place(location: reference)]))
                    continue
                }
                guard let parsed = parse(path, from: reference) else { continue }
                // The included file's own .env (or env_file) fills in what the including
                // project does not define.
                var scope = variables
                // env_file paths are relative to the including file; the default .env lives in
                // the included project's folder (compose-go's include loader).
                let envPaths =
                    envFiles.map { $0.map { ConfigFile.join(base, $0) } } ?? [ConfigFile.join(directory, ".env")]
                for envPath in envPaths {
                    guard case .success(let text) = ConfigFile.read(envPath) else { continue }
                    for (key, value) in EnvFile(text: text, inherited: scope).variables where scope[key] == nil {
                        scope[key] = value
                    }
                }
                chain.append(canonical)
                loadIncludes(of: parsed, variables: scope, into: &services, order: &order, chain: &chain)
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
            case "ports", "network_mode", "image", "profiles", "scale", "deploy", "env_file", "build", "extends":
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
        if let network = field["network_mode"]?.text {
            let value = (try? ComposeInterpolation(variables: variables).interpolate(network).text) ?? network
            service.networkModeHost = value == "host"
        }
        service.image = field["image"]?.text
        service.profiles = field["profiles"]?.items.compactMap(\.text) ?? []
        let interpolation = ComposeInterpolation(variables: variables)
        func interpolated(_ node: Node?) -> String? {
            guard let text = node?.text else { return nil }
            return (try? interpolation.interpolate(text).text) ?? text
        }
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
                // Docker refuses to start a service whose env_file is missing, unless the
                // entry says `required: false` (Compose 2.24).
                let required = item.isMapping ? interpolated(item.value("required")) : nil
                if required != "false" && !ConfigFile.exists(resolved) {
                    findings.append(
                        Finding(
                            severity: .error, kind: .parse,
                            message: "env_file \(resolved) does not exist (Docker refuses to start \(name))",
                            places: [
                                Finding.Place(location: SourceLocation(file: file.path, line: item.line), service: name)
                            ]))
                }
            }
        }
        if let build = field["build"],
            let context = interpolated(build.isMapping ? build.value("context") : build), !context.contains("://")
        {
            service.containerFiles.append(ConfigFile.join(directory, context))
        }
        guard let extends = field["extends"] else { return (service, mode) }
        let link = "\(ConfigFile.canonical(file.path) ?? file.path)\u{1}\(name)"
        let reference = SourceLocation(file: file.path, line: extends.line)
        guard !chain.contains(link), chain.count < 32 else {
            findings.append(
                Finding(
                    severity: .error, kind: .parse, message: "extends cycle at service \(name)",
                    places: [Finding.Place(location: reference, service: name)]))
            return (service, mode)
        }
        var baseName = interpolated(extends)
        var baseFile = file
        if extends.isMapping {
            baseName = interpolated(extends.value("service"))
            if let path = interpolated(extends.value("file")) {
                let resolved = ConfigFile.join(ConfigFile.directory(of: file.path), path)
                guard ConfigFile.exists(resolved) else {
                    findings.append(
                        Finding(
                            severity: .error, kind: .parse, message: "extends: file \(resolved) does not exist",
                            places: [Finding.Place(location: reference, service: name)]))
                    return (service, mode)
                }
                included.insert(ConfigFile.canonical(resolved) ?? resolved)
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
        guard let base else {
            findings.append(
                Finding(
                    severity: .error, kind: .parse,
                    message: "extends: service '\(baseName ?? "")' not found in \(baseFile.path)",
                    places: [Finding.Place(location: reference, service: name)]))
            return (service, mode)
        }
        // One merge for overrides, variants and `extends` (issue 16): the extending service is
        // an override of the one it extends, `profiles` included (compose-go merges both
        // with the same rules).
        return (Self.merge(base, service, mode: mode), mode)
    }

    package static func merge(_ base: Service, _ override: Service, mode: MergeMode) -> Service {
        var result = base
        result.networkModeHost = override.networkModeHost ?? base.networkModeHost
        result.image = override.image ?? base.image
        result.replicas = override.replicas ?? base.replicas
        result.containerFiles += override.containerFiles
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

    /// The entries of a `ports` list; invalid ones become findings.
    private mutating func entries(_ node: Node, in file: ParsedFile, variables: [String: String], service: String)
        -> [Entry]
    {
        guard node.isSequence else {
            if !node.isNull {
                findings.append(
                    Finding(
                        severity: .error, kind: .parse, message: "'ports' must be a list",
                        places: [
                            Finding.Place(location: SourceLocation(file: file.path, line: node.line), service: service)
                        ]))
            }
            return []
        }
        let interpolation = ComposeInterpolation(variables: variables)
        var result: [Entry] = []
        for item in node.items {
            let line = item.line
            let location = SourceLocation(file: file.path, line: line)
            var ignored = line.map { file.ignoredLines.contains($0) } ?? false
            var unset: [String] = []
            var required: [String] = []
            var empty: [String] = []
            var used: [String] = []
            func value(_ node: Node?) throws -> String? {
                guard let node else { return nil }
                if let line = node.line, file.ignoredLines.contains(line) { ignored = true }
                guard let text = node.text, !node.isNull else {
                    if node.isNull { return nil }
                    throw ComposePortSyntax.Invalid(message: "a port field must be a number or a string")
                }
                let result = try interpolation.interpolate(text)
                unset += result.unset
                empty += result.empty
                used += result.used
                required += result.missingRequired
                return result.text
            }
            do {
                let mapping: ComposePortSyntax.Mapping
                var raw: String
                if item.isSequence {
                    throw ComposePortSyntax.Invalid(message: "a port entry must be a string, a number or a mapping")
                } else if item.isMapping {
                    let published = try value(item.value("published"))
                    let target = try value(item.value("target"))
                    let hostIP = try value(item.value("host_ip"))
                    let protocolName = try value(item.value("protocol"))
                    let mode = try value(item.value("mode"))
                    raw = "target \(target ?? ""), published \(published ?? "")"
                    let fixed = required.isEmpty && !((published ?? "").isEmpty && !unset.isEmpty)
                    do {
                        // Nothing fixed published: only the warning below is worth saying.
                        mapping = try ComposePortSyntax.long(
                            target: target, published: fixed ? published : nil, hostIP: hostIP,
                            protocolName: protocolName, mode: mode)
                    } catch {
                        // SPEC: an unset variable is a warning whatever the entry then becomes.
                        guard !unset.isEmpty || !empty.isEmpty || !required.isEmpty else { throw error }
                        unsetWarning(
                            unset: unset, required: required, location: location, service: service, raw: raw,
                            ignored: ignored, empty: empty)
                        continue
                    }
                } else if let text = try value(item) {
                    raw = text
                    if !required.isEmpty {
                        unsetWarning(
                            unset: unset, required: required, location: location, service: service, raw: raw,
                            ignored: ignored)
                        continue
                    }
                    do {
                        mapping = try ComposePortSyntax.short(text)
                    } catch {
                        // `${P}:${P}/udp` with P unset is `:/udp`: a warning naming P, not a
                        // parse error (SPEC).
                        guard !unset.isEmpty || !empty.isEmpty else { throw error }
                        unsetWarning(
                            unset: unset, required: required, location: location, service: service, raw: raw,
                            ignored: ignored, empty: empty)
                        continue
                    }
                } else {
                    throw ComposePortSyntax.Invalid(message: "a port entry must be a string, a number or a mapping")
                }
                if !unset.isEmpty || !required.isEmpty || !empty.isEmpty && mapping.published == nil {
                    unsetWarning(
                        unset: unset, required: required, location: location, service: service, raw: raw,
                        ignored: ignored, published: mapping.published, empty: empty)
                }
                let key =
                    "\(mapping.bind.text)|\(mapping.target)|\(mapping.published?.description ?? "")|\(mapping.transport.rawValue)"
                result.append(
                    Entry(
                        key: key, mapping: mapping, location: location, ignored: ignored,
                        usesVariables: !used.isEmpty, valueSource: used.isEmpty ? nil : valueSource))
            } catch let error as ComposePortSyntax.Invalid {
                if !ignored { parseError(error.message, location, service: service) }
            } catch let error as ComposeInterpolation.InvalidTemplate {
                if !ignored { parseError(error.message, location, service: service) }
            } catch {
                if !ignored { parseError("\(error)", location, service: service) }
            }
        }
        return result
    }

    private mutating func parseError(_ message: String, _ location: SourceLocation, service: String) {
        // Messages quote the entry: a hostile one must not flood the report.
        let message = message.count > 300 ? String(message.prefix(299)) + "…" : message
        findings.append(
            Finding(
                severity: .error, kind: .parse, message: message,
                places: [Finding.Place(location: location, service: service)]))
    }

    private mutating func unsetWarning(
        unset: [String], required: [String], location: SourceLocation, service: String, raw: String, ignored: Bool,
        published: PortRange? = nil, empty: [String] = []
    ) {
        guard !ignored else { return }
        var reasons = required
        var seen = Set<String>()
        for name in unset where seen.insert(name).inserted { reasons.append("\(name) is not set") }
        for name in empty where seen.insert(name).inserted { reasons.append("\(name) is empty") }
        let effect =
            published.map { "the entry publishes \($0) as '\(raw)'" } ?? "no fixed host port is published"
        findings.append(
            Finding(
                severity: .warning, kind: .parse, ports: published,
                message: "\(reasons.joined(separator: "; ")): \(effect)"
                    + (valueSource.map { " (values from \($0))" } ?? ""),
                places: [Finding.Place(location: location, service: service)]))
    }
}
