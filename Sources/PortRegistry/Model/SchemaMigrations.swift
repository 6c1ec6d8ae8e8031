/// One `NNNN_name.sql` file of a backend's migrations.
package struct SchemaMigration: Sendable {
    package let version: Int
    package let name: String
    package let sql: String
}

/// What a backend offers the one migration algorithm (`SchemaMigrations.migrate`): SQLite
/// (`Migrator`, versions in `PRAGMA user_version`) and PostgreSQL (`PostgresMigrator`,
/// versions as rows of `portreg_schema`).
package protocol SchemaMigrationTarget {
    /// Names the database in messages (a path, or a URI without its password).
    var schemaDisplayName: String { get }
    /// The version the schema is at: 0 when portreg never migrated it.
    func schemaVersion() throws -> Int
    /// Runs `body` in one write transaction that holds whatever serialises migrations
    /// between processes (SQLite's write lock, a PostgreSQL advisory lock), committed when
    /// `body` returns and rolled back when it throws.
    func inMigrationTransaction<T>(_ body: () throws -> T) throws -> T
    /// Runs one migration's script and records its version, inside that transaction; a
    /// failure is thrown as the backend's message for it.
    func apply(_ migration: SchemaMigration) throws
}

/// Brings a schema up to this binary's version, forward only, for either backend: the
/// pending migrations run in one transaction, so a failure leaves the database as it was;
/// the version is read again under the lock, so processes opening a new database at once
/// run each migration once; a database migrated by a newer portreg is refused before anything
/// is written.
package struct SchemaMigrations: Sendable {
    package let migrations: [SchemaMigration]

    /// Builds the list from `NNNN_name.sql` files, ordered by version; a file whose name
    /// starts with no number is not a migration.
    package init(files: [(name: String, text: String)]) {
        migrations = files.compactMap { file in
            guard let version = Int(file.name.prefix { $0.isNumber }) else { return nil }
            return SchemaMigration(version: version, name: file.name, sql: file.text)
        }.sorted { $0.version < $1.version }
    }

    package var latestVersion: Int { migrations.last?.version ?? 0 }

    /// Whether versions run 1, 2, 3… with no gap or repeat.
    package var isContiguous: Bool { migrations.map(\.version) == Array(1..<(migrations.count + 1)) }

    /// The database's version; refuses one written by a newer portreg.
    @discardableResult
    package func checkCompatible(_ target: some SchemaMigrationTarget) throws -> Int {
        let version = try target.schemaVersion()
        if version > latestVersion {
            throw RegistryError(
                .cannotCreate,
                "\(target.schemaDisplayName): schema version \(version) is newer than this portreg supports (\(latestVersion)); upgrade portreg. The database was not changed."
            )
        }
        return version
    }

    /// Applies what is missing and returns how many migrations ran. `afterCreate` runs in the
    /// same transaction when the database was brand new (version 0 under the lock).
    @discardableResult
    package func migrate(_ target: some SchemaMigrationTarget, afterCreate: () throws -> Void = {}) throws -> Int {
        guard try checkCompatible(target) < latestVersion else { return 0 }
        return try target.inMigrationTransaction {
            // Read again under the lock: another process may have migrated meanwhile.
            let current = try checkCompatible(target)
            var applied = 0
            for migration in migrations where migration.version > current {
                try target.apply(migration)
                applied += 1
            }
            if current == 0 { try afterCreate() }
            return applied
        }
    }
}
