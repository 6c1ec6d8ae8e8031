import CSQLite
import PortRegistryAssignments
import PortRegistryCatalog
import PortRegistryModel
import PortRegistryStorage
import PortRegistrySystem

/// The front door: an open port registry, and every use case as one call that opens and
/// ends its own transaction. The catalog lives in one SQLite file; the assignments live
/// there too, behind `AssignmentStorage`, which another backend can implement.
///
/// The executable talks to this type only: it never sees a connection, a statement or a
/// store, and every database error reaches it already mapped to a `RegistryError`.
package final class Registry {
    /// The SQLite connection: internal, so that the executable cannot reach storage through
    /// the front door (`registry.database.execute(…)` does not type-check there).
    let database: Database
    let assignments: any AssignmentStorage
    package let clock: RegistryClock
    /// The PostgreSQL server holding the assignments, when `--db` named one (nil: SQLite).
    package let server: SharedServer?
    /// The busy timeout in force, for the message when it runs out.
    package let busyTimeoutMilliseconds: Int32
    /// Whether this registry was opened for a read-only command (`Registry.open`).
    package let purpose: RegistryPurpose
    package var path: String { database.path }

    /// How long a writer waits for another process's lock before giving up (exit 75).
    static let defaultBusyTimeoutMilliseconds: Int32 = Database.defaultBusyTimeout

    package init(
        database: Database, migrator: Migrator, clock: RegistryClock = .system,
        busyTimeoutMilliseconds: Int32 = Database.defaultBusyTimeout, assignments: (any AssignmentStorage)? = nil,
        server: SharedServer? = nil, purpose: RegistryPurpose = .writing
    ) throws {
        self.database = database
        self.purpose = purpose
        self.server = server
        self.assignments = assignments ?? AssignmentStore(database: database)
        self.clock = clock
        self.busyTimeoutMilliseconds = busyTimeoutMilliseconds
        do {
            try migrator.checkCompatible(database)
            try Registry.refuseForeignSchema(database)
            if database.access != .readWrite {
                // Reading needs nothing written: no journal switch, no migration.
                if try migrator.checkCompatible(database) < migrator.latestVersion {
                    throw RegistryError(
                        .cannotCreate,
                        "\(database.path): the registry is read-only for this user and needs a schema upgrade that only a user who can write it can run"
                    )
                }
                return
            }
            try Registry.configureJournal(database, busyTimeoutMilliseconds: busyTimeoutMilliseconds)
            try migrator.migrate(database) { database in
                try SeedCatalog.load(into: database, at: clock.now())
            }
        } catch let error as DatabaseError {
            throw Registry.registryError(
                error, path: database.path, stage: .settingUp, busyTimeoutMilliseconds: busyTimeoutMilliseconds)
        }
    }

    /// A file with tables but not portreg's belongs to another program: refused before
    /// anything (journal mode, migrations, seeds) is written to it.
    private static func refuseForeignSchema(_ database: Database) throws {
        guard try database.scalarInt("SELECT count(*) FROM sqlite_master") ?? 0 > 0 else { return }
        let ours = try database.scalarInt(
            "SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = 'catalog_entry'")
        guard ours == 0 else { return }
        throw RegistryError(
            .cannotCreate,
            "\(database.path): not a portreg registry: a SQLite database of another program (it has tables, none of them portreg's); the file was not changed. Give --db a registry or a new file."
        )
    }

    /// A rollback journal (SQLite's default, `DELETE`), not WAL: a reader of a rollback-journal
    /// file takes a lock and reads, and writes nothing, where a WAL reader creates and writes
    /// `-wal` and `-shm` (docs/DECISIONS.md, "A start-up that writes nothing"). A registry
    /// made in WAL mode by an older portreg is switched back by its next writer, when no
    /// other process has it open (otherwise the one after tries again).
    private static func configureJournal(_ database: Database, busyTimeoutMilliseconds: Int32) throws {
        guard database.path != ":memory:" else { return }
        guard try database.scalarText("PRAGMA journal_mode") == "wal" else { return }
        database.setBusyTimeout(milliseconds: 0)
        defer { database.setBusyTimeout(milliseconds: busyTimeoutMilliseconds) }
        do {
            try database.execute("PRAGMA journal_mode = DELETE")
        } catch let error where error.isBusy {
            // Another process has the file open: it stays WAL until a writer finds it alone.
        }
    }

    /// Whether writing `path` would overwrite this registry's database or a file SQLite
    /// keeps beside it (`export -o` must refuse it).
    package func isDatabaseFile(_ path: String) -> Bool {
        database.path != ":memory:" && DatabaseLocation.isPart(path, of: database.path)
    }

    /// True when this user cannot write the file or its folder: reads work, writes are refused.
    package var isReadOnly: Bool { database.access != .readWrite }

    package var schemaVersion: Int { (try? database.scalarInt("PRAGMA user_version")) ?? 0 }
}

/// What a command does with the registry it opens: `.reading` (lookup, list, export, doctor…)
/// opens an up-to-date file read-only so that nothing is written; `.writing` may create,
/// migrate and write. A first use creates, migrates and seeds the file either way.
package enum RegistryPurpose: Sendable {
    case reading, writing
}
