import PortRegistryModel
import Synchronization

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// The trees `check` was given, and the one way it reads a file of them (SPEC "An untrusted
/// tree"): on a pull request every file belongs to whoever opened it, so every read that a
/// file of the tree can cause goes through `read`, which opens only a regular file inside one
/// of the roots, never under `.git`, never in `/proc`, `/dev` or `/sys`, and follows no link
/// out. A refusal says what kind of reference it was, never anything of the target: a path
/// outside the roots is refused before anything is asked of the file system, so a tree cannot
/// learn whether a file exists elsewhere.
///
/// Paths are resolved as Compose resolves them (`filepath.Join`: `..` folds lexically), then
/// walked from the root one component at a time with `lstat`, so a link anywhere on the way
/// is seen and its target confined in turn (at most 40 links, as the kernel allows).
package struct SourceTree: Sendable {
    /// One root: its physical path (links resolved) and the absolute path as the user spelled
    /// it, which display paths start with when the PATH went through a link.
    package struct Root: Sendable, Equatable {
        package var physical: String
        package var spelled: String
    }

    package private(set) var roots: [Root] = []
    /// The current folder, physical (getcwd), against which relative paths are read.
    private let workingDirectory: String
    /// Paths already resolved (folders, and files that were no link), by their lexical
    /// absolute path: a tree of 10,000 files asks the file system about each path once, not
    /// once per reference and component. Shared by the threads that load the tree.
    private let folders = FolderCache()

    private final class FolderCache: Sendable {
        let resolved = Mutex<[String: String]>([:])
    }

    /// Why a path was not read.
    package enum Refusal: Error, Equatable, Sendable {
        /// The path lies outside every checked tree (`../../secrets`, `/etc/passwd`).
        case outside
        /// A link on the way leads out of the tree.
        case linkOut
        /// The path goes through a `.git` folder (where actions/checkout keeps its token).
        case gitFolder
        /// `/proc`, `/dev`, `/sys`.
        case systemFolder
        /// Too many links.
        case linkLoop
        /// Nothing there (inside the tree: saying so tells nothing of the machine).
        case missing
        /// A folder, a FIFO, a device, a socket.
        case notRegular(String)
        /// The file system refused (permissions, a name too long).
        case unreadable(String)

        /// Words for a message about a reference: `env_file '.git/config' is not read: …`.
        package var reason: String {
            switch self {
            case .outside: "it is outside the checked tree"
            case .linkOut: "a link on the way leads out of the checked tree"
            case .gitFolder: "it is inside a .git folder"
            case .systemFolder: "it is a system folder (/proc, /dev, /sys)"
            case .linkLoop: "too many links"
            case .missing: "it does not exist"
            case .notRegular(let kind): "it is not a regular file (\(kind))"
            case .unreadable(let message): "cannot read it: \(message)"
            }
        }
    }

    /// The trees of `paths` (folders, or files whose folder is then the tree: the `.env`
    /// beside a Compose file named on the command line is the project's own).
    package init(paths: [String]) {
        workingDirectory = Discovery.currentDirectory() ?? "/"
        for path in paths where path != "-" {
            let absolute = absolutePath(path)
            var info = stat()
            let isFolder = stat(path, &info) == 0 && info.st_mode & S_IFMT == S_IFDIR
            let spelled = isFolder ? absolute : ConfigFile.directory(of: absolute)
            guard
                let physical = ConfigFile.canonical(
                    isFolder ? path : ConfigFile.directory(of: path.isEmpty ? "." : path))
            else { continue }
            let root = Root(physical: physical, spelled: spelled)
            if !roots.contains(root) { roots.append(root) }
        }
    }

    /// The tree of one folder, for tests and for standard input's temporary folder.
    package init(root: String) { self.init(paths: [root]) }

    /// `path` as an absolute path with `.` and `..` folded, as Compose folds them.
    package func absolutePath(_ path: String) -> String {
        ConfigFile.normalize(path.hasPrefix("/") ? path : workingDirectory + "/" + path)
    }

    /// The physical path of a file inside the tree, or why it is not one.
    package func resolve(_ path: String) -> Result<String, Refusal> {
        // As spelled first (the current folder does not change during a run): no folding.
        if let known = folders.resolved.withLock({ $0[path] }) { return .success(known) }
        let absolute = absolutePath(path)
        if let known = folders.resolved.withLock({ $0[absolute] }) {
            folders.resolved.withLock { $0[path] = known }
            return .success(known)
        }
        // The folder from the cache (or resolved once), then the last component: a link
        // there, or a folder that is not plain, takes the general walk below.
        let name = ConfigFile.baseName(absolute)
        guard name != ".." && name != "." && !name.isEmpty, absolute != "/",
            case .success(let folder) = resolveFolder(ConfigFile.directory(of: absolute))
        else { return resolve(absolute: absolute, links: 0, viaLink: false) }
        if name == ".git" { return .failure(.gitFolder) }
        let next = folder == "/" ? "/" + name : folder + "/" + name
        var info = stat()
        guard lstat(next, &info) == 0 else {
            let code = errno
            return .failure(code == ENOENT || code == ENOTDIR ? .missing : .unreadable(ConfigFile.systemMessage(code)))
        }
        if info.st_mode & S_IFMT == S_IFLNK { return resolve(absolute: absolute, links: 0, viaLink: false) }
        folders.resolved.withLock {
            $0[absolute] = next
            $0[path] = next
        }
        return .success(next)
    }

    /// The physical path of a folder of the tree, cached; a failure is not cached (the
    /// general walk says why).
    private func resolveFolder(_ absolute: String) -> Result<String, Refusal> {
        if let known = folders.resolved.withLock({ $0[absolute] }) { return .success(known) }
        let result = resolve(absolute: absolute, links: 0, viaLink: false)
        if case .success(let physical) = result {
            folders.resolved.withLock { $0[absolute] = physical }
        }
        return result
    }

    private static let systemFolders = ["/proc", "/dev", "/sys"]

    private static func isUnder(_ path: String, _ folder: String) -> Bool {
        folder == "/" ? path.hasPrefix("/") : path == folder || path.hasPrefix(folder + "/")
    }

    private func resolve(absolute: String, links: Int, viaLink: Bool) -> Result<String, Refusal> {
        if Self.systemFolders.contains(where: { Self.isUnder(absolute, $0) }) { return .failure(.systemFolder) }
        // The root the path lies under, as spelled or physically; the longest wins.
        var best: (root: Root, rest: Substring)?
        for root in roots {
            for prefix in [root.physical, root.spelled] where Self.isUnder(absolute, prefix) {
                let rest = absolute.dropFirst(prefix == "/" ? 1 : prefix.count)
                if best == nil || rest.count < best!.rest.count { best = (root, rest) }
            }
        }
        guard let (root, rest) = best else { return .failure(viaLink ? .linkOut : .outside) }
        let components = rest.split(separator: "/")
        var current = root.physical
        for (position, component) in components.enumerated() {
            if component == ".git" { return .failure(.gitFolder) }
            let next = current == "/" ? "/" + component : current + "/" + component
            var info = stat()
            guard lstat(next, &info) == 0 else {
                let code = errno
                return .failure(
                    code == ENOENT || code == ENOTDIR ? .missing : .unreadable(ConfigFile.systemMessage(code)))
            }
            if info.st_mode & S_IFMT == S_IFLNK {
                guard links < 40 else { return .failure(.linkLoop) }
                guard let target = Self.readLink(next) else { return .failure(.unreadable("an unreadable link")) }
                let remaining = components[(position + 1)...].joined(separator: "/")
                let joined =
                    (target.hasPrefix("/") ? target : current + "/" + target)
                    + (remaining.isEmpty ? "" : "/" + remaining)
                return resolve(absolute: ConfigFile.normalize(joined), links: links + 1, viaLink: true)
            }
            current = next
        }
        return .success(current)
    }

    private static func readLink(_ path: String) -> String? {
        var buffer = [CChar](repeating: 0, count: Int(PATH_MAX) + 1)
        let count = readlink(path, &buffer, buffer.count - 1)
        guard count > 0 else { return nil }
        return String(decoding: buffer[0..<count].map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }

    /// Whether the tree holds a regular file at `path` (refusals and folders are false).
    package func isRegularFile(_ path: String) -> Bool {
        guard case .success(let physical) = resolve(path) else { return false }
        var info = stat()
        return lstat(physical, &info) == 0 && info.st_mode & S_IFMT == S_IFREG
    }

    /// Why `path` cannot be read as a file of the tree, or nil when it can (it resolves
    /// inside the tree to a regular file). Nothing is opened.
    package func refusal(_ path: String) -> Refusal? {
        switch resolve(path) {
        case .failure(let refusal): return refusal
        case .success(let physical):
            var info = stat()
            guard lstat(physical, &info) == 0 else { return .missing }
            let kind = info.st_mode & S_IFMT
            return kind == S_IFREG ? nil : .notRegular(kind == S_IFDIR ? "a folder" : Discovery.kindName(kind))
        }
    }

    /// Reads a file of the tree: confined as above, then bounded and UTF-8 as every config
    /// (`ConfigFile.read`). A refusal is an `Unreadable` whose message says why, never what
    /// the target holds.
    package func read(_ path: String) -> Result<String, ConfigFile.Unreadable> {
        switch resolve(path) {
        case .failure(let refusal):
            return .failure(ConfigFile.Unreadable(message: "not read: \(refusal.reason)", refusal: refusal))
        case .success(let physical):
            // No link is left on the physical path; O_NOFOLLOW refuses one made since.
            return ConfigFile.read(physical, extraFlags: O_NOFOLLOW)
        }
    }
}
