import PortRegistryModel

/// Brings a PostgreSQL registry's schema up to this binary's from `Migrations/postgres/NNNN_name.sql`.
///
/// Forward-only, through the one algorithm both backends share (`SchemaMigrations`). Each
/// applied migration is a row of `portreg_schema`, written in the same transaction as its
/// effect, and every pending migration runs in one transaction: a failure leaves the database
/// as it was. Processes migrating a new database at once serialise on an advisory lock and
/// read the version again under it. A database migrated by a newer portreg is refused before
/// anything is written.
package struct PostgresMigrator: Sendable {
    package let schema: SchemaMigrations

    /// The migrations compiled into this binary.
    package static let embedded = PostgresMigrator(files: EmbeddedFiles.postgresMigrations)

    /// Builds the list from `NNNN_name.sql` files; versions must run 1, 2, 3… with no gap
    /// (checked by a test on the embedded files: the files are the binary's own).
    package init(files: [(name: String, text: String)]) {
        schema = SchemaMigrations(files: files)
    }

    package var migrations: [SchemaMigration] { schema.migrations }

    package var latestVersion: Int { schema.latestVersion }

    /// The version the database is at: 0 when portreg never migrated it.
    func currentVersion(_ connection: PostgresConnection) throws(PostgresError) -> Int {
        try PostgresMigrationTarget(connection: connection).version()
    }

    /// Refuses a database written by a newer portreg.
    @discardableResult
    package func checkCompatible(_ connection: PostgresConnection) throws -> Int {
        try schema.checkCompatible(PostgresMigrationTarget(connection: connection))
    }

    /// Applies what is missing; returns how many migrations ran.
    @discardableResult
    package func migrate(_ connection: PostgresConnection) throws -> Int {
        try schema.migrate(PostgresMigrationTarget(connection: connection))
    }
}

/// A PostgreSQL schema as a migration target: the version is the highest row of
/// `portreg_schema` (created in the first migration's transaction), the lock an advisory one.
private struct PostgresMigrationTarget: SchemaMigrationTarget {
    let connection: PostgresConnection

    var schemaDisplayName: String { connection.displayURI }

    func version() throws(PostgresError) -> Int {
        // to_regclass resolves through search_path, as the CREATE TABLE below does.
        let present = try connection.query("SELECT to_regclass('portreg_schema') IS NOT NULL")
        guard present.count == 1, present[0].bool(0) else { return 0 }
        return try connection.query("SELECT coalesce(max(version), 0) FROM portreg_schema")[0].int(0)
    }

    func schemaVersion() throws -> Int { try version() }

    func inMigrationTransaction<T>(_ body: () throws -> T) throws -> T {
        try connection.transaction {
            try connection.lockForTransaction(.migrations)
            try connection.execute(
                """
                CREATE TABLE IF NOT EXISTS portreg_schema (
                    version    integer PRIMARY KEY CHECK (version > 0),
                    name       text NOT NULL,
                    applied_at timestamptz NOT NULL DEFAULT now()
                )
                """)
            return try body()
        }
    }

    func apply(_ migration: SchemaMigration) throws {
        do {
            try connection.execute(migration.sql)
        } catch let error where error.isBusy {
            throw error
        } catch {
            throw RegistryError(.io, "\(connection.displayURI): migration postgres/\(migration.name) failed: \(error)")
        }
        try connection.query(
            "INSERT INTO portreg_schema (version, name) VALUES ($1, $2)", [migration.version, migration.name])
    }
}
