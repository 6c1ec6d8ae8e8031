import CSQLite
import Glibc

/// One connection to a SQLite database file (or to a private in-memory database).
///
/// A connection belongs to one thread: it is not `Sendable` (see the end of this file), and
/// is opened with `SQLITE_OPEN_NOMUTEX` since nothing else can reach it. portreg opens one per
/// process.
package final class Database {
    package let handle: OpaquePointer
    /// The file path, or ":memory:".
    package let path: String
    private var statementCache: [String: Statement] = [:]

    /// How long a writer waits for another process's lock before giving up (exit 75).
    package static let defaultBusyTimeout: Int32 = 30_000

    /// Process-wide SQLite settings, applied once before the first connection.
    private static let configured: Void = { _ = csqlite_disable_memory_statistics() }()

    /// How a file is opened.
    package enum Access: Sendable {
        case readWrite
        /// `SQLITE_OPEN_READONLY`: the file is not writable for this user, its folder is
        /// (SQLite may still need the folder for a WAL database's `-shm`).
        case readOnly
        /// Read-only and `immutable=1`: the folder is not writable either, so nobody can be
        /// writing the file through a `-wal`, and SQLite must create no file beside it.
        case immutable
    }

    /// Whether writes are refused on this connection.
    package let access: Access

    /// Opens (creating when asked) the database at `path`.
    package init(
        path: String, create: Bool = true, access: Access = .readWrite,
        busyTimeoutMilliseconds: Int32 = Database.defaultBusyTimeout
    ) throws(DatabaseError) {
        Database.configured
        var connection: OpaquePointer?
        var flags = SQLITE_OPEN_NOMUTEX | SQLITE_OPEN_EXRESCODE
        var name = path
        switch access {
        case .readWrite:
            flags |= SQLITE_OPEN_READWRITE
            if create { flags |= SQLITE_OPEN_CREATE }
        case .readOnly:
            flags |= SQLITE_OPEN_READONLY
        case .immutable:
            flags |= SQLITE_OPEN_READONLY | SQLITE_OPEN_URI
            name = Database.immutableURI(path)
        }
        let code = sqlite3_open_v2(name, &connection, flags, nil)
        guard code == SQLITE_OK, let connection else {
            let error = DatabaseError(handle: connection, code: code)
            sqlite3_close_v2(connection)
            throw error
        }
        self.handle = connection
        self.path = path
        self.access = access
        sqlite3_extended_result_codes(connection, 1)
        sqlite3_busy_timeout(connection, busyTimeoutMilliseconds)
        _ = csqlite_enable_defensive(connection)
        _ = csqlite_disable_double_quoted_strings(connection)
        // 16 MiB of page cache at most, allocated as used: a whole catalog import stays in
        // cache instead of thrashing the 2 MiB default (58 ms -> 38 ms to insert IANA's rows).
        // Reads through mmap: a scan of 100,000 assignments is 3,400 pread calls otherwise.
        try execute("PRAGMA foreign_keys = ON; PRAGMA cache_size = -16384; PRAGMA mmap_size = 33554432")
    }

    /// `file:PATH?immutable=1`, with the characters a URI gives a meaning escaped.
    static func immutableURI(_ path: String) -> String {
        var escaped: [UInt8] = []
        for byte in path.utf8 {
            switch byte {
            case UInt8(ascii: "%"), UInt8(ascii: "?"), UInt8(ascii: "#"):
                escaped += Array("%\(String(byte, radix: 16, uppercase: true))".utf8)
            default: escaped.append(byte)
            }
        }
        // An absolute path gets an empty authority (file:///…), so that //x is not a host.
        return "file:" + (path.hasPrefix("/") ? "//" : "") + String(decoding: escaped, as: UTF8.self) + "?immutable=1"
    }

    /// Whether the file at `path` is a SQLite database in write-ahead-log mode, read from its
    /// 100-byte header with one `pread` (bytes 18 and 19 are 2): opening such a file, even
    /// read-only, creates and writes its `-wal` and `-shm`. False for a missing or short file.
    package static func usesWriteAheadLog(path: String) -> Bool {
        let descriptor = open(path, O_RDONLY | O_CLOEXEC)
        guard descriptor >= 0 else { return false }
        defer { close(descriptor) }
        var header = [UInt8](repeating: 0, count: 20)
        let count = header.withUnsafeMutableBytes { pread(descriptor, $0.baseAddress, 20, 0) }
        guard count == 20, header[0..<16].elementsEqual("SQLite format 3\0".utf8) else { return false }
        return header[18] == 2 || header[19] == 2
    }

    /// Sets how long a statement waits for another connection's lock.
    package func setBusyTimeout(milliseconds: Int32) { sqlite3_busy_timeout(handle, milliseconds) }

    /// A private database that lives as long as this connection.
    package static func inMemory() throws(DatabaseError) -> Database {
        try Database(path: ":memory:")
    }

    deinit {
        statementCache.removeAll()
        sqlite3_close_v2(handle)
    }

    /// Runs one or more SQL statements that take no parameters (schema, pragmas).
    package func execute(_ sql: String) throws(DatabaseError) {
        var message: UnsafeMutablePointer<CChar>?
        let code = sqlite3_exec(handle, sql, nil, nil, &message)
        if code != SQLITE_OK {
            let text = message.map { String(cString: $0) } ?? String(cString: sqlite3_errstr(code))
            sqlite3_free(message)
            throw DatabaseError(code: sqlite3_extended_errcode(handle), message: text, sql: sql)
        }
    }

    /// A new prepared statement.
    package func prepare(_ sql: String) throws(DatabaseError) -> Statement {
        try Statement(database: self, sql: sql)
    }

    /// A prepared statement kept for reuse: a query run ten thousand times is compiled once.
    package func cached(_ sql: String) throws(DatabaseError) -> Statement {
        if let statement = statementCache[sql] { return statement }
        let statement = try prepare(sql)
        statementCache[sql] = statement
        return statement
    }

    /// Runs `body` in one transaction: committed when it returns, rolled back when it throws.
    /// Writers use `.immediate`, which takes the write lock up front, so that a
    /// read-then-write cannot be overtaken by another process between its read and its write.
    /// With `commit: false` (a dry run) the transaction is rolled back after `body` returns.
    package func transaction<T>(_ kind: TransactionKind = .immediate, commit: Bool = true, _ body: () throws -> T)
        throws -> T
    {
        try execute(kind == .immediate ? "BEGIN IMMEDIATE" : "BEGIN DEFERRED")
        do {
            let result = try body()
            try execute(commit ? "COMMIT" : "ROLLBACK")
            return result
        } catch {
            if sqlite3_get_autocommit(handle) == 0 { try? execute("ROLLBACK") }
            throw error
        }
    }

    package enum TransactionKind: Sendable { case immediate, deferred }

    /// True between BEGIN and COMMIT or ROLLBACK. Store writes assert it: a write outside a
    /// transaction would commit statement by statement and could be half done.
    package var isInsideTransaction: Bool { sqlite3_get_autocommit(handle) == 0 }

    /// The first column of the first row of a query.
    package func scalarInt(_ sql: String, _ values: any SQLBindable...) throws -> Int? {
        if case .integer(let value)? = try cached(sql).scalar(values) { return value }
        return nil
    }

    package func scalarText(_ sql: String, _ values: any SQLBindable...) throws -> String? {
        switch try cached(sql).scalar(values) {
        case .text(let value)?: return value
        case .integer(let value)?: return String(value)
        default: return nil
        }
    }

    /// The rowid of the last inserted row.
    package var lastInsertedRowID: Int { Int(sqlite3_last_insert_rowid(handle)) }

    /// Rows changed by the last statement.
    package var changes: Int { Int(sqlite3_changes64(handle)) }

    package static var libraryVersion: String { String(cString: sqlite3_libversion()) }
}

/// A connection and its statement cache belong to the thread that opened them.
@available(*, unavailable)
extension Database: Sendable {}
