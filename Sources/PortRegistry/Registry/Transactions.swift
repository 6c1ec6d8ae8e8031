import PortRegistryAssignments
import PortRegistryCatalog
import PortRegistryModel
import PortRegistryPostgreSQL
import PortRegistryStorage
import PortRegistrySystem

import CSQLite

extension Registry {
    // MARK: Transactions

    /// When a SQLite error happened, which decides what a user reads of it.
    enum SQLiteStage: Sendable {
        /// `sqlite3_open_v2` refused the path.
        case opening
        /// Reading the schema version, switching the journal, migrating, seeding.
        case settingUp
        /// A statement of a use case.
        case using
    }

    /// The one mapping of SQLite's errors to what a user reads (exit codes of SPEC.md): busy
    /// becomes `.busy` and names the timeout in force; a file that cannot be opened or set up
    /// as a registry `.cannotCreate`; a refused write to a read-only file `.cannotCreate`;
    /// anything else `.io` with SQLite's message (the statement is for developers,
    /// `description`, never for a user).
    static func registryError(
        _ error: DatabaseError, path: String, stage: SQLiteStage, busyTimeoutMilliseconds: Int32
    ) -> RegistryError {
        if error.isBusy && stage != .opening {
            return RegistryError(
                .busy,
                "\(path): database is busy: another process held its write lock past the busy timeout of \(busyTimeoutMilliseconds) ms (PORTREG_BUSY_TIMEOUT); try again"
            )
        }
        switch stage {
        case .opening:
            return RegistryError(.cannotCreate, "\(path): cannot open the database: \(error.message)")
        case .settingUp where error.resultCode.primary == .notADatabase:
            return RegistryError(.cannotCreate, "\(path): not a SQLite database (is --db pointing at the right file?)")
        case .settingUp:
            // The file cannot serve as a registry.
            return RegistryError(.cannotCreate, "\(path): cannot use this file as the registry: \(error.message)")
        case .using where error.resultCode.primary == ResultCode(rawValue: SQLITE_READONLY):
            return RegistryError(
                .cannotCreate,
                "\(path): the registry is read-only for this user (the file or its folder is not writable); nothing was changed"
            )
        case .using:
            return RegistryError(.io, "\(path): SQLite error \(error.resultCode.primary): \(error.message)")
        }
    }

    /// `registryError` for a statement of this registry's use cases.
    package func mapped(_ error: DatabaseError) -> RegistryError {
        Registry.registryError(error, path: path, stage: .using, busyTimeoutMilliseconds: busyTimeoutMilliseconds)
    }

    /// Runs `body` as one write transaction, with the clock read once under the write lock;
    /// a thrown error leaves the database as it was, and so does `dryRun` (rolled back
    /// after `body` returns).
    package func write<T>(dryRun: Bool = false, _ body: (StorageContext) throws -> T) throws -> T {
        if purpose == .reading {
            // A programming error (a read-only command that writes), reported, not trapped.
            throw RegistryError(.io, "\(path): this command opened the registry for reading and cannot change it")
        }
        if isReadOnly {
            throw RegistryError(
                .cannotCreate,
                "\(path): the registry is read-only for this user (the file or its folder is not writable); nothing was changed"
            )
        }
        do {
            return try database.transaction(.immediate, commit: !dryRun) {
                try assignments.transaction(.write, dryRun: dryRun) { try body(context()) }
            }
        } catch let error as DatabaseError {
            throw mapped(error)
        }
    }

    /// Runs `body` with one consistent view of the database.
    package func read<T>(_ body: (StorageContext) throws -> T) throws -> T {
        do {
            return try database.transaction(.deferred) {
                try assignments.transaction(.read, dryRun: false) { try body(context()) }
            }
        } catch let error as DatabaseError {
            throw mapped(error)
        }
    }

    package func write<T>(_ body: () throws -> T) throws -> T { try write { (_: StorageContext) in try body() } }

    package func read<T>(_ body: () throws -> T) throws -> T { try read { (_: StorageContext) in try body() } }

    private func context() -> StorageContext {
        StorageContext(assignments: assignments, catalog: CatalogStore(database: database), now: clock.now())
    }

}
