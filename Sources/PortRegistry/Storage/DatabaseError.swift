import CSQLite

/// A SQLite result code, extended (`SQLITE_CONSTRAINT_UNIQUE`) or primary (`SQLITE_CONSTRAINT`).
/// The one place that knows the low byte of an extended code is its primary code.
package struct ResultCode: RawRepresentable, Hashable, Sendable, CustomStringConvertible {
    package let rawValue: Int32

    package init(rawValue: Int32) { self.rawValue = rawValue }

    /// The primary code of an extended one (`SQLITE_CONSTRAINT_UNIQUE` → `SQLITE_CONSTRAINT`).
    package var primary: ResultCode { ResultCode(rawValue: rawValue & 0xFF) }

    package static let ok = ResultCode(rawValue: SQLITE_OK)
    package static let error = ResultCode(rawValue: SQLITE_ERROR)
    package static let busy = ResultCode(rawValue: SQLITE_BUSY)
    static let locked = ResultCode(rawValue: SQLITE_LOCKED)
    package static let constraint = ResultCode(rawValue: SQLITE_CONSTRAINT)
    package static let range = ResultCode(rawValue: SQLITE_RANGE)
    package static let misuse = ResultCode(rawValue: SQLITE_MISUSE)
    package static let notADatabase = ResultCode(rawValue: SQLITE_NOTADB)

    package var description: String { String(rawValue) }
}

/// A failure reported by SQLite, with the statement that caused it.
package struct DatabaseError: Error, CustomStringConvertible, Sendable {
    /// SQLite's extended result code.
    package let code: Int32
    package let message: String
    package let sql: String?

    package init(code: Int32, message: String, sql: String? = nil) {
        self.code = code
        self.message = message
        self.sql = sql
    }

    package init(handle: OpaquePointer?, code: Int32, sql: String? = nil) {
        let message =
            handle.flatMap { sqlite3_errmsg($0) }.map { String(cString: $0) }
            ?? String(cString: sqlite3_errstr(code))
        self.init(code: code, message: message, sql: sql)
    }

    package var resultCode: ResultCode { ResultCode(rawValue: code) }

    /// Another connection held the lock past the busy timeout.
    package var isBusy: Bool { resultCode.primary == .busy || resultCode.primary == .locked }

    package var isConstraintViolation: Bool { resultCode.primary == .constraint }

    package var description: String {
        var text = "SQLite error \(resultCode.primary): \(message)"
        if let sql { text += " - while executing `\(sql)`" }
        return text
    }
}
