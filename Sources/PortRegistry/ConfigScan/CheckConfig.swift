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
///     exclude: ["legacy/*"]
///     baseline: .portreg-baseline # relative to this file's folder
///     strict: true
///     ephemeral-range: 32768-60999   # or none
///     node-port-range: 30000-32767
///
/// Command-line options win. An unknown key or a bad value is a usage error (64) naming the
/// file and line.
package struct CheckConfig: Sendable {
    /// Claims under these globs are on this host; a path no glob matches is on `*`.
    package struct HostGlobs: Sendable {
        package var host: HostScope
        package var globs: [String]
        /// The config file's folder, which the globs are relative to.
        package var root: String

        /// True when `path` (as displayed, relative to the current folder) is under a glob.
        package func matches(_ path: String) -> Bool {
            var relative = path
            if root != "." {
                guard path.hasPrefix(root + "/") else { return false }
                relative = String(path.dropFirst(root.count + 1))
            }
            return globs.contains { glob in
                fnmatch(glob, relative, 0) == 0 || fnmatch(glob + "/*", relative, 0) == 0
            }
        }
    }

    package var file: String
    package var hosts: [HostGlobs] = []
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
        for path in paths {
            let candidate = (path == "." ? "" : path.hasSuffix("/") ? path : path + "/") + fileName
            var info = stat()
            if stat(candidate, &info) == 0 && (info.st_mode & S_IFMT) == S_IFREG { return candidate }
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
        guard let document = parsed.documents.first, !document.isNull else { return config }
        guard case .mapping(let entries) = document.content else {
            throw refuse(
                document.line,
                "a mapping of settings (hosts, exclude, baseline, strict, ephemeral-range, node-port-range)")
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
                    config.hosts.append(HostGlobs(host: host, globs: try strings(globs, "hosts.\(name)"), root: root))
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
            default:
                throw refuse(
                    keyNode.line,
                    "unknown setting '\(key)': hosts, exclude, baseline, strict, ephemeral-range or node-port-range")
            }
        }
        return config
    }
}
