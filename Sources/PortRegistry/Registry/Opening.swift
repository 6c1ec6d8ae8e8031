import PortRegistryModel
import PortRegistryStorage
import PortRegistrySystem

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

    /// Opens the registry at `path`, creating, migrating and seeding it on first use.
    package static func open(
        path: String, busyTimeoutMilliseconds: Int32 = Registry.defaultBusyTimeoutMilliseconds,
        clock: RegistryClock = .system, purpose: RegistryPurpose = .writing
    ) throws -> Registry {
        try open(
            path: path, busyTimeoutMilliseconds: busyTimeoutMilliseconds, clock: clock, migrator: .embedded,
            purpose: purpose)
    }

    /// `assignments` puts the assignments on another backend (a PostgreSQL one); the catalog
    /// stays in the SQLite file at `path`.
    ///
    /// For `.reading`, a file that exists, is not in WAL mode and is at this binary's schema
    /// version is opened `SQLITE_OPEN_READONLY`: the command writes nothing, not even a
    /// journal. Anything else (a new file, a pending migration, a WAL file to convert, a hot
    /// journal to roll back) takes the read-write path, as a write would.
    package static func open(
        path: String, busyTimeoutMilliseconds: Int32 = Database.defaultBusyTimeout, clock: RegistryClock = .system,
        migrator: Migrator, assignments: (any AssignmentStorage)? = nil, server: SharedServer? = nil,
        purpose: RegistryPurpose = .writing
    ) throws -> Registry {
        let isNew = path == ":memory:" || !DatabaseLocation.exists(path)
        if isNew && path != ":memory:" { try DatabaseLocation.createParentDirectories(of: path) }
        let writable = isNew ? Database.Access.readWrite : DatabaseLocation.access(path)
        var access = writable
        if purpose == .reading && !isNew && writable == .readWrite && !Database.usesWriteAheadLog(path: path) {
            access = .readOnly
        }
        while true {
            let database: Database
            do {
                database = try Database(path: path, access: access, busyTimeoutMilliseconds: busyTimeoutMilliseconds)
            } catch {
                throw registryError(
                    error, path: path, stage: .opening, busyTimeoutMilliseconds: busyTimeoutMilliseconds)
            }
            if access != writable && !isCurrent(database, migrator: migrator) {
                // Behind this binary's schema, or a hot journal only a writer can roll back.
                access = .readWrite
                continue
            }
            return try Registry(
                database: database, migrator: migrator, clock: clock, busyTimeoutMilliseconds: busyTimeoutMilliseconds,
                assignments: assignments, server: server, purpose: purpose)
        }
    }

    /// Whether a read-only connection can serve reads as it is: the schema is this binary's
    /// (or a newer one, which `init` refuses) and no hot journal waits for a rollback.
    private static func isCurrent(_ database: Database, migrator: Migrator) -> Bool {
        guard let version = try? database.scalarInt("PRAGMA user_version") else { return false }
        return version >= migrator.latestVersion
    }

    /// A registry on a private in-memory database (tests, dry runs).
    package static func inMemory(clock: RegistryClock = .system) throws -> Registry {
        try Registry(
            database: Database.inMemory(), migrator: .embedded, clock: clock,
            busyTimeoutMilliseconds: Database.defaultBusyTimeout)
    }
}
