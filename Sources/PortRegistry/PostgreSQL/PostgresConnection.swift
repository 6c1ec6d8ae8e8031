import CLibPQ

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// One session with a PostgreSQL server, through libpq (synchronous, no event loop).
///
/// A connection belongs to one thread: it is not Sendable. Values are always bound as
/// parameters (`$1`, `$2`…, text format), never spliced into SQL. Every message it produces
/// shows the URI redacted and never the password.
package final class PostgresConnection {
    package let libpq: LibPQ
    package let handle: OpaquePointer
    /// The URI with its password replaced by `***`: what messages show.
    package let displayURI: String
    /// How long connecting, and waiting for a lock, may take before the command gives up as
    /// busy (exit 75): `PORTREG_BUSY_TIMEOUT`, as for SQLite.
    package let busyTimeoutMilliseconds: Int32
    /// The connection string and every form of its secrets (`PostgresURI.secrets(in:)`):
    /// removed from every message libpq or the server sends back.
    private let uri: String
    private let secrets: [String]
    private let probing: Bool
    /// True from BEGIN until COMMIT or ROLLBACK was sent (libpq's own status is unknown
    /// once the connection is lost).
    private var wasInTransaction = false
    /// True while `forEachRow` streams a result: libpq cannot run another query meanwhile.
    private var streaming = false

    private var api: cpq_api { libpq.api }

    /// Connects with a libpq URI or `key=value` string; `sslmode`, `connect_timeout` and the
    /// rest come from it, passwords also from `PGPASSWORD` or `~/.pgpass` as libpq reads them.
    ///
    /// A server that refuses the connection outright (no socket, connection refused, starting
    /// up, too many clients) is tried again, with growing pauses, until `busyTimeoutMilliseconds`
    /// has passed; then the error is `.unreachable` with the server's last message. A server that
    /// answers and says no (wrong password, unknown database) fails at once, `.refused`.
    package convenience init(uri: String, busyTimeoutMilliseconds: Int32 = 30_000) throws(PostgresError) {
        try self.init(uri: uri, busyTimeoutMilliseconds: busyTimeoutMilliseconds, probing: false)
    }

    /// `probing`: a connection that asks why another one was lost, and never asks in turn.
    private init(uri: String, busyTimeoutMilliseconds: Int32, probing: Bool) throws(PostgresError) {
        self.probing = probing
        let libpq = try LibPQ.shared()
        let api = libpq.api
        self.libpq = libpq
        self.busyTimeoutMilliseconds = busyTimeoutMilliseconds
        displayURI = PostgresURI.redacted(uri)
        // Checked before libpq sees the string: libpq's own messages quote a malformed URI
        // whole, password included.
        if let problem = PostgresURI.problem(in: uri) {
            throw PostgresError(.invalidURI, "invalid connection URI: \(problem)")
        }
        self.uri = uri
        var secrets = PostgresURI.secrets(in: uri)
        if let password = try PostgresConnection.password(in: uri, api: api) { secrets.append(password) }
        self.secrets = secrets

        let clock = ContinuousClock()
        let start = clock.now
        let budget = Swift.Duration.milliseconds(Int64(max(busyTimeoutMilliseconds, 0)))
        var pause = Swift.Duration.milliseconds(25)
        while true {
            let remaining = budget - (clock.now - start)
            // libpq counts whole seconds and takes anything under 2 as 2.
            let (seconds, _) = remaining.components
            let connectTimeout = String(max(2, seconds + 1))
            // Entries before `dbname` can be overridden by the URI; `client_encoding` after it
            // cannot: portreg reads and writes UTF-8 whatever the database's encoding.
            let keywords = ["fallback_application_name", "connect_timeout", "dbname", "client_encoding"]
            let values = ["portreg", connectTimeout, uri, "UTF8"]
            let connection = PostgresConnection.withCStrings(keywords) { keywords in
                PostgresConnection.withCStrings(values) { values in
                    api.connectdbParams!(keywords, values, 1)
                }
            }
            guard let connection else { throw PostgresError(.unreachable, "libpq could not allocate a connection") }
            if api.status!(connection) == CONNECTION_OK {
                handle = connection
                break
            }
            let message = PostgresURI.scrub(
                PostgresConnection.trimmed(LibPQ.text(api.errorMessage!(connection))), uri: uri, secrets: secrets)
            api.finish!(connection)
            // libpq's checks of option values (`invalid sslmode value: "x"`, `invalid integer
            // value "x" for connection option "port"`): a bad URI, exit 64, not a refusal.
            if message.hasPrefix("invalid ") { throw PostgresError(.invalidURI, message) }
            guard PostgresConnection.isWorthRetrying(message) else {
                throw PostgresError(.refused, message)
            }
            let elapsed = clock.now - start
            // The last pause is cut to what is left, and one more try follows it: the server
            // gets the whole busy timeout (giving up when a full pause would overrun it
            // ended a 400 ms budget after 200 ms on a loaded machine).
            guard elapsed < budget else { throw PostgresError(.unreachable, message) }
            PostgresConnection.sleep(min(pause, budget - elapsed))
            pause = min(pause * 2, .seconds(1))
        }
        // Notices ("relation already exists, skipping") would go to stderr: the library never prints.
        _ = api.setNoticeProcessor!(handle, { _, _ in }, nil)
        // Waiting for a lock (the advisory lock of a write, a row another writer holds) ends
        // with SQLSTATE 55P03 past the busy timeout; 0 would mean "wait forever" to PostgreSQL.
        try execute("SET lock_timeout = \(max(busyTimeoutMilliseconds, 1))")
    }

    deinit { api.finish!(handle) }

    /// The server's version number (15.20 is 150020).
    package var serverVersion: Int { Int(api.serverVersion!(handle)) }

    /// Inside BEGIN … COMMIT (including a failed transaction awaiting its ROLLBACK).
    var isInTransaction: Bool {
        let status = api.transactionStatus!(handle)
        return status == PQTRANS_INTRANS || status == PQTRANS_INERROR || status == PQTRANS_ACTIVE
    }

    // MARK: Statements

    /// Runs SQL that takes no parameters, possibly several statements (a migration file).
    package func execute(_ sql: String) throws(PostgresError) {
        try checkIdle(sql)
        _ = try check(api.exec!(handle, sql), sql: sql)
    }

    /// Runs one statement with `parameters` bound to `$1`, `$2`…; the whole result is read.
    @discardableResult
    package func query(_ sql: String, _ parameters: [any PostgresParameter] = []) throws(PostgresError)
        -> PostgresResult
    {
        try checkIdle(sql)
        let texts = try PostgresConnection.texts(parameters, sql: sql)
        let result = PostgresConnection.withOptionalCStrings(texts) { values in
            api.execParams!(handle, sql, Int32(texts.count), nil, values, nil, nil, 0)
        }
        return try check(result, sql: sql)
    }

    /// Streams the rows of one statement to `body` one at a time (libpq's single-row mode),
    /// so that memory stays bounded however many rows there are. `body` must not use this
    /// connection; a thrown error stops the calls and is rethrown once the result is drained.
    package func forEachRow(
        _ sql: String, _ parameters: [any PostgresParameter] = [], _ body: (PostgresRow) throws -> Void
    ) throws {
        try checkIdle(sql)
        let texts = try PostgresConnection.texts(parameters, sql: sql)
        let sent = PostgresConnection.withOptionalCStrings(texts) { values in
            api.sendQueryParams!(handle, sql, Int32(texts.count), nil, values, nil, nil, 0)
        }
        guard sent == 1 else { throw connectionError(sql: sql) }
        _ = api.setSingleRowMode!(handle)
        streaming = true
        defer { streaming = false }
        var failure: (any Error)?
        while let next = api.getResult!(handle) {
            let status = api.resultStatus!(next)
            if status == PGRES_SINGLE_TUPLE {
                let result = PostgresResult(handle: next, api: api)
                if failure == nil {
                    do { try body(result[0]) } catch { failure = error }
                }
            } else if status == PGRES_TUPLES_OK || status == PGRES_COMMAND_OK {
                api.clear!(next)
            } else if failure == nil {
                failure = error(from: next, sql: sql)
                api.clear!(next)
            } else {
                api.clear!(next)
            }
        }
        if let failure { throw failure }
    }

    /// `COPY … FROM STDIN` (text format): `produce` writes rows through the writer, which
    /// sends them in 64 KiB chunks. Returns the number of rows the server stored. When
    /// `produce` throws, the COPY is abandoned (nothing of it is kept) and the error rethrown.
    @discardableResult
    package func copy(_ sql: String, _ produce: (PostgresCopyWriter) throws -> Void) throws -> Int {
        try checkIdle(sql)
        let started = try check(api.exec!(handle, sql), sql: sql, expecting: PGRES_COPY_IN)
        _ = started
        let writer = PostgresCopyWriter(connection: self, sql: sql)
        var failure: (any Error)?
        do {
            try produce(writer)
            try writer.flush()
        } catch {
            failure = error
        }
        let ended =
            failure == nil ? api.putCopyEnd!(handle, nil) : api.putCopyEnd!(handle, "abandoned by portreg")
        var outcome: PostgresError?
        var stored = 0
        while let next = api.getResult!(handle) {
            let status = api.resultStatus!(next)
            if status == PGRES_COMMAND_OK {
                stored = Int(LibPQ.text(api.cmdTuples!(next))) ?? 0
            } else if outcome == nil {
                outcome = error(from: next, sql: sql)
            }
            api.clear!(next)
        }
        if let failure { throw failure }
        if ended != 1 { throw connectionError(sql: sql) }
        if let outcome { throw outcome }
        return stored
    }

    func sendCopyData(_ bytes: [UInt8], sql: String) throws(PostgresError) {
        let sent = bytes.withUnsafeBufferPointer { buffer in
            buffer.withMemoryRebound(to: CChar.self) { api.putCopyData!(handle, $0.baseAddress, Int32($0.count)) }
        }
        if sent != 1 { throw connectionError(sql: sql) }
    }

    // MARK: Transactions

    package enum TransactionMode: Sendable {
        /// READ COMMITTED, for writes (serialised by an advisory lock where it matters).
        case readWrite
        /// One snapshot for every statement (REPEATABLE READ, READ ONLY).
        case readOnly
        /// SERIALIZABLE: conflicts end in 40001, and the body runs again.
        case serializable
    }

    /// Runs `body` in one transaction: committed when it returns, rolled back when it throws.
    /// A serialization failure or deadlock (40001, 40P01) runs `body` again, after a short
    /// pause, until the busy timeout has passed; then the error is thrown (busy, exit 75).
    /// `body` must therefore have no effect outside the database. With `dryRun` the
    /// transaction is rolled back after `body` returns, and its result returned.
    @discardableResult
    package func transaction<T>(_ mode: TransactionMode = .readWrite, dryRun: Bool = false, _ body: () throws -> T)
        throws -> T
    {
        if isInTransaction { throw PostgresError(.misuse, "a transaction is already open on \(displayURI)") }
        let begin =
            switch mode {
            case .readWrite: "BEGIN"
            case .readOnly: "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY"
            case .serializable: "BEGIN ISOLATION LEVEL SERIALIZABLE"
            }
        let clock = ContinuousClock()
        let start = clock.now
        let budget = Swift.Duration.milliseconds(Int64(max(busyTimeoutMilliseconds, 0)))
        var pause = Swift.Duration.milliseconds(5)
        while true {
            try execute(begin)
            wasInTransaction = true
            defer { wasInTransaction = false }
            do {
                let result = try body()
                try execute(dryRun ? "ROLLBACK" : "COMMIT")
                return result
            } catch let error as PostgresError where error.isRetryableTransaction && clock.now - start + pause < budget
            {
                rollbackIfOpen()
                PostgresConnection.sleep(pause)
                pause = min(pause * 2, .milliseconds(500))
            } catch {
                rollbackIfOpen()
                throw error
            }
        }
    }

    private func rollbackIfOpen() {
        if isInTransaction { _ = try? execute("ROLLBACK") }
    }

    /// Takes `lock` until the transaction ends (`pg_advisory_xact_lock`): every process that
    /// takes it runs its check-and-insert one after another. Waits at most the busy timeout.
    func lockForTransaction(_ lock: PostgresAdvisoryLock) throws(PostgresError) {
        guard isInTransaction else {
            throw PostgresError(.misuse, "an advisory transaction lock needs an open transaction")
        }
        try query("SELECT pg_advisory_xact_lock($1, $2)", [PostgresAdvisoryLock.portreg, lock.rawValue])
    }

    // MARK: Errors

    private func checkIdle(_ sql: String) throws(PostgresError) {
        if streaming {
            throw PostgresError(.misuse, "a query was started while another result was streaming", sql: sql)
        }
    }

    private func check(_ result: OpaquePointer?, sql: String, expecting expected: ExecStatusType? = nil)
        throws(PostgresError) -> PostgresResult
    {
        guard let result else { throw connectionError(sql: sql) }
        let status = api.resultStatus!(result)
        let ok =
            expected.map { status == $0 }
            ?? (status == PGRES_COMMAND_OK || status == PGRES_TUPLES_OK || status == PGRES_EMPTY_QUERY)
        if ok { return PostgresResult(handle: result, api: api) }
        let failure = error(from: result, sql: sql)
        api.clear!(result)
        throw failure
    }

    private func error(from result: OpaquePointer, sql: String) -> PostgresError {
        func field(_ code: Int32) -> String? {
            api.resultErrorField!(result, code).map {
                PostgresURI.scrub(String(cString: $0), uri: uri, secrets: secrets)
            }
        }
        guard let state = field(cpq_diag_sqlstate()) else { return connectionError(sql: sql) }
        let primary =
            field(cpq_diag_message_primary())
            ?? PostgresConnection.trimmed(LibPQ.text(api.resultErrorMessage!(result)))
        // A FATAL error ("terminating connection due to administrator command", 57P01) ends
        // the session: the command cannot go on, as when the connection drops.
        let lost = api.status!(handle) == CONNECTION_BAD
        if lost, state != "25P03", state != "25P04", let ended = endedBySetting(sql: sql) { return ended }
        return PostgresError(
            lost ? .unreachable : .statement, lost ? "the connection to the server was lost: \(primary)" : primary,
            sqlState: state, detail: field(cpq_diag_message_detail()),
            constraint: field(cpq_diag_constraint_name()), sql: sql)
    }

    /// No result, or one without SQLSTATE: the connection failed (the server went away).
    private func connectionError(sql: String) -> PostgresError {
        let message = PostgresURI.scrub(
            PostgresConnection.trimmed(LibPQ.text(api.errorMessage!(handle))), uri: uri, secrets: secrets)
        let lost = api.status!(handle) == CONNECTION_BAD
        if lost, let ended = endedBySetting(sql: sql) { return ended }
        return PostgresError(
            lost ? .unreachable : .statement,
            lost ? "the connection to the server was lost: \(message)" : message, sql: sql)
    }

    /// A session lost while portreg held a transaction open: libpq often reports only
    /// "server closed the connection unexpectedly", not the server's FATAL message. A second
    /// connection asks the server whether `idle_in_transaction_session_timeout` (or PostgreSQL
    /// 17's `transaction_timeout`) is set for this role and database, to name the setting
    /// that most likely ended it (SQLSTATE 25P03 / 25P04). Nil when neither is set, or the
    /// server cannot be asked.
    private func endedBySetting(sql: String) -> PostgresError? {
        guard wasInTransaction, !probing,
            let probe = try? PostgresConnection(uri: uri, busyTimeoutMilliseconds: 2_000, probing: true),
            let row = try? probe.query(
                "SELECT current_setting('idle_in_transaction_session_timeout'), coalesce(current_setting('transaction_timeout', true), '0')"
            )[0]
        else { return nil }
        for (index, setting, state) in [
            (0, "idle_in_transaction_session_timeout", "25P03"), (1, "transaction_timeout", "25P04"),
        ] {
            let value = row.text(index)
            guard !value.isEmpty, value != "0" else { continue }
            return PostgresError(
                .unreachable,
                "the server ended the session: \(setting) is \(value) for this role and database, and portreg's transaction lasted longer",
                sqlState: state, sql: sql)
        }
        return nil
    }

    // MARK: Helpers

    /// libpq's messages for a server that is not there (yet): worth another try. Anything
    /// else (authentication, an unknown database or role, a bad sslmode) fails at once.
    static func isWorthRetrying(_ message: String) -> Bool {
        let transient = [
            "Connection refused", "No such file or directory", "timeout expired", "could not translate host name",
            "Network is unreachable", "No route to host", "Host is down", "the database system is starting up",
            "the database system is shutting down", "the database system is in recovery mode",
            "the database system is not yet accepting connections", "too many clients",
            "remaining connection slots are reserved", "server closed the connection unexpectedly",
            "Connection reset by peer", "could not receive data from server", "Temporary failure in name resolution",
        ]
        return transient.contains { message.contains($0) }
    }

    /// The password the connection string carries, to scrub it from any message.
    private static func password(in uri: String, api: cpq_api) throws(PostgresError) -> String? {
        var failure: UnsafeMutablePointer<CChar>?
        guard let options = api.conninfoParse!(uri, &failure) else {
            let reason = failure.map { trimmed(String(cString: $0)) } ?? "out of memory"
            if let failure { api.freemem!(failure) }
            throw PostgresError(.invalidURI, "invalid connection URI: \(PostgresURI.scrub(reason, uri: uri))")
        }
        defer { api.conninfoFree!(options) }
        var option = options
        while let keyword = option.pointee.keyword {
            if String(cString: keyword) == "password", let value = option.pointee.val {
                return String(cString: value)
            }
            option += 1
        }
        return nil
    }

    private static func texts(_ parameters: [any PostgresParameter], sql: String) throws(PostgresError) -> [String?] {
        let texts = parameters.map(\.postgresText)
        if texts.contains(where: { $0?.utf8.contains(0) ?? false }) {
            throw PostgresError(.statement, "text values cannot hold a NUL character", sqlState: "22021", sql: sql)
        }
        return texts
    }

    /// libpq's multi-line messages ("…failed: No such file or directory\n\tIs the server
    /// running…?\n") as one line, for a diagnostic of one line.
    package static func trimmed(_ text: String) -> String {
        text.split(whereSeparator: \.isNewline).map { line in
            line.drop { $0.isWhitespace }.reversed().drop { $0.isWhitespace }.reversed()
        }.filter { !$0.isEmpty }.map { String($0) }.joined(separator: " ")
    }

    static func sleep(_ duration: Swift.Duration) {
        let (seconds, attoseconds) = duration.components
        var request = timespec(tv_sec: Int(seconds), tv_nsec: Int(attoseconds / 1_000_000_000))
        var remaining = timespec()
        while nanosleep(&request, &remaining) != 0 && errno == EINTR { request = remaining }
    }

    static func withCStrings<R>(_ strings: [String], _ body: (UnsafePointer<UnsafePointer<CChar>?>) -> R) -> R {
        withOptionalCStrings(strings) { body($0!) }
    }

    static func withOptionalCStrings<R>(
        _ strings: [String?], _ body: (UnsafePointer<UnsafePointer<CChar>?>?) -> R
    )
        -> R
    {
        let copies: [UnsafeMutablePointer<CChar>?] = strings.map { $0.flatMap { strdup($0) } } + [nil]
        defer { for copy in copies { free(copy) } }
        let pointers = copies.map { $0.map { UnsafePointer($0) } }
        return pointers.withUnsafeBufferPointer { body($0.baseAddress) }
    }
}

@available(*, unavailable)
extension PostgresConnection: Sendable {}

/// The advisory locks portreg takes, as `pg_advisory_xact_lock(portreg, lock)`: the first key
/// marks them as portreg's, so that other applications' advisory locks on the same database
/// do not collide with them.
enum PostgresAdvisoryLock: Int32, Sendable {
    /// Schema migrations: processes migrating a new database at once run one after another.
    case migrations = 1
    /// Every assignment write: the collision check and the insert of one process cannot be
    /// interleaved with another's (SQLite's BEGIN IMMEDIATE, on a server).
    case assignmentWrites = 2

    /// 'port' in ASCII.
    package static let portreg: Int32 = 0x706f_7274
}

/// Writes rows of a `COPY … FROM STDIN` in PostgreSQL's text format.
package final class PostgresCopyWriter {
    private unowned let connection: PostgresConnection
    private let sql: String
    private var buffer: [UInt8] = []

    package init(connection: PostgresConnection, sql: String) {
        self.connection = connection
        self.sql = sql
        buffer.reserveCapacity(1 << 16 + 4096)
    }

    /// One row; nil is NULL. Tabs, line ends and backslashes in values are escaped.
    package func row(_ fields: [String?]) throws(PostgresError) {
        for (index, field) in fields.enumerated() {
            if index > 0 { buffer.append(0x09) }
            guard let field else {
                buffer.append(contentsOf: [0x5C, 0x4E])  // \N
                continue
            }
            for byte in field.utf8 {
                switch byte {
                case 0x5C: buffer.append(contentsOf: [0x5C, 0x5C])
                case 0x0A: buffer.append(contentsOf: [0x5C, 0x6E])
                case 0x0D: buffer.append(contentsOf: [0x5C, 0x72])
                case 0x09: buffer.append(contentsOf: [0x5C, 0x74])
                case 0x00:
                    throw PostgresError(
                        .statement, "text values cannot hold a NUL character", sqlState: "22021", sql: sql)
                default: buffer.append(byte)
                }
            }
        }
        buffer.append(0x0A)
        if buffer.count >= 1 << 16 { try flush() }
    }

    package func flush() throws(PostgresError) {
        guard !buffer.isEmpty else { return }
        try connection.sendCopyData(buffer, sql: sql)
        buffer.removeAll(keepingCapacity: true)
    }
}
