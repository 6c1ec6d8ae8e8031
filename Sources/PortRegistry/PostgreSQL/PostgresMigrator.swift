import PortRegistryModel

/// Brings a PostgreSQL registry's schema up to this binary's from `Migrations/postgres/NNNN_name.sql`.
///
/// Forward-only. Each applied migration is a row of `portreg_schema`, written in the same
/// transaction as its effect, and every pending migration runs in one transaction: a failure
/// leaves the database as it was. Processes migrating a new database at once serialise on an
/// advisory lock and read the version again under it. A database migrated by a newer portreg
/// is refused before anything is written.
public struct PostgresMigrator: Sendable {
    public struct Migration: Sendable {
        public let version: Int
        public let name: String
        public let sql: String
    }

    public let migrations: [Migration]

    /// The migrations compiled into this binary.
    public static let embedded = PostgresMigrator(files: EmbeddedFiles.postgresMigrations)

    /// Builds the list from `NNNN_name.sql` files; versions must run 1, 2, 3… with no gap
    /// (checked by a test on the embedded files: the files are the binary's own).
    public init(files: [(name: String, text: String)]) {
        migrations = files.compactMap { file in
            guard let version = Int(file.name.prefix { $0.isNumber }) else { return nil }
            return Migration(version: version, name: file.name, sql: file.text)
        }.sorted { $0.version < $1.version }
    }

    public var latestVersion: Int { migrations.last?.version ?? 0 }

    /// The version the database is at: 0 when portreg never migrated it.
    public func currentVersion(_ connection: PostgresConnection) throws(PostgresError) -> Int {
        // to_regclass resolves through search_path, as the CREATE TABLE below does.
        let present = try connection.query("SELECT to_regclass('portreg_schema') IS NOT NULL")
        guard present.count == 1, present[0].bool(0) else { return 0 }
        return try connection.query("SELECT coalesce(max(version), 0) FROM portreg_schema")[0].int(0)
    }

    /// Refuses a database written by a newer portreg.
    @discardableResult
    public func checkCompatible(_ connection: PostgresConnection) throws -> Int {
        let version = try currentVersion(connection)
        if version > latestVersion {
            throw RegistryError(
                .cannotCreate,
                "\(connection.displayURI): schema version \(version) is newer than this portreg supports (\(latestVersion)); upgrade portreg. The database was not changed."
            )
        }
        return version
    }

    /// Applies what is missing; returns how many migrations ran.
    @discardableResult
    public func migrate(_ connection: PostgresConnection) throws -> Int {
        guard try checkCompatible(connection) < latestVersion else { return 0 }
        return try connection.transaction {
            try connection.lockForTransaction(.migrations)
            try connection.execute(
                """
                CREATE TABLE IF NOT EXISTS portreg_schema (
                    version    integer PRIMARY KEY CHECK (version > 0),
                    name       text NOT NULL,
                    applied_at timestamptz NOT NULL DEFAULT now()
                )
                """)
            // Read again under the lock: another process may have migrated meanwhile.
            let current = try checkCompatible(connection)
            var applied = 0
            for migration in migrations where migration.version > current {
                do {
                    try connection.execute(migration.sql)
                } catch let error as PostgresError where error.isBusy {
                    throw error
                } catch {
                    throw RegistryError(
                        .io, "\(connection.displayURI): migration postgres/\(migration.name) failed: \(error)")
                }
                try connection.query(
                    "INSERT INTO portreg_schema (version, name) VALUES ($1, $2)", [migration.version, migration.name])
                applied += 1
            }
            return applied
        }
    }
}
