import PortRegistryModel

/// One Compose service as the files say it: its fields, its `extends` chain, and the merge of
/// an override onto it (one merge for overrides, variants and `extends`).
extension ComposeLoader {
    // MARK: Services

    /// One service of one file with its `extends` chain applied, and how it merges onto what
    /// earlier files said about it.
    mutating func resolve(
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
