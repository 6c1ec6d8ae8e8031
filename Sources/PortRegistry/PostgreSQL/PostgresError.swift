import PortRegistryModel

/// A PostgreSQL failure: the server's SQLSTATE and message, or why no server could be used.
///
/// Messages never hold a password: URIs are redacted, and the password given in one is
/// removed from any text libpq or the server sends back.
package struct PostgresError: Error, CustomStringConvertible, Sendable {
    package enum Kind: Sendable, Equatable {
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

    package var kind: Kind
    /// The five-character SQLSTATE (`23505`, `40001`…) when the server sent one.
    var sqlState: String?
    package var message: String
    var detail: String?
    package var constraint: String?
    /// The statement that failed, when one did.
    package var sql: String?

    package init(
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
    package var isBusy: Bool {
        if kind == .unreachable { return true }
        guard let sqlState else { return false }
        return ["55P03", "40001", "40P01", "53300", "57P01", "57P02", "57P03", "57014"].contains(sqlState)
    }

    /// A serialization failure or a deadlock: the transaction may succeed when run again.
    var isRetryableTransaction: Bool { sqlState == "40001" || sqlState == "40P01" }

    /// Class 23: a NOT NULL, CHECK, UNIQUE or foreign-key constraint refused a row.
    package var isConstraintViolation: Bool { sqlState?.hasPrefix("23") ?? false }

    package var description: String {
        var text = sqlState.map { "PostgreSQL error \($0): \(message)" } ?? message
        if let detail, !detail.isEmpty { text += " (\(detail))" }
        if let sql { text += " - while executing `\(sql)`" }
        return text
    }
}

extension PostgresError {
    /// The server refuses writes: SQLSTATE 25006 (`read_only_sql_transaction`: a hot standby,
    /// `default_transaction_read_only`, a `READ ONLY` role), or another class-25 refusal
    /// that says it is about a read-only transaction.
    package var isReadOnly: Bool {
        guard let sqlState, sqlState.hasPrefix("25") else { return false }
        return sqlState == "25006" || message.lowercased().contains("read-only")
    }

    /// Which server setting ended the statement or the session, when one did: the
    /// `statement_timeout` (57014), `lock_timeout` (55P03),
    /// `idle_in_transaction_session_timeout` (25P03) or `transaction_timeout` (25P04).
    var timeoutSetting: String? {
        let text = message.lowercased()
        if sqlState == "25P03" || text.contains("idle-in-transaction timeout") {
            return "idle_in_transaction_session_timeout"
        }
        if sqlState == "25P04" || text.contains("transaction timeout") { return "transaction_timeout" }
        if sqlState == "57014" && text.contains("statement timeout") { return "statement_timeout" }
        if sqlState == "55P03" && text.contains("lock timeout") { return "lock_timeout" }
        return nil
    }

    /// What a user reads: SQLSTATE, message and detail, never the statement (which is for
    /// developers: `description`).
    var userMessage: String {
        var text = sqlState.map { "PostgreSQL error \($0): \(message)" } ?? message
        if let detail, !detail.isEmpty { text += " (\(detail))" }
        return text
    }
}

extension RegistryError {
    /// Maps a PostgreSQL failure to the SPEC's exit codes: busy or unreachable 75, a bad
    /// URI 64, a server that refuses us, refuses writes (read-only) or a missing libpq 73,
    /// anything else 74. `registry` is the redacted URI (`PostgresConnection.displayURI`).
    /// No message holds SQL.
    package init(_ error: PostgresError, registry: String, busyTimeoutMilliseconds: Int32) {
        if error.isReadOnly {
            self.init(
                .cannotCreate,
                "\(registry): the registry is read-only for this user (the server accepts no writes: a standby, or default_transaction_read_only); nothing was changed"
            )
            return
        }
        if let setting = error.timeoutSetting {
            let what: String
            switch setting {
            case "lock_timeout":
                what =
                    "another session held a lock past lock_timeout (portreg sets it to PORTREG_BUSY_TIMEOUT, \(busyTimeoutMilliseconds) ms)"
            case "idle_in_transaction_session_timeout", "transaction_timeout":
                what =
                    "the server ended the session at its \(setting) (a setting of the server, database or role; raise it for portreg's role)"
            default:
                what =
                    "the server cancelled a statement at its statement_timeout (a setting of the server, database or role, not PORTREG_BUSY_TIMEOUT; raise it for portreg's role)"
            }
            self.init(.busy, "\(registry): \(what); nothing was changed: \(error.message)")
            return
        }
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
        case .unreachable, .statement, .misuse: self.init(.io, "\(registry): \(error.userMessage)")
        }
    }
}
