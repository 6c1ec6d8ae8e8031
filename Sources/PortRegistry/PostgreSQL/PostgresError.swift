import PortRegistryModel

/// A PostgreSQL failure: the server's SQLSTATE and message, or why no server could be used.
///
/// Messages never hold a password: URIs are redacted, and the password given in one is
/// removed from any text libpq or the server sends back.
public struct PostgresError: Error, CustomStringConvertible, Sendable {
    public enum Kind: Sendable, Equatable {
        /// No server answered within the busy timeout, or the connection was lost mid-command.
        case unreachable
        /// A server answered but refused the connection (authentication, unknown database).
        case refused
        /// The server reported an error while running a statement (`sqlState` says which).
        case statement
        /// The connection URI is malformed.
        case invalidURI
        /// libpq could not be loaded.
        case library
        /// portreg used the connection wrongly (a query while a result streams, a write
        /// outside a transaction): a bug, reported instead of trapping.
        case misuse
    }

    public var kind: Kind
    /// The five-character SQLSTATE (`23505`, `40001`…) when the server sent one.
    public var sqlState: String?
    public var message: String
    public var detail: String?
    public var constraint: String?
    /// The statement that failed, when one did.
    public var sql: String?

    public init(
        _ kind: Kind, _ message: String, sqlState: String? = nil, detail: String? = nil, constraint: String? = nil,
        sql: String? = nil
    ) {
        self.kind = kind
        self.message = message
        self.sqlState = sqlState
        self.detail = detail
        self.constraint = constraint
        self.sql = sql
    }

    /// Worth trying again later: no server, a lost connection, a lock held past
    /// `lock_timeout` (55P03), a serialization failure or deadlock (40001, 40P01) left after
    /// the retries, too many connections (53300), a server starting or stopping (57P0x),
    /// a statement cancelled by a timeout (57014). The CLI exits 75 for these.
    public var isBusy: Bool {
        if kind == .unreachable { return true }
        guard let sqlState else { return false }
        return ["55P03", "40001", "40P01", "53300", "57P01", "57P02", "57P03", "57014"].contains(sqlState)
    }

    /// A serialization failure or a deadlock: the transaction may succeed when run again.
    public var isRetryableTransaction: Bool { sqlState == "40001" || sqlState == "40P01" }

    /// Class 23: a NOT NULL, CHECK, UNIQUE or foreign-key constraint refused a row.
    public var isConstraintViolation: Bool { sqlState?.hasPrefix("23") ?? false }

    public var description: String {
        var text = sqlState.map { "PostgreSQL error \($0): \(message)" } ?? message
        if let detail, !detail.isEmpty { text += " (\(detail))" }
        if let sql { text += " - while executing `\(sql)`" }
        return text
    }
}

extension RegistryError {
    /// Maps a PostgreSQL failure to the SPEC's exit codes: busy or unreachable 75, a bad
    /// URI 64, a server that refuses us or a missing libpq 73, anything else 74. `registry` is
    /// the redacted URI (`PostgresConnection.displayURI`).
    public init(_ error: PostgresError, registry: String, busyTimeoutMilliseconds: Int32) {
        if error.kind == .unreachable && error.message.hasPrefix("the connection to the server was lost") {
            // Mid-command: the server rolls back what the session had not committed.
            self.init(.busy, "\(registry): \(error.message); try again")
            return
        }
        if error.isBusy {
            let reason =
                error.kind == .unreachable
                ? "the server could not be reached" : "the server stayed busy"
            self.init(
                .busy,
                "\(registry): \(reason) within the busy timeout (PORTREG_BUSY_TIMEOUT, \(busyTimeoutMilliseconds) ms): \(error.message)"
            )
            return
        }
        switch error.kind {
        case .invalidURI: self.init(.usage, "\(registry): \(error.message)")
        case .refused, .library: self.init(.cannotCreate, "\(registry): \(error.message)")
        case .unreachable, .statement, .misuse: self.init(.io, "\(registry): \(error)")
        }
    }
}
