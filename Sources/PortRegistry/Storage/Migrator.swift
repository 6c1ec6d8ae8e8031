import PortRegistryModel

/// Brings a database's schema up to this binary's version from `Migrations/NNNN_name.sql`.
///
/// Forward-only, through the one algorithm both backends share (`SchemaMigrations`): the
/// pending migrations run in one `BEGIN IMMEDIATE` transaction, each followed by its
/// `PRAGMA user_version`, so a failure leaves the database as it was and a half-migrated
/// file cannot exist.
package struct Migrator: Sendable {
    package let schema: SchemaMigrations

    /// The migrations compiled into this binary.
    package static let embedded = Migrator(files: EmbeddedFiles.migrations)

    /// Builds the list from `NNNN_name.sql` files; versions must run 1, 2, 3… with no gap.
    package init(files: [(name: String, text: String)]) {
        schema = SchemaMigrations(files: files)
        precondition(schema.isContiguous, "migrations must be numbered 0001, 0002, … without gaps")
    }

    package var migrations: [SchemaMigration] { schema.migrations }

    package var latestVersion: Int { schema.latestVersion }

    /// Refuses a database written by a newer portreg before anything is changed.
    @discardableResult
    package func checkCompatible(_ database: Database) throws -> Int {
        try schema.checkCompatible(SQLiteMigrationTarget(database: database))
    }

    /// Applies what is missing. `afterCreate` runs in the transaction of the first migration
    /// batch on a brand-new database (the seed catalog is loaded there). Safe when many
    /// processes open a new database at once: the version is read again under the write lock.
    @discardableResult
    package func migrate(_ database: Database, afterCreate: (Database) throws -> Void = { _ in }) throws -> Int {
        try schema.migrate(SQLiteMigrationTarget(database: database)) { try afterCreate(database) }
    }
}

/// A SQLite database as a migration target: the version is `PRAGMA user_version`, the lock
/// is `BEGIN IMMEDIATE`'s.
private struct SQLiteMigrationTarget: SchemaMigrationTarget {
    let database: Database

    var schemaDisplayName: String { database.path }

    func schemaVersion() throws -> Int { try database.scalarInt("PRAGMA user_version") ?? 0 }

    func inMigrationTransaction<T>(_ body: () throws -> T) throws -> T {
        try database.transaction(.immediate, body)
    }

    func apply(_ migration: SchemaMigration) throws {
        do {
            try database.execute(migration.sql)
        } catch {
            // SQLite's message, not the migration's whole script.
            throw RegistryError(.io, "migration \(migration.name) failed: \(error.message)")
        }
        try database.execute("PRAGMA user_version = \(migration.version)")
    }
}
