import CSQLite

/// A prepared statement. Finalized when the last reference goes away, so no statement outlives
/// the code that uses it.
package final class Statement {
    package let handle: OpaquePointer
    package let sql: String
    /// Unowned: the database caches its statements, and a strong reference back would keep
    /// the connection open forever (no close, so no WAL checkpoint at exit).
    private unowned let database: Database

    package init(database: Database, sql: String) throws(DatabaseError) {
        var statement: OpaquePointer?
        let code = sqlite3_prepare_v3(database.handle, sql, -1, UInt32(SQLITE_PREPARE_PERSISTENT), &statement, nil)
        guard code == SQLITE_OK, let statement else {
            throw DatabaseError(handle: database.handle, code: code, sql: sql)
        }
        self.handle = statement
        self.sql = sql
        self.database = database
    }

    deinit { sqlite3_finalize(handle) }

    /// Binds values to `?1`, `?2`, … in order, after clearing what the last use left.
    /// The number of values must be the number of parameters: too few would leave some
    /// NULL without anyone noticing, too many means the SQL is not the one meant.
    package func bind(_ values: [any SQLBindable]) throws(DatabaseError) {
        sqlite3_reset(handle)
        sqlite3_clear_bindings(handle)
        let parameters = Int(sqlite3_bind_parameter_count(handle))
        guard values.count == parameters else {
            let valueCount = "\(values.count) value\(values.count == 1 ? "" : "s")"
            let parameterCount = "\(parameters) parameter\(parameters == 1 ? "" : "s")"
            throw DatabaseError(
                code: ResultCode.range.rawValue, message: "\(valueCount) for \(parameterCount)", sql: sql)
        }
        for (offset, value) in values.enumerated() {
            let index = Int32(offset + 1)
            let code: Int32
            switch value.sqlValue {
            case .null: code = sqlite3_bind_null(handle, index)
            case .integer(let number): code = sqlite3_bind_int64(handle, index, Int64(number))
            case .text(let text): code = sqlite3_bind_text(handle, index, text, -1, csqlite_transient())
            }
            guard code == SQLITE_OK else { throw error(code) }
        }
    }

    /// Clears what the last use left, before binding with `bind(_:_:)` one by one.
    package func reset() {
        sqlite3_reset(handle)
        sqlite3_clear_bindings(handle)
    }

    /// Binds one text (or NULL) parameter, 1-based. The typed binds avoid boxing each value:
    /// they matter in loops that insert thousands of rows.
    package func bind(_ index: Int32, _ text: String?) throws(DatabaseError) {
        guard var text else {
            let code = sqlite3_bind_null(handle, index)
            guard code == SQLITE_OK else { throw error(code) }
            return
        }
        // The UTF-8 bytes with their length: no NUL-terminated copy (an allocation per value).
        let code = text.withUTF8 { bytes in
            guard let base = bytes.baseAddress else {
                return sqlite3_bind_text(handle, index, "", 0, csqlite_transient())
            }
            return base.withMemoryRebound(to: CChar.self, capacity: bytes.count) {
                sqlite3_bind_text(handle, index, $0, Int32(bytes.count), csqlite_transient())
            }
        }
        guard code == SQLITE_OK else { throw error(code) }
    }

    package func bind(_ index: Int32, _ number: Int?) throws(DatabaseError) {
        let code = number.map { sqlite3_bind_int64(handle, index, Int64($0)) } ?? sqlite3_bind_null(handle, index)
        guard code == SQLITE_OK else { throw error(code) }
    }

    /// The current row, after `step()` returned true.
    package var row: Row { Row(handle: handle) }

    /// Runs a statement bound with `bind(_:_:)` to its end.
    package func execute() throws(DatabaseError) {
        while try step() {}
        sqlite3_reset(handle)
    }

    /// Advances to the next row; false when the statement is done.
    package func step() throws(DatabaseError) -> Bool {
        let code = sqlite3_step(handle)
        switch code {
        case SQLITE_ROW: return true
        case SQLITE_DONE: return false
        default:
            let failure = error(code)
            sqlite3_reset(handle)
            throw failure
        }
    }

    /// Runs a statement that returns no rows.
    package func run(_ values: any SQLBindable...) throws(DatabaseError) {
        try run(values: values)
    }

    package func run(values: [any SQLBindable]) throws(DatabaseError) {
        try bind(values)
        while try step() {}
        sqlite3_reset(handle)
    }

    /// Calls `body` once per result row.
    package func forEachRow(_ values: [any SQLBindable] = [], _ body: (Row) throws -> Void) throws {
        try bind(values)
        defer { sqlite3_reset(handle) }
        while try step() { try body(Row(handle: handle)) }
    }

    /// The rows, each turned into a value by `transform`.
    package func rows<T>(_ values: [any SQLBindable] = [], _ transform: (Row) throws -> T) throws -> [T] {
        var result: [T] = []
        try forEachRow(values) { result.append(try transform($0)) }
        return result
    }

    /// The first column of the first row, or nil when there is no row.
    package func scalar(_ values: [any SQLBindable] = []) throws -> SQLValue? {
        var value: SQLValue?
        try bind(values)
        defer { sqlite3_reset(handle) }
        if try step() { value = Row(handle: handle).value(0) }
        return value
    }

    private func error(_ code: Int32) -> DatabaseError {
        DatabaseError(handle: database.handle, code: code, sql: sql)
    }
}

/// A prepared statement belongs to its connection's thread.
@available(*, unavailable)
extension Statement: Sendable {}

/// The current row of a statement; valid only inside the callback that receives it.
package struct Row {
    package let handle: OpaquePointer

    package func isNull(_ column: Int32) -> Bool { sqlite3_column_type(handle, column) == SQLITE_NULL }

    package func int(_ column: Int32) -> Int { Int(sqlite3_column_int64(handle, column)) }

    package func optionalInt(_ column: Int32) -> Int? { isNull(column) ? nil : int(column) }

    package func double(_ column: Int32) -> Double { sqlite3_column_double(handle, column) }

    package func text(_ column: Int32) -> String {
        guard let bytes = sqlite3_column_text(handle, column) else { return "" }
        let count = Int(sqlite3_column_bytes(handle, column))
        return String(decoding: UnsafeBufferPointer(start: bytes, count: count), as: UTF8.self)
    }

    package func optionalText(_ column: Int32) -> String? { isNull(column) ? nil : text(column) }

    /// The column's UTF-8 bytes, valid only inside `body`: no String is made.
    package func withBytes<T>(_ column: Int32, _ body: (UnsafeBufferPointer<UInt8>) throws -> T) rethrows -> T {
        let bytes = sqlite3_column_text(handle, column)
        let count = Int(sqlite3_column_bytes(handle, column))
        return try body(UnsafeBufferPointer(start: bytes, count: bytes == nil ? 0 : count))
    }

    package func value(_ column: Int32) -> SQLValue {
        switch sqlite3_column_type(handle, column) {
        case SQLITE_NULL: return .null
        case SQLITE_INTEGER: return .integer(int(column))
        default: return .text(text(column))
        }
    }
}
