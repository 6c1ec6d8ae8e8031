import Glibc
import PortRegistryModel
import PortRegistryStorage

/// Where the registry lives: `--db`, else `$PORTREG_DB`, else `$XDG_DATA_HOME/portreg/registry.db`,
/// else `~/.local/share/portreg/registry.db`.
enum DatabaseLocation {
    package static func resolve(explicit: String?, environment: [String: String]) -> String {
        if let explicit, !explicit.isEmpty { return explicit }
        if let path = environment["PORTREG_DB"], !path.isEmpty { return path }
        if let data = environment["XDG_DATA_HOME"], data.hasPrefix("/") {
            return data + "/portreg/registry.db"
        }
        let home = environment["HOME"].flatMap { $0.isEmpty ? nil : $0 } ?? accountHome() ?? "."
        return home + "/.local/share/portreg/registry.db"
    }

    /// The home folder from the password database, for when $HOME is unset (cron, systemd).
    static func accountHome() -> String? {
        guard let entry = getpwuid(getuid()), let directory = entry.pointee.pw_dir else { return nil }
        let path = String(cString: directory)
        return path.isEmpty ? nil : path
    }

    /// The process environment, read with getenv for the three variables that matter
    /// (cheaper than materialising the whole environment).
    package static var processEnvironment: [String: String] {
        var values: [String: String] = [:]
        for name in ["PORTREG_DB", "XDG_DATA_HOME", "HOME", "PORTREG_BUSY_TIMEOUT", "PORTREG_CATALOG_DB"] {
            if let value = getenv(name) { values[name] = String(cString: value) }
        }
        return values
    }

    /// How long to wait for another process's write lock before exit 75:
    /// `$PORTREG_BUSY_TIMEOUT` in milliseconds (0 to 600000), else 30 s.
    static func busyTimeout(environment: [String: String]) throws -> Int32 {
        guard let text = environment["PORTREG_BUSY_TIMEOUT"], !text.isEmpty else { return Database.defaultBusyTimeout }
        guard let value = Int32(text), (0...600_000).contains(value) else {
            throw RegistryError(
                .usage, "PORTREG_BUSY_TIMEOUT must be a number of milliseconds from 0 to 600000, not '\(text)'")
        }
        return value
    }

    /// Creates the folders above `path` (like `mkdir -p`), so the first use needs no set-up.
    static func createParentDirectories(of path: String) throws {
        guard let slash = path.lastIndex(of: "/") else { return }
        let directory = String(path[..<slash])
        guard !directory.isEmpty else { return }
        var current = directory.hasPrefix("/") ? "" : "."
        for component in directory.split(separator: "/") {
            current += "/" + component
            if mkdir(current, 0o755) != 0 && errno != EEXIST {
                let reason = String(cString: strerror(errno))
                throw RegistryError(.cannotCreate, "\(path): cannot create folder \(current): \(reason)")
            }
        }
    }

    package static func exists(_ path: String) -> Bool { Glibc.access(path, F_OK) == 0 }

    /// How an existing registry can be opened by this user: read-write, read-only when the
    /// file is not writable, immutable when its folder is not writable either (a shared
    /// registry on a read-only mount, a CI cache, another account's folder).
    package static func access(_ path: String) -> Database.Access {
        let slash = path.lastIndex(of: "/")
        let folder = slash.map { $0 == path.startIndex ? "/" : String(path[..<$0]) } ?? "."
        if Glibc.access(folder, W_OK) != 0 { return .immutable }
        return Glibc.access(path, W_OK) == 0 ? .readWrite : .readOnly
    }

    /// `--db` values SQLite would read as something else than a file path: refused, as
    /// `:memory:` would take writes that vanish at exit, and `file:…` is not a URI here.
    static func checkUsable(_ path: String) throws {
        if path == ":memory:" || path.hasPrefix("file:") {
            throw RegistryError(
                .usage,
                "'\(path)' is not a registry file: an in-memory database or SQLite URI would lose every change at exit; give a file path (./\(path) for a file named so)"
            )
        }
    }

    /// Whether `path` is `database` or one of SQLite's files beside it (`-wal`, `-shm`,
    /// `-journal`): the same device and inode through any link, or, for one that does not
    /// exist yet, the same name in the same real folder.
    static func isPart(_ path: String, of database: String) -> Bool {
        var target = stat()
        let targetExists = stat(path, &target) == 0
        for suffix in ["", "-wal", "-shm", "-journal"] {
            let candidate = database + suffix
            var info = stat()
            if stat(candidate, &info) == 0 {
                if targetExists && info.st_dev == target.st_dev && info.st_ino == target.st_ino { return true }
            } else if let a = canonical(path), let b = canonical(candidate), a == b {
                return true
            }
        }
        return false
    }

    /// The real folder of `path` (links resolved) and its last component.
    private static func canonical(_ path: String) -> String? {
        let slash = path.lastIndex(of: "/")
        let folder = slash.map { $0 == path.startIndex ? "/" : String(path[..<$0]) } ?? "."
        let name = slash.map { String(path[path.index(after: $0)...]) } ?? path
        guard let resolved = realpath(folder, nil) else { return nil }
        defer { free(resolved) }
        return String(cString: resolved) + "/" + name
    }
}
