import PortRegistryModel

/// Where the registry is, as the user named it: `--db` (nil when not given) and the
/// environment it is resolved in (`$PORTREG_DB`, `$XDG_DATA_HOME`, `$HOME`,
/// `$PORTREG_BUSY_TIMEOUT`, `$PORTREG_CATALOG_DB`).
package struct RegistryLocation: Sendable {
    package var explicit: String?
    package var environment: [String: String]

    package init(db explicit: String?, environment: [String: String] = DatabaseLocation.processEnvironment) {
        self.explicit = explicit
        self.environment = environment
    }

    /// The location after `--db`, `$PORTREG_DB` and the XDG default: a file path or a server.
    package var resolved: String { DatabaseLocation.resolve(explicit: explicit, environment: environment) }
}

extension Registry {
    /// The one way in: opens the registry at `location` for `purpose`. A SQLite file, or, for
    /// a libpq connection string (`postgres://…`, `host=… dbname=…`), the assignments on that
    /// server with the catalog in `DatabaseLocation.catalogPath` (SharedRegistry.swift).
    /// `.reading` writes nothing to a registry that is up to date (`open(path:…)`).
    package static func open(_ location: RegistryLocation, for purpose: RegistryPurpose) throws -> Registry {
        let resolved = location.resolved
        let busyTimeout = try DatabaseLocation.busyTimeout(environment: location.environment)
        if DatabaseLocation.isServer(resolved) {
            return try openShared(
                uri: resolved, catalogPath: DatabaseLocation.catalogPath(environment: location.environment),
                busyTimeoutMilliseconds: busyTimeout, purpose: purpose)
        }
        try DatabaseLocation.refuseUnknownKeyword(resolved)
        try DatabaseLocation.checkUsable(resolved)
        return try open(path: resolved, busyTimeoutMilliseconds: busyTimeout, purpose: purpose)
    }

    /// `open(RegistryLocation(db: explicitPath, environment:), for: .writing)`, the spelling
    /// `openForCheck` (Check.swift, rewritten with the `check` command) still uses.
    package static func open(explicitPath: String?, environment: [String: String] = DatabaseLocation.processEnvironment)
        throws -> Registry
    {
        try open(RegistryLocation(db: explicitPath, environment: environment), for: .writing)
    }
}
