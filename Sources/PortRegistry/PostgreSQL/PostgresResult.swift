import CLibPQ

/// A value bound to a `$n` placeholder, sent in libpq's text format; nil is SQL NULL.
package protocol PostgresParameter {
    var postgresText: String? { get }
}

extension String: PostgresParameter { package var postgresText: String? { self } }
extension Int: PostgresParameter { package var postgresText: String? { String(self) } }
extension Int32: PostgresParameter { package var postgresText: String? { String(self) } }
extension Int64: PostgresParameter { package var postgresText: String? { String(self) } }
extension Bool: PostgresParameter { package var postgresText: String? { self ? "true" : "false" } }
extension Optional: PostgresParameter where Wrapped: PostgresParameter {
    package var postgresText: String? { self?.postgresText }
}

/// The rows of one statement, held by libpq until this value goes.
package final class PostgresResult {
    package let handle: OpaquePointer
    private let api: cpq_api
    /// Rows returned.
    package let count: Int
    package let columnCount: Int

    package init(handle: OpaquePointer, api: cpq_api) {
        self.handle = handle
        self.api = api
        count = Int(api.ntuples!(handle))
        columnCount = Int(api.nfields!(handle))
    }

    deinit { api.clear!(handle) }

    package subscript(row: Int) -> PostgresRow { PostgresRow(result: self, row: Int32(row)) }

    package var rows: [PostgresRow] { (0..<count).map { self[$0] } }

    /// Rows inserted, updated, deleted or copied by the statement (PQcmdTuples).
    var affectedRows: Int { Int(LibPQ.text(api.cmdTuples!(handle))) ?? 0 }

    func columnName(_ column: Int) -> String { LibPQ.text(api.fname!(handle, Int32(column))) }

    fileprivate func isNull(_ row: Int32, _ column: Int) -> Bool {
        column < columnCount && api.getisnull!(handle, row, Int32(column)) != 0
    }

    fileprivate func withBytes<R>(_ row: Int32, _ column: Int, _ body: (UnsafeBufferPointer<UInt8>) throws -> R)
        rethrows -> R
    {
        guard column < columnCount, let value = api.getvalue!(handle, row, Int32(column)) else {
            return try body(UnsafeBufferPointer(start: nil, count: 0))
        }
        let length = Int(api.getlength!(handle, row, Int32(column)))
        return try value.withMemoryRebound(to: UInt8.self, capacity: length) {
            try body(UnsafeBufferPointer(start: $0, count: length))
        }
    }

    fileprivate func text(_ row: Int32, _ column: Int) -> String? {
        guard column < columnCount, !isNull(row, column) else { return nil }
        return LibPQ.text(api.getvalue!(handle, row, Int32(column)))
    }
}

/// One row of a result, read by column index (text format: libpq gives every value as text).
package struct PostgresRow {
    package let result: PostgresResult
    package let row: Int32

    package func isNull(_ column: Int) -> Bool { result.isNull(row, column) }
    /// The value, or "" for NULL.
    package func text(_ column: Int) -> String { result.text(row, column) ?? "" }
    package func optionalText(_ column: Int) -> String? { result.text(row, column) }
    /// An integer column; 0 for NULL (columns read this way are NOT NULL integers).
    package func int(_ column: Int) -> Int { result.text(row, column).flatMap { Int($0) } ?? 0 }
    package func optionalInt(_ column: Int) -> Int? { result.text(row, column).flatMap { Int($0) } }
    /// The value's bytes as libpq holds them, without making a String (empty for NULL).
    package func withBytes<R>(_ column: Int, _ body: (UnsafeBufferPointer<UInt8>) throws -> R) rethrows -> R {
        try result.withBytes(row, column, body)
    }
    /// A boolean column (`t` in text format).
    package func bool(_ column: Int) -> Bool { result.text(row, column) == "t" }
}
