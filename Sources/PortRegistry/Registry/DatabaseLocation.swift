import Glibc

/// Where the registry lives: `--db`, else `$PORTREG_DB`, else `$XDG_DATA_HOME/portreg/registry.db`,
/// else `~/.local/share/portreg/registry.db`.
public enum DatabaseLocation {
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
    public static var processEnvironment: [String: String] {
        var values: [String: String] = [:]
        for name in ["PORTREG_DB", "XDG_DATA_HOME", "HOME", "PORTREG_BUSY_TIMEOUT", "PORTREG_CATALOG_DB"] {
            if let value = getenv(name) { values[name] = String(cString: value) }
        }
        return values
    }

    /// How long to wait for another process's write lock before exit 75:
    /// `$PORTREG_BUSY_TIMEOUT` in milliseconds (0 to 600000), else 30 s.
    package static func busyTimeout(environment: [String: String]) throws -> Int32 {
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

    static func exists(_ path: String) -> Bool { access(path, F_OK) == 0 }
}
