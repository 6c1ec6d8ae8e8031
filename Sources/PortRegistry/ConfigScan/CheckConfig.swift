import PortRegistryFormats
import PortRegistryModel
import PortRegistrySystem

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// The two range settings of `check`, read by one parser whether they come from the command
/// line (`--ephemeral-range`, `--node-port-range`) or from `.portreg.yaml`, so that a value is
/// accepted or refused alike on both channels. The problem is a sentence without the
/// setting's name; each channel names the setting its own way.
package enum CheckRangeSetting {
    /// Why a value is refused: a sentence without the setting's name.
    package struct Invalid: Error, Equatable {
        package var problem: String
    }

    /// `LO-HI` (or one port), ports 1-65535, low not above high.
    package static func range(_ text: String) throws(Invalid) -> PortRange {
        guard let range = PortRange(parsing: text), range.low >= 1 else {
            throw Invalid(problem: "'\(text)' is not LO-HI with ports 1-65535, low not above high")
        }
        return range
    }

    /// `ephemeral-range`: `LO-HI`, `host` (this machine's; none when unreadable) or `none`.
    package static func ephemeral(_ text: String) throws(Invalid) -> PortRange? {
        switch text {
        case "none": return nil
        case "host": return EphemeralRange.current()
        default:
            guard let range = try? range(text) else {
                throw Invalid(problem: "'\(text)' is not LO-HI with ports 1-65535 (low not above high), host or none")
            }
            return range
        }
    }

    /// `node-port-range`: `LO-HI`.
    package static func nodePorts(_ text: String) throws(Invalid) -> PortRange { try range(text) }
}

/// `.portreg.yaml` at the root of a checked PATH (or `--config FILE`): what a team would
/// otherwise repeat in every CI job, as linters' config files hold it.
///
///     hosts:                      # path globs (relative to this file's folder) → host scope
///       nas: ["media/**", "dns"]  # a glob without wildcards is that file or folder
///       vps: ["proxy/**"]
///     alternatives: [["single-node", "multi-node"], ["examples/*"]]  # one member at a time
///     stacks: {prod: ["deploy/compose.yml", "deploy/compose.prod.yml"]}  # -f a -f b
///     env-file: {media: "docker-compose.env"}  # folder → its env file
///     exclude: ["legacy/*"]
///     baseline: .portreg-baseline # relative to this file's folder
///     strict: true
///     ephemeral-range: 32768-60999   # or none
///     node-port-range: 30000-32767
///
/// Command-line options win. An unknown key or a bad value is a usage error (64) naming the
/// file and line. Paths are relative to the config's folder (with `--config`, to the
/// checked PATH) and must stay inside it. `alternatives`, `stacks` and `env-file` reach the
/// loader and the judge as `CheckOptions.alternativeGroups`, `.stacks`, `.projectEnvFiles`
/// (`CheckConfig.apply(to:root:)`; `CheckOptions.alternative(of:)` names a path's member).
package struct CheckConfig: Sendable {
    /// Claims under these globs are on this host; a path no glob matches is on `*`.
    package struct HostGlobs: Sendable {
        package var host: HostScope
        package var globs: [String]
        /// The folder the globs are relative to, as spelled (the config file's folder, or
        /// with `--config` a checked PATH).
        package var root: String
        /// The config file and the line of this host's entry, for messages.
        package var file = ""
        package var line: Int?

        package init(host: HostScope, globs: [String], root: String) {
            self.host = host
            self.globs = globs
            self.root = root
        }

        /// The globs of these hosts that match `path` (as displayed), however the PATH and
        /// the config were spelled: both are compared as canonical absolute paths.
        package func matching(_ path: String) -> [String] {
            guard let relative = CheckConfig.relative(path, to: root) else { return [] }
            return globs.filter { CheckConfig.globMatches($0, relative) }
        }

        /// True when a glob matches `path`.
        package func matches(_ path: String) -> Bool { !matching(path).isEmpty }
    }

    /// A glob matches a relative path itself, or a folder above it (`dns` matches
    /// `dns/compose.yaml`); `*` crosses `/`.
    package static func globMatches(_ glob: String, _ relative: String) -> Bool {
        fnmatch(glob, relative, 0) == 0 || fnmatch(glob + "/*", relative, 0) == 0
    }

    /// How specific a glob is: a literal path beats any glob, then more literal characters
    /// beat fewer.
    package static func specificity(_ glob: String) -> (literal: Int, characters: Int) {
        let wildcards: Set<Character> = ["*", "?", "["]
        let literal = glob.contains { wildcards.contains($0) } ? 0 : 1
        return (literal, glob.count { !wildcards.contains($0) && $0 != "]" })
    }

    /// `path` relative to the folder `root`, both as canonical absolute paths (links
    /// resolved, `.`, `..` and the current folder folded), so `r`, `./r`, `r/.` and `$PWD/r`
    /// are one root; nil when `path` is not under it. A path that does not exist (standard
    /// input's name) is compared as written.
    package static func relative(_ path: String, to root: String) -> String? {
        if let base = ConfigFile.canonical(root),
            let folder = ConfigFile.canonical(ConfigFile.directory(of: path))
        {
            let absolute = (folder == "/" ? "" : folder) + "/" + ConfigFile.baseName(path)
            if base == "/" { return String(absolute.dropFirst()) }
            if absolute == base { return "." }
            guard absolute.hasPrefix(base + "/") else { return nil }
            return String(absolute.dropFirst(base.count + 1))
        }
        let spelled = ConfigFile.normalize(root)
        if spelled == "." || spelled.isEmpty { return path }
        guard path.hasPrefix(spelled + "/") else { return nil }
        return String(path.dropFirst(spelled.count + 1))
    }

    /// The host `path` is on by `hosts`: the host of the most specific matching glob; nil
    /// when no glob matches. Two equally specific globs of different hosts are a usage error
    /// (64) naming both.
    package static func host(of path: String, in hosts: [HostGlobs]) throws -> HostScope? {
        var best: (rank: (literal: Int, characters: Int), glob: String, entry: HostGlobs)?
        for entry in hosts {
            for glob in entry.matching(path) {
                let rank = specificity(glob)
                if let current = best {
                    if rank < current.rank { continue }
                    if rank == current.rank {
                        guard current.entry.host != entry.host else { continue }
                        throw RegistryError(
                            .usage,
                            "'\(current.glob)' (host \(current.entry.host)) and '\(glob)' (host \(entry.host)) match \(path) equally: make one of them more specific",
                            at: SourceLocation(file: entry.file, line: entry.line))
                    }
                }
                best = (rank, glob, entry)
            }
        }
        return best?.entry.host
    }

    package var file: String
    /// The folder the config's paths are relative to (its own folder).
    package var root = "."
    package var hosts: [HostGlobs] = []
    /// `alternatives`: groups of path globs, at most one member of each deployed at a time.
    package var alternatives: [[String]] = []
    /// `stacks`: name → Compose files run together (`-f a -f b`), in the order written.
    package var stacks: [String: [String]] = [:]
    /// `env-file`: project folder → the env file it is run with (relative to the folder).
    package var envFiles: [String: String] = [:]
    package var exclude: [String]?
    package var baseline: String?
    package var strict: Bool?
    /// `ephemeral-range`: `.some(nil)` for `none`.
    package var ephemeralRange: PortRange??
    package var nodePortRange: PortRange?

    package static let fileName = ".portreg.yaml"

    /// The config of a run: `explicit` (`--config`), else `.portreg.yaml` in the first PATH
    /// folder that has one; nil when there is none.
    package static func locate(explicit: String?, paths: [String]) -> String? {
        if let explicit { return explicit }
        // A tree's own settings file is read like every file of the tree (`SourceTree`): a
        // link out of it, a FIFO or a device is not read.
        let tree = SourceTree(paths: paths)
        for path in paths {
            let candidate = (path == "." ? "" : path.hasSuffix("/") ? path : path + "/") + fileName
            if tree.refusal(candidate) == nil { return candidate }
        }
        return nil
    }

    /// Reads a config; missing is 66, anything it does not understand 64 with file and line.
    package static func read(_ path: String) throws -> CheckConfig {
        let text = try TextFile.read(path)
        func refuse(_ line: Int?, _ message: String) -> RegistryError {
            RegistryError(.usage, message, at: SourceLocation(file: path, line: line))
        }
        let parsed = YAMLDocuments.parse(text)
        if let failure = parsed.failure { throw refuse(failure.line, failure.message) }
        var config = CheckConfig(file: path)
        config.root = ConfigFile.directory(of: path)
        guard let document = parsed.documents.first, !document.isNull else { return config }
        guard case .mapping(let entries) = document.content else {
            throw refuse(
                document.line,
                "a mapping of settings (hosts, alternatives, stacks, env-file, exclude, baseline, strict, ephemeral-range, node-port-range)"
            )
        }
        let root = ConfigFile.directory(of: path)
        func strings(_ node: Node, _ key: String) throws -> [String] {
            if let text = node.text, !node.isNull { return [text] }
            guard node.isSequence else { throw refuse(node.line, "'\(key)' must be a list of path globs") }
            return try node.items.map { item in
                guard let text = item.text, !item.isNull, !text.isEmpty else {
                    throw refuse(item.line, "'\(key)' must be a list of path globs")
                }
                return text
            }
        }
        func setting<T>(_ node: Node, _ key: String, _ parse: (String) throws(CheckRangeSetting.Invalid) -> T) throws
            -> T
        {
            do { return try parse(node.isNull ? "" : node.text ?? "") } catch {
                throw refuse(node.line, "invalid \(key): \(error.problem)")
            }
        }
        var seen = Set<String>()
        for (keyNode, value) in entries {
            guard let key = keyNode.text else { throw refuse(keyNode.line, "a setting's name must be text") }
            guard seen.insert(key).inserted else { throw refuse(keyNode.line, "'\(key)' is set twice") }
            switch key {
            case "hosts":
                guard case .mapping(let hosts) = value.content else {
                    throw refuse(value.line, "'hosts' must map host names to path globs")
                }
                for (hostNode, globs) in hosts {
                    guard let name = hostNode.text, name != "*", let host = HostScope(parsing: name) else {
                        throw refuse(hostNode.line, "invalid host '\(hostNode.text ?? "")': a host or environment name")
                    }
                    var entry = HostGlobs(host: host, globs: try strings(globs, "hosts.\(name)"), root: root)
                    entry.file = path
                    entry.line = hostNode.line
                    config.hosts.append(entry)
                }
            case "exclude":
                config.exclude = try strings(value, key)
            case "baseline":
                guard let text = value.text, !value.isNull, !text.isEmpty else {
                    throw refuse(value.line, "'baseline' must be a file name")
                }
                config.baseline = text.hasPrefix("/") || root == "." ? text : root + "/" + text
            case "strict":
                switch value.text {
                case "true": config.strict = true
                case "false": config.strict = false
                default: throw refuse(value.line, "'strict' must be true or false")
                }
            case "ephemeral-range":
                config.ephemeralRange = .some(try setting(value, key, CheckRangeSetting.ephemeral))
            case "node-port-range":
                config.nodePortRange = try setting(value, key, CheckRangeSetting.nodePorts)
            case "alternatives":
                let rule = "'alternatives' must be a list of groups, each a list of path globs"
                guard value.isSequence else { throw refuse(value.line, rule) }
                config.alternatives = try value.items.map { group in
                    guard group.isSequence, !group.items.isEmpty else { throw refuse(group.line ?? value.line, rule) }
                    return try strings(group, key)
                }
            case "stacks":
                guard case .mapping(let stacks) = value.content else {
                    throw refuse(value.line, "'stacks' must map stack names to lists of Compose files")
                }
                for (nameNode, files) in stacks {
                    guard let name = nameNode.text, !nameNode.isNull, !name.isEmpty else {
                        throw refuse(nameNode.line, "a stack's name must be text")
                    }
                    guard config.stacks[name] == nil else {
                        throw refuse(nameNode.line, "'stacks.\(name)' is set twice")
                    }
                    let list = try strings(files, "stacks.\(name)")
                    guard !list.isEmpty else {
                        throw refuse(files.line ?? nameNode.line, "'stacks.\(name)' names no file")
                    }
                    for file in list where !Self.staysInside(file) {
                        throw refuse(
                            files.line ?? nameNode.line, "'stacks.\(name)': '\(file)' must be a path inside the tree")
                    }
                    config.stacks[name] = list
                }
            case "env-file":
                guard case .mapping(let folders) = value.content else {
                    throw refuse(value.line, "'env-file' must map project folders to env files")
                }
                for (folderNode, fileNode) in folders {
                    guard let folder = folderNode.text, !folderNode.isNull, !folder.isEmpty else {
                        throw refuse(folderNode.line, "'env-file': a project folder must be text")
                    }
                    guard let file = fileNode.text, !fileNode.isNull, !file.isEmpty else {
                        throw refuse(fileNode.line ?? folderNode.line, "'env-file.\(folder)' must be a file name")
                    }
                    guard Self.staysInside(folder), !file.hasPrefix("/"), Self.staysInside(folder + "/" + file) else {
                        throw refuse(
                            fileNode.line ?? folderNode.line,
                            "'env-file.\(folder)': '\(file)' must be a path inside the tree")
                    }
                    guard config.envFiles[folder] == nil else {
                        throw refuse(folderNode.line, "'env-file.\(folder)' is set twice")
                    }
                    config.envFiles[folder] = file
                }
            default:
                throw refuse(
                    keyNode.line,
                    "unknown setting '\(key)': hosts, alternatives, stacks, env-file, exclude, baseline, strict, ephemeral-range or node-port-range"
                )
            }
        }
        return config
    }
}

extension CheckConfig {
    /// True when a path relative to the config's root stays under it: not absolute, and no
    /// `..` that climbs out (what the tree names must be inside the tree).
    static func staysInside(_ relative: String) -> Bool {
        guard !relative.hasPrefix("/") else { return false }
        let normalized = ConfigFile.normalize(relative)
        return normalized != ".." && !normalized.hasPrefix("../")
    }

    /// Hands `alternatives`, `stacks` and `env-file` to a run, relative to `root` (the
    /// config's folder unless the caller says otherwise: `--config` outside the tree).
    package func apply(to options: inout CheckOptions, root: String? = nil) {
        options.alternativeGroups = alternatives
        options.stacks = stacks
        options.projectEnvFiles = envFiles
        options.configRoot = root ?? self.root
    }
}

extension CheckOptions {
    /// Which `alternatives` group and member `path` (as displayed) belongs to: the member is
    /// the shortest leading part of the path (relative to `configRoot`) that a glob of the
    /// group matches, component by component (`examples/*` makes `examples/a` and
    /// `examples/b` two members), else the whole path when a glob matches it across folders.
    /// nil when no group holds it.
    package func alternative(of path: String) -> (group: Int, member: String)? {
        guard !alternativeGroups.isEmpty, let root = configRoot, let relative = CheckConfig.relative(path, to: root)
        else { return nil }
        let parts = relative.split(separator: "/").map(String.init)
        for (index, group) in alternativeGroups.enumerated() {
            for glob in group {
                for count in parts.indices.map({ $0 + 1 }) {
                    let prefix = parts[..<count].joined(separator: "/")
                    if fnmatch(glob, prefix, FNM_PATHNAME) == 0 { return (index, prefix) }
                }
                if fnmatch(glob, relative, 0) == 0 { return (index, relative) }
            }
        }
        return nil
    }

    /// The host of each displayed path, by `.portreg.yaml`'s `hosts` (the most specific glob
    /// wins), else `host`. Throws a usage error (64) where equally specific globs of two
    /// hosts match a path.
    package func hostsByPath(_ paths: some Sequence<String>) throws -> [String: HostScope] {
        guard !hostGlobs.isEmpty else { return [:] }
        var result: [String: HostScope] = [:]
        for path in paths where result[path] == nil {
            result[path] = try CheckConfig.host(of: path, in: hostGlobs) ?? host
        }
        return result
    }
}
