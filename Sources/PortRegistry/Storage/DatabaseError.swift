import CSQLite

/// A failure reported by SQLite, with the statement that caused it.
public struct DatabaseError: Error, CustomStringConvertible, Sendable {
    /// SQLite's extended result code.
    public let code: Int32
    public let message: String
    public let sql: String?

    public init(code: Int32, message: String, sql: String? = nil) {
        self.code = code
        self.message = message
        self.sql = sql
    }

    init(handle: OpaquePointer?, code: Int32, sql: String? = nil) {
        let message =
            handle.flatMap { sqlite3_errmsg($0) }.map { String(cString: $0) }
            ?? String(cString: sqlite3_errstr(code))
        self.init(code: code, message: message, sql: sql)
    }

    /// Another connection held the lock past the busy timeout.
    public var isBusy: Bool {
        let primary = code & 0xFF
        return primary == SQLITE_BUSY || primary == SQLITE_LOCKED
    }

    public var isConstraintViolation: Bool { code & 0xFF == SQLITE_CONSTRAINT }

    public var description: String {
        var text = "SQLite error \(code & 0xFF): \(message)"
        if let sql { text += " - while executing `\(sql)`" }
        return text
    }
}
