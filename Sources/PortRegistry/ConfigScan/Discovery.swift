import PortRegistryFormats
import PortRegistryModel

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Finds the files `check` reads under the paths it is given.
///
/// Folders `.git`, `node_modules`, `vendor`, `.build` and `target` are skipped, and so are a
/// Helm chart's `templates` (Go templates, not YAML until rendered). A link to a file is
/// followed only when the file lies inside the tree; links to folders are not followed (what
/// they point to inside the tree is walked anyway, and outside it is not ours).
package struct Discovery: Sendable {
    package static let skippedFolders: Set<String> = [".git", "node_modules", "vendor", ".build", "target"]

    /// The files of one Compose project (one folder), in merge order.
    package struct ComposeFolder: Sendable {
        package var directory: String
        package var files: [String]

        package init(directory: String, files: [String]) {
            self.directory = directory
            self.files = files
        }
    }

    package var composeFolders: [ComposeFolder] = []
    /// Candidates of each per-file format (`ConfigFormats.perFile`), by the format's name.
    package var candidates: [String: [String]] = [:]
    /// Other `.yaml`/`.yml` files: Kubernetes manifests or nothing of ours.
    package var yamlFiles: [String] { candidates[KubernetesFormat().name] ?? [] }
    package var procfiles: [String] { candidates[ProcfileFormat().name] ?? [] }
    /// `.env` files in folders without Compose files.
    package var envFiles: [String] { candidates[StandaloneEnvFormat().name] ?? [] }
    package var csvFiles: [String] { candidates[RegistryCSVFormat().name] ?? [] }
    /// What the walk could not read (a folder, a name that is not UTF-8, a path too long, a
    /// special file named like a config): `parse` findings, never skipped in silence.
    package var findings: [Finding] = []
    private var folderIndex: [String: Int] = [:]
    /// The trees walked: a link is followed only where it resolves inside them.
    private let tree: SourceTree

    init(tree: SourceTree) { self.tree = tree }

    /// The base names of a project's main Compose file, in the order Compose prefers them.
    package static let composeNames = ["compose.yaml", "compose.yml", "docker-compose.yaml", "docker-compose.yml"]

    /// `compose.yaml`, `docker-compose.yml`, …, and overrides such as `compose.prod.yaml`.
    package static func isComposeName(_ name: String) -> Bool {
        guard name.hasSuffix(".yaml") || name.hasSuffix(".yml") else { return false }
        return name.hasPrefix("compose.") || name.hasPrefix("docker-compose.")
    }

    /// Any other `*.yaml`/`*.yml` whose name contains `compose` (`docker-compose-dev.yml`,
    /// `docker-compose2.yaml`, `plex-compose.yaml`): a Compose file when its document has a
    /// top-level `services` mapping (SPEC).
    package static func mayBeComposeName(_ name: String) -> Bool {
        (name.hasSuffix(".yaml") || name.hasSuffix(".yml")) && name.lowercased().contains("compose")
    }

    /// True when a document of the file has a top-level `services` mapping. A file that cannot
    /// be read or parsed is ours only when its name starts like a Compose file's
    /// (`docker-compose-dev.yml`), so that the loader reports it; a compose-named Helm values
    /// file or template is passed over without a word.
    package static func declaresServices(_ path: String, name: String, tree: SourceTree) -> Bool {
        let lowered = name.lowercased()
        let startsLikeCompose = lowered.hasPrefix("compose") || lowered.hasPrefix("docker-compose")
        guard case .success(let text) = tree.read(path) else { return startsLikeCompose }
        guard ConfigFile.containsBytes(text, "services") || ConfigFile.containsBytes(text, "include") else {
            return false
        }
        let (documents, failure) = YAMLDocuments.parse(text)
        // A file of only `include` (a host's entry point in a homelab) is a project too.
        if documents.contains(where: {
            $0.value("services")?.isMapping == true || $0.value("include")?.isSequence == true
        }) {
            return true
        }
        return failure != nil && startsLikeCompose
    }

    /// Walks `paths` (files or folders); a path that does not exist throws `inputMissing`.
    package static func discover(paths: [String], excluding patterns: [String], tree: SourceTree) throws -> Discovery {
        var discovery = Discovery(tree: tree)
        var seen = Set<FileID>()
        let workingDirectory = currentDirectory()
        for path in paths {
            var info = stat()
            guard stat(path, &info) == 0 else {
                throw RegistryError(.inputMissing, "\(path): \(ConfigFile.systemMessage(errno))")
            }
            let display = displayPath(path, workingDirectory: workingDirectory)
            if info.st_mode & S_IFMT == S_IFDIR {
                discovery.walk(display, relative: "", patterns: patterns, seen: &seen)
            } else {
                let name = ConfigFile.baseName(display)
                if seen.insert(FileID(info)).inserted {
                    var folder = [String: [String]]()
                    discovery.classify(name, path: display, composeInFolder: &folder)
                    discovery.flush(folder, directory: ConfigFile.directory(of: display))
                }
            }
        }
        return discovery
    }

    package static func currentDirectory() -> String? {
        var buffer = [CChar](repeating: 0, count: Int(PATH_MAX) + 1)
        guard getcwd(&buffer, buffer.count) != nil else { return nil }
        return String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }

    /// Paths as the user reads them: relative to the current folder when under it.
    package static func displayPath(_ path: String, workingDirectory: String?) -> String {
        var normalized = ConfigFile.normalize(path)
        if normalized.hasPrefix("/"), let workingDirectory {
            if normalized == workingDirectory {
                normalized = "."
            } else if normalized.hasPrefix(workingDirectory + "/") {
                normalized = String(normalized.dropFirst(workingDirectory.count + 1))
            }
        }
        return normalized
    }

    package static func matches(_ patterns: [String], relative: String, display: String, name: String) -> Bool {
        patterns.contains { pattern in
            fnmatch(pattern, relative, 0) == 0 || fnmatch(pattern, display, 0) == 0 || fnmatch(pattern, name, 0) == 0
                || fnmatch(pattern, "./" + relative, 0) == 0
        }
    }

    private mutating func walk(
        _ directory: String, relative: String, patterns: [String], seen: inout Set<FileID>
    ) {
        guard let stream = opendir(directory) else {
            unreadable(directory, "cannot read this folder: \(ConfigFile.systemMessage(errno))")
            return
        }
        var names: [String] = []
        while let entry = readdir(stream) {
            let bytes = withUnsafeBytes(of: entry.pointee.d_name) { raw in Array(raw.prefix { $0 != 0 }) }
            guard let name = String(validating: bytes, as: UTF8.self) else {
                let shown = Self.escapedName(bytes)
                unreadable(
                    directory == "." ? shown : directory + "/" + shown, "the name is not valid UTF-8; not read")
                continue
            }
            if name != "." && name != ".." { names.append(name) }
        }
        closedir(stream)
        names.sort()
        let isChart = names.contains("Chart.yaml")
        var folders: [String] = []
        var composeInFolder: [String: [String]] = [:]
        var envFile: String?
        for name in names {
            let path = directory == "." ? name : directory + "/" + name
            let childRelative = relative.isEmpty ? name : relative + "/" + name
            if !patterns.isEmpty && Self.matches(patterns, relative: childRelative, display: path, name: name) {
                continue
            }
            var info = stat()
            guard lstat(path, &info) == 0 else {
                let code = errno
                unreadable(
                    path,
                    code == ENAMETOOLONG
                        ? "the path is too long (\(path.utf8.count) bytes); not read"
                        : "cannot read: \(ConfigFile.systemMessage(code))")
                continue
            }
            var kind = info.st_mode & S_IFMT
            if kind == S_IFLNK {
                // A link to a file inside the tree is read there; one that leads out, into
                // `.git` or to a special file is not read, and said when named like a config.
                if let refusal = tree.refusal(path) {
                    if Self.isConfigName(name) && refusal != .missing {
                        findings.append(
                            Finding(
                                severity: .warning, kind: .parse, message: "not read: \(refusal.reason)",
                                places: [Finding.Place(location: SourceLocation(file: path, line: 1))]))
                    }
                    continue
                }
                guard stat(path, &info) == 0, info.st_mode & S_IFMT == S_IFREG else { continue }
                kind = S_IFREG
            }
            if kind == S_IFDIR {
                if Self.skippedFolders.contains(name) || (isChart && name == "templates") { continue }
                folders.append(name)
            } else if kind != S_IFREG {
                if Self.isConfigName(name) {
                    unreadable(path, "not a regular file (\(Self.kindName(kind))); not read")
                }
            } else {
                guard seen.insert(FileID(info)).inserted else { continue }
                if name == ".env" {
                    envFile = path
                } else {
                    classify(name, path: path, composeInFolder: &composeInFolder)
                }
            }
        }
        // SPEC: a project is the directory of its compose files, so a `.docker/` folder
        // (Docker Dev Environments) is a project of its own, like any other folder.
        flush(composeInFolder, directory: directory)
        if let envFile, composeInFolder.isEmpty { candidates[StandaloneEnvFormat().name, default: []].append(envFile) }
        for name in folders {
            walk(
                directory == "." ? name : directory + "/" + name,
                relative: relative.isEmpty ? name : relative + "/" + name,
                patterns: patterns, seen: &seen)
        }
    }

    private mutating func unreadable(_ path: String, _ message: String) {
        findings.append(
            Finding(
                severity: .error, kind: .parse, message: message,
                places: [Finding.Place(location: SourceLocation(file: path, line: 1))]))
    }

    /// A name `check` would read if it were a regular file.
    package static func isConfigName(_ name: String) -> Bool {
        name.hasSuffix(".yaml") || name.hasSuffix(".yml") || Procfile.isProcfileName(name) || name.hasSuffix(".csv")
            || name == ".env"
    }

    package static func kindName(_ kind: mode_t) -> String {
        switch kind {
        case S_IFIFO: "a FIFO"
        case S_IFSOCK: "a socket"
        case S_IFCHR: "a character device"
        case S_IFBLK: "a block device"
        default: "a special file"
        }
    }

    /// A name as bytes: valid UTF-8 kept, every other byte as `\xNN`, so the user can find it.
    package static func escapedName(_ bytes: [UInt8]) -> String {
        var result = ""
        var index = 0
        while index < bytes.count {
            let byte = bytes[index]
            let length = byte < 0x80 ? 1 : byte >= 0xF0 ? 4 : byte >= 0xE0 ? 3 : byte >= 0xC2 ? 2 : 0
            if length > 0, index + length <= bytes.count,
                let text = String(validating: bytes[index..<(index + length)], as: UTF8.self)
            {
                result += text
                index += length
            } else {
                let digits = String(byte, radix: 16, uppercase: true)
                result += "\\x" + (digits.count == 1 ? "0" + digits : digits)
                index += 1
            }
        }
        return result
    }

    private mutating func classify(_ name: String, path: String, composeInFolder: inout [String: [String]]) {
        if Self.isComposeName(name)
            || Self.mayBeComposeName(name) && Self.declaresServices(path, name: name, tree: tree)
        {
            composeInFolder[name] = [path]
        } else if let format = ConfigFormats.format(for: name) {
            candidates[format.name, default: []].append(path)
        }
    }

    /// One file, whatever links lead to it.
    package struct FileID: Hashable {
        var device: UInt64
        var inode: UInt64
        init(_ info: stat) {
            device = UInt64(info.st_dev)
            inode = UInt64(info.st_ino)
        }
    }

    /// The merge order of one folder's files: the main files in Compose's order of preference,
    /// then `compose.override.*` / `docker-compose.override.*` (what Compose merges by itself),
    /// then every other override by name.
    package static func mergeOrder(_ names: [String]) -> [String] {
        let main = composeNames.filter { names.contains($0) }
        let overrides = names.filter { !composeNames.contains($0) }.sorted { left, right in
            let leftFirst = isDefaultOverride(left)
            return leftFirst != isDefaultOverride(right) ? leftFirst : left < right
        }
        return main + overrides
    }

    package static func isDefaultOverride(_ name: String) -> Bool {
        name.hasPrefix("compose.override.") || name.hasPrefix("docker-compose.override.")
    }

    private mutating func flush(_ compose: [String: [String]], directory: String) {
        guard !compose.isEmpty else { return }
        let ordered = Self.mergeOrder(Array(compose.keys)).compactMap { compose[$0]?.first }
        if let index = folderIndex[directory] {
            composeFolders[index].files += ordered
        } else {
            folderIndex[directory] = composeFolders.count
            composeFolders.append(ComposeFolder(directory: directory, files: ordered))
        }
    }
}
