import PortRegistryModel

/// Which Compose files of a folder run together, as Docker runs them (SPEC "Compose"):
///
/// - the **base** is what `docker compose up` reads without `-f`: `COMPOSE_FILE`, else the
///   main file merged with its default override;
/// - every other file is a **variant**, run with `-f`, which never reads the default
///   override: a file that cannot run alone (`ComposeLoader.canRunAlone`) is an **overlay**,
///   main file + that file; one that can is a **stack of its own**, used instead of the base;
///   `NAME.override.yml` overlays `NAME.yml`;
/// - the base and the variants of a folder are alternatives: each collides within itself and
///   with other projects, never with another;
/// - in a folder with no main file, files that can run alone run side by side unless they
///   define services of the same names (layouts of one stack: alternatives of each other).
///
/// A claim that every alternative of a set makes (the main file's entry, read in the base and
/// in each overlay) is one claim with no choice; the others carry the set and the
/// deployments they are in (`PublishedPort.Choice`), which is all the judge asks.
extension ComposeLoader {
    /// What a project yields once loaded.
    package struct Project {
        var directory: String
        /// The folder, physical: the project's key.
        var physicalDirectory: String
        var name: String
        var ports: [PublishedPort] = []
        /// The project's own Compose files that parsed.
        var members: [String] = []
        /// The services of its base (else of its first deployment): name, image repository
        /// and port mappings, for the same app twice.
        var signatures: Set<String> = []
        var serviceNames: Set<String> = []
        /// Findings about the project as a whole (sockets published twice by one service).
        var findings: [Finding] = []
    }

    /// Files run together (`-f a -f b`), and the name a finding gives them.
    struct Deployment {
        var name: String
        var files: [String]
    }

    /// The main files `docker compose` looks for, in its order of preference (compose-go's
    /// `DefaultFileNames`), and the default overrides, of which it merges the first found.
    package static let mainNames = ["compose.yaml", "compose.yml", "docker-compose.yml", "docker-compose.yaml"]
    package static let defaultOverrideNames = [
        "compose.override.yml", "compose.override.yaml", "docker-compose.override.yml", "docker-compose.override.yaml",
    ]

    /// `NAME.override.yml` → the names of the file it overlays (`NAME.yml`, `NAME.yaml`).
    static func overlaidNames(_ name: String) -> [String]? {
        for suffix in [".override.yml", ".override.yaml"] where name.hasSuffix(suffix) {
            let stem = String(name.dropLast(suffix.count))
            guard !stem.isEmpty, stem != "compose", stem != "docker-compose" else { return nil }
            return [stem + ".yml", stem + ".yaml"]
        }
        return nil
    }

    /// The deployments of one folder's files, in sets of alternatives. `adopted` are overlays
    /// from folders below that have no main file (`overrides/compose.debug.yml`); `stacks`
    /// are file lists `.portreg.yaml` says run together, like `COMPOSE_FILE`.
    mutating func deployments(
        files: [String], variables: [String: String], selection: Selection, adopted: [String], stacks: [[String]]
    ) -> [[Deployment]] {
        let byName = Dictionary(files.map { (ConfigFile.baseName($0), $0) }, uniquingKeysWith: { a, _ in a })
        var includedHere = Set<String>()
        for file in files { includedHere.formUnion(includedFiles(of: file, variables: variables)) }
        let stackFiles = Set(stacks.joined().map(physical))
        let candidates = files.filter { !includedHere.contains(physical($0)) && !stackFiles.contains(physical($0)) }
        var sets: [[Deployment]] = []
        for stack in stacks where !stack.isEmpty {
            sets.append([Deployment(name: stack.map(ConfigFile.baseName).joined(separator: " + "), files: stack)])
        }
        guard !candidates.isEmpty || selection.composeFile != nil || !adopted.isEmpty else { return sets }

        var base: [String]?
        var overlayTarget: [String]?
        if let composeFile = selection.composeFile {
            base = composeFile
            overlayTarget = composeFile.first.map { [$0] }
        } else if let main = Self.mainNames.lazy.compactMap({ byName[$0] }).first(where: candidates.contains) {
            let override = Self.defaultOverrideNames.lazy.compactMap { byName[$0] }.first(where: candidates.contains)
            base = [main] + (override.map { [$0] } ?? [])
            overlayTarget = [main]
        }
        let baseSet = Set((base ?? []).map(physical))
        let others = (candidates + adopted).filter { !baseSet.contains(physical($0)) }

        if let base, let overlayTarget {
            var set = [Deployment(name: "base", files: base)]
            for file in others {
                let name = ConfigFile.baseName(file)
                if let overlaid = Self.overlaidNames(name)?.lazy.compactMap({ byName[$0] }).first {
                    set.append(Deployment(name: name, files: [overlaid, file]))
                } else if canRunAlone(file, variables: variables) {
                    set.append(Deployment(name: name, files: [file]))
                } else {
                    set.append(Deployment(name: name, files: overlayTarget + [file]))
                }
            }
            sets.append(set)
            return sets
        }

        // No main file: files that can run alone are layouts where they share service names,
        // neighbours where they do not; an overlay goes on the standalone file it extends.
        var standalone: [String] = []
        var overlays: [String] = []
        for file in others {
            if Self.overlaidNames(ConfigFile.baseName(file)) == nil && canRunAlone(file, variables: variables) {
                standalone.append(file)
            } else {
                overlays.append(file)
            }
        }
        var names: [String: Set<String>] = [:]
        for file in standalone + overlays {
            names[file] = Set(services(of: [file], variables: variables).order)
        }
        // Components of "shares a service name", by union-find over the names.
        var parent = Array(standalone.indices)
        func root(_ index: Int) -> Int {
            var index = index
            while parent[index] != index {
                parent[index] = parent[parent[index]]
                index = parent[index]
            }
            return index
        }
        var owner: [String: Int] = [:]
        for (index, file) in standalone.enumerated() {
            for name in names[file] ?? [] {
                if let other = owner[name] { parent[root(index)] = root(other) } else { owner[name] = index }
            }
        }
        var components: [Int: [Deployment]] = [:]
        var order: [Int] = []
        for (index, file) in standalone.enumerated() {
            let component = root(index)
            if components[component] == nil { order.append(component) }
            components[component, default: []].append(Deployment(name: ConfigFile.baseName(file), files: [file]))
        }
        var loose: [Deployment] = []
        for file in overlays {
            let name = ConfigFile.baseName(file)
            let target =
                Self.overlaidNames(name)?.lazy.compactMap({ byName[$0] }).first
                ?? standalone.first { !(names[$0] ?? []).isDisjoint(with: names[file] ?? []) }
            if let target, let index = standalone.firstIndex(of: target) {
                components[root(index), default: []].append(Deployment(name: name, files: [target, file]))
            } else {
                loose.append(Deployment(name: name, files: [file]))  // runs as it is, or Docker refuses it
            }
        }
        sets += order.compactMap { components[$0] }
        sets += loose.map { [$0] }
        return sets
    }

    /// Loads one folder's Compose files as their deployments (above), the claims of each set
    /// of alternatives merged: a claim made by every deployment of its set carries no choice.
    package mutating func loadProject(
        directory: String, files: [String], variables: [String: String], selection: Selection = Selection(),
        adopted: [String] = [], stacks: [[String]] = []
    ) -> Project {
        let physicalDirectory = physical(directory)
        let folderName = ConfigFile.baseName(physicalDirectory)
        var project = Project(
            directory: directory, physicalDirectory: physicalDirectory,
            name: Self.normalizedProjectName(folderName))
        var parsedFiles: [String] = []
        for file in files where parse(file, from: nil) != nil { parsedFiles.append(file) }
        project.members = parsedFiles

        // `COMPOSE_FILE` may name files of other folders: they belong to this project.
        for file in selection.composeFile ?? [] where ConfigFile.directory(of: physical(file)) != physicalDirectory {
            included.insert(physical(file))
        }
        let sets = deployments(
            files: parsedFiles, variables: variables, selection: selection, adopted: adopted, stacks: stacks)
        // The project's name: `name:` of the first deployment's files, else COMPOSE_PROJECT_NAME.
        if let first = sets.first?.first {
            for file in first.files {
                guard let parsed = parse(file, from: selection.composeFileLocation) else { continue }
                if let name = parsed.projectName?.text,
                    let value = try? ComposeInterpolation(variables: variables).interpolate(name).text, !value.isEmpty
                {
                    project.name = Self.normalizedProjectName(value)
                }
            }
        }
        if project.name == Self.normalizedProjectName(folderName), let name = variables["COMPOSE_PROJECT_NAME"],
            !name.isEmpty
        {
            project.name = Self.normalizedProjectName(name)
        }
        valueSource = selection.valueSource
        defer { valueSource = nil }
        let context = PortContext(
            project: project.name, folderName: folderName, directory: physicalDirectory, selection: selection)

        for (setIndex, set) in sets.enumerated() {
            var claims: [PublishedPort] = []
            var position: [String: Int] = [:]
            var members: [[String]] = []
            for deployment in set {
                let (services, order) = services(
                    of: deployment.files, variables: variables, reference: selection.composeFileLocation)
                var all: [PublishedPort] = []
                for name in order {
                    guard let service = services[name] else { continue }
                    let ports = ports(of: service, named: name, context: context)
                    project.findings += Self.socketsPublishedTwice(ports, service: name)
                    all += ports
                    if deployment.name == set.first?.name {
                        project.serviceNames.insert(name)
                        project.signatures.insert(Self.signature(of: service, named: name))
                    }
                }
                for claim in all {
                    let key = Self.sameClaim(claim)
                    if let index = position[key] {
                        if members[index].last != deployment.name { members[index].append(deployment.name) }
                    } else {
                        position[key] = claims.count
                        claims.append(claim)
                        members.append([deployment.name])
                    }
                }
            }
            for index in claims.indices where set.count > 1 && members[index].count < set.count {
                claims[index].choices.append(
                    PublishedPort.Choice(
                        group: "deployment\u{1}\(physicalDirectory)\u{1}\(setIndex)", members: members[index]))
                claims[index].deployments = members[index]
            }
            project.ports += claims
        }
        return project
    }

    /// A service as the same app twice compares it: name, image repository (tag ignored),
    /// and its port mappings (host port, container port, protocol; the bind address aside).
    static func signature(of service: Service, named name: String) -> String {
        let mappings = service.entries.map { entry in
            "\(entry.mapping.published?.description ?? "-"):\(entry.mapping.target)/\(entry.mapping.transport.rawValue)"
        }.sorted()
        return ([name, service.image.map(imageRepository) ?? "-"] + mappings).joined(separator: "\u{1}")
    }
}
