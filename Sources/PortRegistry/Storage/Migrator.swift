import PortRegistryModel

/// Brings a database's schema up to this binary's version from `Migrations/NNNN_name.sql`.
///
/// Forward-only. The pending migrations run in one `BEGIN IMMEDIATE` transaction, each
/// followed by its `PRAGMA user_version`, so a failure leaves the database as it was and
/// a half-migrated file cannot exist.
package struct Migrator: Sendable {
    public struct Migration: Sendable {
        public let version: Int
        public let name: String
        public let sql: String
    }

    public let migrations: [Migration]

    /// The migrations compiled into this binary.
    public static let embedded = Migrator(files: EmbeddedFiles.migrations)

    /// Builds the list from `NNNN_name.sql` files; versions must run 1, 2, 3… with no gap.
    public init(files: [(name: String, text: String)]) {
        migrations = files.compactMap { file in
            guard let version = Int(file.name.prefix { $0.isNumber }) else { return nil }
            return Migration(version: version, name: file.name, sql: file.text)
        }.sorted { $0.version < $1.version }
        precondition(
            migrations.map(\.version) == Array(0..<migrations.count).map { $0 + 1 },
            "migrations must be numbered 0001, 0002, … without gaps")
    }

    public var latestVersion: Int { migrations.last?.version ?? 0 }

    /// Refuses a database written by a newer portreg before anything is changed.
    @discardableResult
    public func checkCompatible(_ database: Database) throws -> Int {
        let version = try database.scalarInt("PRAGMA user_version") ?? 0
        if version > latestVersion {
            throw RegistryError(
                .cannotCreate,
                "\(database.path): schema version \(version) is newer than this portreg supports (\(latestVersion)); upgrade portreg. The database was not changed."
            )
        }
        return version
    }

    /// Applies what is missing. `afterCreate` runs in the transaction of the first migration
    /// batch on a brand-new database (the seed catalog is loaded there). Safe when many
    /// processes open a new database at once: the version is read again under the write lock.
    @discardableResult
    public func migrate(_ database: Database, afterCreate: (Database) throws -> Void = { _ in }) throws -> Int {
        guard try checkCompatible(database) < latestVersion else { return 0 }
        return try database.transaction(.immediate) {
            // Read again under the write lock: another process may have migrated meanwhile.
            let current = try checkCompatible(database)
            var applied = 0
            for migration in migrations where migration.version > current {
                do {
                    try database.execute(migration.sql)
                } catch let error as DatabaseError {
                    // SQLite's message, not the migration's whole script.
                    throw RegistryError(.io, "migration \(migration.name) failed: \(error.message)")
                }
                try database.execute("PRAGMA user_version = \(migration.version)")
                applied += 1
            }
            if current == 0 { try afterCreate(database) }
            return applied
        }
    }
}
