import PortRegistryModel
import PortRegistryPostgreSQL
import PortRegistryStorage
import PortRegistrySystem

/// The shared registry of SPEC.md ("Shared registry on PostgreSQL"): `--db postgres://…` keeps
/// the assignments on a PostgreSQL server and the catalog in this machine's SQLite file.
///
/// Nothing else changes: the same use cases run on a `PostgresAssignmentStore` instead of
/// the SQLite `AssignmentStore`, and every PostgreSQL failure reaches the executable as a
/// `RegistryError` (unreachable or busy past the timeout: exit 75) naming the server with its
/// password replaced by `***`.
package struct SharedServer: Sendable {
    /// The connection URI with any password replaced by `***`.
    package var displayURI: String
    /// The server's version, e.g. 15.20 (libpq's number 150020).
    package var serverVersion: Int
    /// The version of portreg's PostgreSQL schema (`portreg_schema`) after migrating.
    package var schemaVersion: Int
}

extension Registry {
    /// Opens the registry on the server at `uri` (a libpq URI: `sslmode`, `connect_timeout`,
    /// passwords from the URI, `PGPASSWORD` or `~/.pgpass` as libpq reads them) with the
    /// catalog at `catalogPath`. A server that cannot be reached within the busy timeout
    /// exits 75 with its message; the schema is migrated on first use, and one written by a
    /// newer portreg is refused untouched (73).
    static func openShared(
        uri: String, catalogPath: String, busyTimeoutMilliseconds: Int32 = Registry.defaultBusyTimeoutMilliseconds,
        clock: RegistryClock = .system, purpose: RegistryPurpose = .writing
    ) throws -> Registry {
        let display = PostgresURI.redacted(uri)
        let store: PostgresAssignmentStore
        let server: SharedServer
        do {
            let connection = try PostgresConnection(uri: uri, busyTimeoutMilliseconds: busyTimeoutMilliseconds)
            let migrator = PostgresMigrator.embedded
            // One version read on every run; the migration (and its lock) only when behind.
            if try migrator.checkCompatible(connection) < migrator.latestVersion { try migrator.migrate(connection) }
            store = PostgresAssignmentStore(connection: connection)
            server = SharedServer(
                displayURI: connection.displayURI, serverVersion: connection.serverVersion,
                schemaVersion: migrator.latestVersion)
        } catch let error as PostgresError {
            throw RegistryError(error, registry: display, busyTimeoutMilliseconds: busyTimeoutMilliseconds)
        }
        return try open(
            path: catalogPath, busyTimeoutMilliseconds: busyTimeoutMilliseconds, clock: clock, migrator: .embedded,
            assignments: store, server: server, purpose: purpose)
    }
}

extension DatabaseLocation {
    /// True when `--db`/`$PORTREG_DB` names a PostgreSQL server rather than a file: a
    /// `postgres://` URI or a libpq keyword string (`host=db dbname=ports`).
    static func isServer(_ location: String) -> Bool { PostgresURI.isConnectionString(location) }

    /// `x=y` where `x` is no libpq keyword: neither a server nor, by SPEC, a file name (a
    /// typo of a keyword would otherwise become a SQLite file named with the password).
    static func refuseUnknownKeyword(_ location: String) throws {
        guard let keyword = PostgresURI.leadingKeyword(location) else { return }
        throw RegistryError(
            .usage,
            "'\(PostgresURI.redacted(location))' looks like a libpq connection string, but '\(keyword)' is not a libpq keyword (host, port, dbname, user, password, …); give ./\(keyword)=… for a file named so"
        )
    }

    /// Where the catalog lives when the assignments are on a server: `$PORTREG_CATALOG_DB`,
    /// else `catalog.db` in the folder of the default registry file
    /// (`$XDG_DATA_HOME/portreg/catalog.db`, else `~/.local/share/portreg/catalog.db`).
    static func catalogPath(environment: [String: String]) -> String {
        if let path = environment["PORTREG_CATALOG_DB"], !path.isEmpty { return path }
        var environment = environment
        environment["PORTREG_DB"] = nil
        let registry = resolve(explicit: nil, environment: environment)
        let folder = registry.lastIndex(of: "/").map { String(registry[..<$0]) } ?? "."
        return folder + "/catalog.db"
    }
}
