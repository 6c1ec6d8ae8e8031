import PortRegistryFormats
import PortRegistryModel
import PortRegistrySystem

#if canImport(Glibc)
    import Glibc
#endif

/// Reading a tree into claims: discovery, the Compose projects and their deployments, the
/// per-file formats. Everything a file of the tree names is read through its `SourceTree`.
extension ConfigCheck {
    /// Reads every config under `options.paths`. Throws only for a path or `--env-file` that
    /// does not exist (66); every problem inside a file is a finding.
    package static func scan(_ options: CheckOptions, now: Timestamp) throws -> ConfigScanResult {
        // `-`: one YAML stream from standard input, read once whatever the PATHs repeat.
        let paths = options.paths.filter { $0 != "-" }
        let stdin =
            paths.count == options.paths.count
            ? nil
            : StandardInput.scan(
                kind: options.stdinKind, name: options.stdinName, variables: options.processEnvironment ?? [:])
        let tree = SourceTree(paths: paths)
        let discovery = try Discovery.discover(paths: paths, excluding: options.excludes, tree: tree)
        var result = ConfigScanResult()
        var files = Set<String>()
        // What the walk could not read: never skipped in silence.
        result.findings += discovery.findings
        // A standalone `.env` past EnvFile's bounds is a parse error (a project's `.env` is
        // judged where `projectEnvironment` reads it).
        result.findings += discovery.envFiles.compactMap { path in
            guard case .success(let text) = tree.read(path) else { return nil }
            return EnvFile.boundFinding(path: path, text: text)
        }
        if let stdin {
            result.ports += stdin.ports
            result.findings += stdin.findings
            files.formUnion(stdin.files)
        }

        // `--env-file`: named on the command line, so read wherever it is; its values are
        // never printed (SPEC "An untrusted tree").
        var overrideVariables: [String: String]?
        if !options.envFiles.isEmpty {
            var variables: [String: String] = [:]
            for path in options.envFiles {
                switch ConfigFile.read(path) {
                case .success(let text):
                    for (key, value) in EnvFile(text: text, inherited: variables).variables { variables[key] = value }
                case .failure(let failure):
                    throw RegistryError(.inputMissing, "\(path): \(failure.message)")
                }
            }
            overrideVariables = variables
        }

        var loader = ComposeLoader(tree: tree)
        loader.outsideNames = Set((overrideVariables ?? [:]).keys).union((options.processEnvironment ?? [:]).keys)
        var projects = loadProjects(
            discovery, options: options, override: overrideVariables, loader: &loader, findings: &result.findings)
        // A folder whose `.env` sets COMPOSE_FILE is a Compose project even when no file of it
        // is named like one: `docker compose up` there reads the files it names.
        var standaloneEnvFiles: [String] = []
        for path in discovery.envFiles {
            let directory = ConfigFile.directory(of: path)
            let environment = projectEnvironment(
                directory, override: overrideVariables, processEnvironment: options.processEnvironment, tree: tree)
            guard overrideVariables == nil, environment.selection.composeFile != nil,
                ConfigFile.baseName(path) == ".env"
            else {
                standaloneEnvFiles.append(path)
                continue
            }
            files.insert(path)
            result.findings += environment.findings
            projects.append(
                loader.loadProject(
                    directory: directory, files: [], variables: environment.variables,
                    selection: environment.selection))
        }
        // A file that another project includes belongs to that project, not to its folder.
        let included = loader.included
        projects.removeAll { project in
            let own = project.members.map(loader.physical)
            return !included.isEmpty && !own.isEmpty && own.allSatisfy(included.contains)
        }
        relateProjects(&projects, loader: loader, options: options, findings: &result.findings)
        for project in projects {
            result.ports += project.ports
            result.findings += project.findings
            if !project.signatures.isEmpty {
                result.projectSignatures["compose\u{1}\(project.physicalDirectory)"] = project.signatures
            }
        }
        // A base is loaded again under each variant: its findings count once.
        var seenFindings = Set<Finding>()
        result.findings += loader.findings.filter { seenFindings.insert($0).inserted }
        files.formUnion(loader.filesRead)
        result.silentEntries = loader.silentEntries

        // The per-file formats, each through `ConfigFormat`.
        let context = ConfigFormatContext(options: options, now: now, tree: tree)
        // A `.env` that a Compose service reads (`env_file`, or in its build context) is the
        // container's environment: its PORT is the port inside the container.
        let containerFiles = loader.containerFiles
        for format in ConfigFormats.perFile {
            var paths = discovery.candidates[format.name] ?? []
            if format is StandaloneEnvFormat {
                paths = standaloneEnvFiles.filter { path in
                    containerFiles.isEmpty
                        || !(containerFiles.contains(loader.physical(path))
                            || containerFiles.contains(loader.physical(ConfigFile.directory(of: path))))
                }
            }
            // Each file on its own: on every core, merged in order.
            let candidates = paths
            let reads = Parallel.map(candidates.count) { range in
                range.map { format.read(path: candidates[$0], context: context) }
            }.flatMap { $0 }
            for (path, scanned) in zip(candidates, reads) {
                if scanned.counted { files.insert(path) }
                result.ports += scanned.ports
                result.findings += scanned.findings
                result.assignments += scanned.assignments
            }
        }
        result.files = files.sorted()
        // One file can be refused twice (the walk meets a `.env` link, and so does its
        // project): said once.
        var seen = Set<Finding>()
        result.findings = result.findings.filter { seen.insert($0).inserted }
        return result
    }

    /// The Compose projects of the discovered folders. A file of a folder without a main file
    /// that cannot run alone, and that no standalone file beside it explains, overlays the
    /// main file of the nearest folder above (`overrides/compose.debug.yml`): it is a variant
    /// of that folder's project.
    static func loadProjects(
        _ discovery: Discovery, options: CheckOptions, override: [String: String]?, loader: inout ComposeLoader,
        findings: inout [Finding]
    ) -> [ComposeLoader.Project] {
        struct Folder {
            var directory: String
            var files: [String]
            var environment: Environment
            var hasMain: Bool
        }
        let tree = loader.tree
        let outsideNames = loader.outsideNames
        let envFiles = projectEnvFiles(options)
        let stacks = stackFiles(options)
        let stacked = Set(stacks.joined().map(loader.physical))
        var composeFolders = discovery.composeFolders.map { folder in
            var folder = folder
            folder.files.removeAll { stacked.contains(loader.physical($0)) }
            return folder
        }
        // A stack belongs to the folder of its first file, a project of that folder.
        var stacksOfFolder: [String: [[String]]] = [:]
        for stack in stacks {
            let directory = ConfigFile.directory(of: stack[0])
            stacksOfFolder[directory, default: []].append(stack)
            if !composeFolders.contains(where: { $0.directory == directory }) {
                composeFolders.append(Discovery.ComposeFolder(directory: directory, files: []))
            }
        }
        // Each folder's environment, on every core.
        var folders: [Folder] = Parallel.map(composeFolders.count) { range in
            range.map { index in
                let folder = composeFolders[index]
                let environment = projectEnvironment(
                    folder.directory, override: override, processEnvironment: options.processEnvironment, tree: tree,
                    envFile: envFiles[ConfigFile.normalize(folder.directory)])
                let hasMain =
                    environment.selection.composeFile != nil
                    || folder.files.contains { ComposeLoader.mainNames.contains(ConfigFile.baseName($0)) }
                return Folder(
                    directory: folder.directory, files: folder.files, environment: environment, hasMain: hasMain)
            }
        }.flatMap { $0 }
        for folder in folders { findings += folder.environment.findings }
        let hasMain = Set(folders.filter(\.hasMain).map(\.directory))
        // Overlays of folders without a main file that go on the main file above.
        let orphans = folders.indices.filter { !folders[$0].hasMain }
        let moves: [(folder: Int, file: String, parent: String)] = Parallel.map(orphans.count) { range in
            var local = ComposeLoader(tree: tree)
            var moves: [(Int, String, String)] = []
            for index in orphans[range] {
                let folder = folders[index]
                let variables = folder.environment.variables
                var standaloneNames = Set<String>()
                var overlays: [String] = []
                for file in folder.files {
                    if ComposeLoader.overlaidNames(ConfigFile.baseName(file)) == nil,
                        local.canRunAlone(file, variables: variables)
                    {
                        standaloneNames.formUnion(local.services(of: [file], variables: variables).order)
                    } else {
                        overlays.append(file)
                    }
                }
                for file in overlays where ComposeLoader.overlaidNames(ConfigFile.baseName(file)) == nil {
                    let names = Set(local.services(of: [file], variables: variables).order)
                    guard standaloneNames.isDisjoint(with: names) else { continue }
                    var parent = folder.directory
                    while parent != "." && parent != "/" && !parent.isEmpty {
                        parent = ConfigFile.directory(of: parent)
                        if hasMain.contains(parent) {
                            moves.append((index, file, parent))
                            break
                        }
                    }
                }
            }
            return moves
        }.flatMap { $0 }
        var adopted: [String: [String]] = [:]
        for move in moves {
            adopted[move.parent, default: []].append(move.file)
            folders[move.folder].files.removeAll { $0 == move.file }
        }
        // The projects, on every core: each chunk of folders with a loader of its own, whose
        // parsed files are dropped with it (only claims are kept), merged in order.
        let loading = folders.filter {
            !$0.files.isEmpty || adopted[$0.directory] != nil || stacksOfFolder[$0.directory] != nil
        }
        let chunks: [(projects: [ComposeLoader.Project], loader: ComposeLoader)] = Parallel.map(loading.count) {
            range in
            var local = ComposeLoader(tree: tree)
            local.outsideNames = outsideNames
            let projects = loading[range].map { folder in
                local.loadProject(
                    directory: folder.directory, files: folder.files, variables: folder.environment.variables,
                    selection: folder.environment.selection, adopted: adopted[folder.directory] ?? [],
                    stacks: stacksOfFolder[folder.directory] ?? [])
            }
            local.dropParsedFiles()
            return (projects, local)
        }
        var projects: [ComposeLoader.Project] = []
        for chunk in chunks {
            projects += chunk.projects
            loader.absorb(chunk.loader)
        }
        return projects
    }

    /// `.portreg.yaml` `env-file`: each project folder (as displayed) and the env file it is
    /// run with, relative to the config's root and then to that folder.
    static func projectEnvFiles(_ options: CheckOptions) -> [String: String] {
        guard let root = options.configRoot else { return [:] }
        var result: [String: String] = [:]
        for (folder, file) in options.projectEnvFiles {
            let directory = ConfigFile.join(root, folder)
            result[ConfigFile.normalize(directory)] = file  // relative to the folder, as projectEnvironment reads it
        }
        return result
    }

    /// `.portreg.yaml` `stacks`: each stack's files as displayed, in the order written (a
    /// glob's matches sorted), relative to the config's root.
    static func stackFiles(_ options: CheckOptions) -> [[String]] {
        guard let root = options.configRoot else { return [] }
        return options.stacks.keys.sorted().compactMap { name in
            var files: [String] = []
            for entry in options.stacks[name] ?? [] {
                let pattern = ConfigFile.join(root, entry)
                var matches = glob(pattern)
                if matches.isEmpty { matches = [pattern] }  // said missing when loaded
                for match in matches where !files.contains(match) { files.append(match) }
            }
            return files.isEmpty ? nil : files
        }
    }

    /// The paths matching a glob pattern, sorted (glob(3)); the pattern itself when it has no
    /// wildcard.
    static func glob(_ pattern: String) -> [String] {
        guard pattern.contains(where: { "*?[".contains($0) }) else { return [pattern] }
        var result = glob_t()
        defer { globfree(&result) }
        guard Glibc.glob(pattern, 0, nil, &result) == 0 else { return [] }
        return (0..<Int(result.gl_pathc)).compactMap { index in result.gl_pathv[index].map { String(cString: $0) } }
    }

    /// What ties projects to one another: a service and the one it extends from another
    /// project's file are one app deployed two ways (alternatives); folders that share a
    /// project name share their services' containers (a warning naming both).
    static func relateProjects(
        _ projects: inout [ComposeLoader.Project], loader: ComposeLoader, options: CheckOptions,
        findings: inout [Finding]
    ) {
        /// The host `.portreg.yaml` puts a folder's first file on, if any.
        func host(_ project: ComposeLoader.Project) -> HostScope? {
            project.members.first.flatMap { file in options.hostGlobs.first { $0.matches(file) }?.host }
        }
        var projectOfFile: [String: Int] = [:]
        for (index, project) in projects.enumerated() {
            for file in project.members { projectOfFile[loader.physical(file)] = index }
        }
        for (extending, extended) in loader.extensions {
            guard let from = projectOfFile[extending.file], let to = projectOfFile[extended.file], from != to else {
                continue
            }
            let one = ComposeLoader.serviceIdentity(project: projects[from].name, service: extending.service)
            let other = ComposeLoader.serviceIdentity(project: projects[to].name, service: extended.service)
            guard one != other else { continue }
            let group = "extends\u{1}\(one)\u{1}\(other)"
            for (index, identity, member) in [(from, one, "extending"), (to, other, "extended")] {
                for claim in projects[index].ports.indices where projects[index].ports[claim].identity == identity {
                    projects[index].ports[claim].choices.append(PublishedPort.Choice(group: group, members: [member]))
                }
            }
        }
        var byName: [String: [Int]] = [:]
        for (index, project) in projects.enumerated() { byName[project.name, default: []].append(index) }
        for name in byName.keys.sorted() {
            guard let indices = byName[name], indices.count > 1, let first = indices.first else { continue }
            for other in indices.dropFirst() {
                let shared = projects[first].serviceNames.intersection(projects[other].serviceNames).sorted()
                guard !shared.isEmpty, let file = projects[other].members.first else { continue }
                // On two hosts that `.portreg.yaml` names, they are two projects of one name.
                if let one = host(projects[first]), let two = host(projects[other]), !one.overlaps(two) { continue }
                let services =
                    shared.count > 3
                    ? shared.prefix(3).joined(separator: ", ") + " and \(shared.count - 3) more"
                    : shared.joined(separator: ", ")
                findings.append(
                    Finding(
                        severity: .warning, kind: .instance,
                        message:
                            "\(projects[first].directory) and \(projects[other].directory) are both Compose project '\(name)': \(services) would be one container each (the second `up` replaces the first); set `name:` in one of them to run both",
                        places: [
                            Finding.Place(location: SourceLocation(file: file, line: 1)),
                            Finding.Place(
                                location: SourceLocation(file: projects[first].members.first ?? file, line: 1)),
                        ]))
            }
        }
    }

    /// Example `.env` files, in SPEC's order: where a project has no `.env` (a repository in
    /// CI), the first that exists supplies the values.
    package static let envExamples = [
        ".env.example", ".env.sample", ".env.template", ".env.dist", "env.example", "env.sample", "example.env",
        "sample.env",
    ]

    /// A project's interpolation values, what they select, and what could not be read.
    package struct Environment {
        package var variables: [String: String] = [:]
        package var selection = ComposeLoader.Selection()
        package var findings: [Finding] = []
    }

    /// The interpolation values of a Compose project and what they select: `COMPOSE_FILE`
    /// (split at `COMPOSE_PATH_SEPARATOR`, default `:`, relative to the project folder) and
    /// `COMPOSE_PROFILES`. A `.env` that cannot be read is a finding, never skipped in
    /// silence: a link out of the tree or a special file a warning (not read), a file the
    /// system refuses an error.
    package static func projectEnvironment(
        _ directory: String, override: [String: String]?, processEnvironment: [String: String]?, tree: SourceTree,
        envFile: String? = nil
    ) -> Environment {
        var environment = Environment()
        environment.variables = override ?? [:]
        var source: (path: String, entries: [EnvFile.Entry])?
        if override == nil {
            // `.portreg.yaml` `env-file` names the one file the project is run with.
            for name in envFile.map({ [$0] }) ?? [".env"] + envExamples {
                let path = ConfigFile.join(directory, name)
                let text: String
                switch tree.read(path) {
                case .success(let contents): text = contents
                case .failure(let failure):
                    if failure.refusal == .missing && envFile == nil { continue }
                    // A FIFO or device named `.env` is the walk's finding already.
                    if failure.refusal == nil && failure.message == "not a regular file" { continue }
                    environment.findings.append(
                        Finding(
                            severity: failure.refusal == nil ? .error : .warning, kind: .parse,
                            message: failure.message,
                            places: [Finding.Place(location: SourceLocation(file: path, line: failure.line ?? 1))]))
                    continue
                }
                let file = EnvFile(text: text, inherited: processEnvironment ?? [:])
                // Past EnvFile's bounds: a parse error at the line where reading stopped.
                if let bound = EnvFile.boundFinding(path: path, text: text) { environment.findings.append(bound) }
                environment.variables = file.variables
                source = (path, file.entries)
                if name != ".env" && envFile == nil { environment.selection.valueSource = name }
                break
            }
        }
        if let processEnvironment {
            for (key, value) in processEnvironment { environment.variables[key] = value }
        }
        let variables = environment.variables
        if let list = variables["COMPOSE_FILE"], !list.isEmpty {
            let separator = variables["COMPOSE_PATH_SEPARATOR"].flatMap { $0.isEmpty ? nil : $0 } ?? ":"
            environment.selection.composeFile = list.split(separator: separator).map {
                ConfigFile.join(directory, String($0))
            }
            if let source, let entry = source.entries.last(where: { $0.key == "COMPOSE_FILE" }) {
                environment.selection.composeFileLocation = SourceLocation(file: source.path, line: entry.line)
            }
        }
        if let profiles = variables["COMPOSE_PROFILES"] {
            environment.selection.activeProfiles = Set(
                profiles.split(separator: ",").map { $0.trimmingCharacters(in: " \t") }.filter { !$0.isEmpty })
        }
        return environment
    }
}
