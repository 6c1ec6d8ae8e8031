import CSQLite

/// An open port registry: one SQLite file holding the catalog and the team's assignments.
public final class Registry {
    public let database: Database
    public var path: String { database.path }

    /// Opens the registry at `path`, creating, migrating and seeding it on first use.
    public static func open(
        path: String, busyTimeoutMilliseconds: Int32 = Database.defaultBusyTimeout, migrator: Migrator = .embedded
    ) throws -> Registry {
        let isNew = path == ":memory:" || !DatabaseLocation.exists(path)
        if isNew && path != ":memory:" { try DatabaseLocation.createParentDirectories(of: path) }
        let database: Database
        do {
            database = try Database(path: path, busyTimeoutMilliseconds: busyTimeoutMilliseconds)
        } catch {
            throw RegistryError(.cannotCreate, "\(path): cannot open the database: \(error.message)")
        }
        return try Registry(database: database, migrator: migrator)
    }

    /// A registry on a private in-memory database (tests, dry runs).
    public static func inMemory() throws -> Registry {
        try Registry(database: Database.inMemory(), migrator: .embedded)
    }

    init(database: Database, migrator: Migrator) throws {
        self.database = database
        do {
            do {
                try migrator.checkCompatible(database)
            } catch let error as DatabaseError where error.code & 0xFF == SQLITE_NOTADB {
                throw RegistryError(
                    .cannotCreate, "\(database.path): not a SQLite database (is --db pointing at the right file?)")
            }
            try Registry.configureJournal(database)
            try migrator.migrate(database) { database in
                try SeedCatalog.load(into: database)
            }
        } catch let error as DatabaseError where !error.isBusy {
            // Opening, configuring or migrating failed: the file cannot serve as a registry.
            throw RegistryError(
                .cannotCreate, "\(database.path): cannot use this file as the registry: \(error.message)")
        } catch let error as DatabaseError {
            throw RegistryError(error, path: database.path)
        }
    }

    /// WAL lets readers run while one process writes; `synchronous = NORMAL` is durable
    /// across application crashes and only a power loss can lose the last commit.
    private static func configureJournal(_ database: Database) throws {
        guard database.path != ":memory:" else { return }
        do {
            try database.execute("PRAGMA journal_mode = WAL")
        } catch let error where error.isBusy {
            // Another process is switching it at this very moment; it stays WAL once set.
        }
        try database.execute("PRAGMA synchronous = NORMAL")
    }

    /// Runs `body` as one write transaction; a thrown error leaves the database as it was.
    public func write<T>(_ body: () throws -> T) throws -> T {
        do {
            return try database.transaction(.immediate, body)
        } catch let error as DatabaseError {
            throw RegistryError(error, path: path)
        }
    }

    /// Runs `body` with one consistent view of the database.
    public func read<T>(_ body: () throws -> T) throws -> T {
        do {
            return try database.transaction(.deferred, body)
        } catch let error as DatabaseError {
            throw RegistryError(error, path: path)
        }
    }

    public var schemaVersion: Int { (try? database.scalarInt("PRAGMA user_version")) ?? 0 }
}
