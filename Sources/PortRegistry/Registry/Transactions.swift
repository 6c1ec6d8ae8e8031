import PortRegistryAssignments
import PortRegistryCatalog
import PortRegistryModel
import PortRegistryPostgreSQL
import PortRegistryStorage
import PortRegistrySystem

import CSQLite

extension Registry {
    // MARK: Transactions

    /// The one mapping of database errors to what a user reads: busy becomes `.busy` and
    /// names the timeout in force, anything else `.io` with SQLite's message.
    package func mapped(_ error: DatabaseError) -> RegistryError {
        if error.isBusy {
            return RegistryError(
                .busy,
                "\(path): database is busy: another process held its write lock past the busy timeout of \(busyTimeoutMilliseconds) ms (PORTREG_BUSY_TIMEOUT); try again"
            )
        }
        if error.resultCode.primary == ResultCode(rawValue: SQLITE_READONLY) {
            return RegistryError(
                .cannotCreate,
                "\(path): the registry is read-only for this user (the file or its folder is not writable); nothing was changed"
            )
        }
        // SQLite's code and message; the statement is for developers (`description`), never
        // for a user.
        return RegistryError(.io, "\(path): SQLite error \(error.resultCode.primary): \(error.message)")
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
