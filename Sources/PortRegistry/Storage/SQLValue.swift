/// A value bound to a statement parameter. Values are always bound, never interpolated into SQL.
package enum SQLValue: Sendable, Equatable {
    case null
    case integer(Int)
    case text(String)
}

package protocol SQLBindable {
    var sqlValue: SQLValue { get }
}

extension Int: SQLBindable {
    package var sqlValue: SQLValue { .integer(self) }
}

extension String: SQLBindable {
    package var sqlValue: SQLValue { .text(self) }
}

extension Bool: SQLBindable {
    package var sqlValue: SQLValue { .integer(self ? 1 : 0) }
}

extension SQLValue: SQLBindable {
    package var sqlValue: SQLValue { self }
}

extension Optional: SQLBindable where Wrapped: SQLBindable {
    package var sqlValue: SQLValue { self?.sqlValue ?? .null }
}
