import PortregTestSupport
import Testing
@testable import PortRegistryModel
@testable import PortRegistryPostgreSQL

@testable import PortRegistry

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Redaction needs no server: these always run.
@Suite struct PostgresURITests {
    @Test func aPasswordInTheUserInfoIsRedacted() {
        #expect(
            PostgresURI.redacted("postgresql://alice:s3cret@db.example:5432/registry?sslmode=require")
                == "postgresql://alice:***@db.example:5432/registry?sslmode=require")
        #expect(PostgresURI.redacted("postgres://alice:p%40ss@db/x") == "postgres://alice:***@db/x")
        #expect(PostgresURI.redacted("postgresql://alice@db/x") == "postgresql://alice@db/x")
        #expect(PostgresURI.redacted("postgresql:///portreg?host=/tmp/s") == "postgresql:///portreg?host=/tmp/s")
    }

    @Test func aPasswordQueryParameterIsRedacted() {
        #expect(
            PostgresURI.redacted("postgresql://db/x?user=bob&password=hunter22&sslmode=verify-full")
                == "postgresql://db/x?user=bob&password=***&sslmode=verify-full")
        #expect(PostgresURI.redacted("postgresql://db/x?PASSWORD=hunter22") == "postgresql://db/x?PASSWORD=***")
    }

    @Test func aPasswordKeywordIsRedacted() {
        #expect(PostgresURI.redacted("host=db password=hunter22 dbname=x") == "host=db password=*** dbname=x")
        #expect(PostgresURI.redacted("host=db password = 'a b\\' c' dbname=x") == "host=db password=*** dbname=x")
        #expect(PostgresURI.redacted("host=db mypassword=keep") == "host=db mypassword=keep")
    }

    @Test func scrubRemovesThePasswordFromAnyMessage() {
        #expect(
            PostgresURI.scrub("failed for p@ss word and p%40ss%20word", secret: "p@ss word") == "failed for *** and ***"
        )
        #expect(PostgresURI.scrub("a short one stays", secret: "a") == "a short one stays")
    }

    /// Issue 13: passwords with `/`, `?`, `@` or bad escapes, and encoded keys, are hidden whole.
    @Test func awkwardPasswordsAreRedactedWhole() {
        #expect(PostgresURI.redacted("postgresql://ports:Sec/r3t@db/x") == "postgresql://ports:***@db/x")
        #expect(PostgresURI.redacted("postgresql://ports:Sec?r3t@db/x") == "postgresql://ports:***@db/x")
        #expect(PostgresURI.redacted("postgresql://ports:a@b@db/x") == "postgresql://ports:***@db/x")
        #expect(PostgresURI.redacted("postgresql://db/x?pass%77ord=hunter22") == "postgresql://db/x?pass%77ord=***")
        #expect(PostgresURI.redacted("postgresql://db/x?password=ab@cd") == "postgresql://db/x?password=***")
        #expect(
            PostgresURI.redacted("postgresql://db/x?a=1?password=hunter22&b=2")
                == "postgresql://db/x?a=1?password=***&b=2")
    }

    /// Found by the `uri` fuzz target: a combining mark after `://` made one `Character` of
    /// `/` and the mark, the scheme was not found, and `?password=` went out unredacted.
    /// Separators are found scalar by scalar now, as libpq finds them byte by byte.
    @Test func aCombiningMarkBesideASeparatorHidesNothing() {
        #expect(
            PostgresURI.redacted("postgresql://\u{6ED}\u{FFFD}db?password=SDoubleZZ")
                == "postgresql://\u{6ED}\u{FFFD}db?password=***")
        #expect(PostgresURI.redacted("postgresql://u:hunter22@\u{301}db/x") == "postgresql://u:***@\u{301}db/x")
        #expect(PostgresURI.scrub("it said hunter22\u{301}", secret: "hunter22") == "it said ***\u{301}")
    }

    /// Found by the `uri` fuzz target: a `?password=` value starting with `@`, after a `:` in
    /// the host part, was cut by the user-info mask and shown after it. Both masks are now
    /// marked on the original text and hidden together.
    @Test func aQueryPasswordHoldingAnAtIsHiddenWhole() {
        #expect(PostgresURI.redacted("postgresql://db:5432/x?password=@p-stg") == "postgresql://db:***")
        #expect(PostgresURI.redacted("postgresql://u:pw?password=x@host/db") == "postgresql://u:***")
    }

    @Test func malformedURIsAreFoundBeforeLibpq() {
        for uri in [
            "postgresql://u:pw@[::1/x", "postgresql://u:pw@[]/x", "postgresql://u:pw@[::1]x/x",
            "postgresql://u:p%ZZ@h/x",
            "postgresql://u:p%00@h/x", "postgresql://u:p%4@h/x", "postgresql://u:p\u{0}@h/x",
        ] {
            #expect(PostgresURI.problem(in: uri) != nil, "\(uri)")
        }
        for uri in ["postgresql://u:p%40w@[::1]:5432,h2:5433/x?sslmode=require", "postgresql:///x?host=/tmp/s"] {
            #expect(PostgresURI.problem(in: uri) == nil, "\(uri)")
        }
    }

    @Test func scrubRemovesEveryFormOfTheURIsSecrets() {
        let uri = "postgresql://ports:Secr3t%2FPW@[::1/portreg"
        let message = "bad URI \"\(uri)\"; user info \"ports:Secr3t%2FPW\", decoded Secr3t/PW, password=Secr3t/PW x"
        let scrubbed = PostgresURI.scrub(message, uri: uri)
        #expect(!scrubbed.contains("Secr3t"), "\(scrubbed)")
        #expect(scrubbed.contains("postgresql://ports:***@[::1/portreg"), "\(scrubbed)")
        #expect(PostgresURI.scrub("x password = 'a b' y", uri: "") == "x password=*** y")
        #expect(PostgresURI.scrub("aa***", secret: "a***") == "***", "a replacement never rebuilds the secret")
    }

    @Test func postgresURLsAreRecognised() {
        #expect(PostgresURI.isPostgres("postgres://db/x"))
        #expect(PostgresURI.isPostgres("PostgreSQL:///x?host=/tmp"))
        #expect(!PostgresURI.isPostgres("/var/lib/portreg/registry.db"))
        #expect(!PostgresURI.isPostgres("postgresql:"))
    }

    @Test func postgresMigrationsAreTheFilesInMigrationsPostgres() throws {
        try EmbeddedFilesTests.check(
            folder: "Migrations/postgres", suffix: ".sql",
            embedded: PortRegistryPostgreSQL.EmbeddedFiles.postgresMigrations)
        #expect(
            PostgresMigrator.embedded.migrations.map(\.version) == Array(1...PostgresMigrator.embedded.latestVersion),
            "numbered 0001, 0002, … without gaps")
    }
}

@Suite(.enabled(if: PostgresTestServer.isConfigured, PostgresTestServer.skipMessage))
struct PostgresConnectionTests {
    @Test func parametersRoundTripAsText() throws {
        let connection = try PostgresConnection(uri: PostgresTestServer.url ?? "")
        #expect(connection.serverVersion >= 100_000)
        let settings = try connection.query(
            "SELECT current_setting('application_name'), current_setting('client_encoding'), current_setting('lock_timeout')"
        )
        #expect(settings[0].text(0) == "portreg" && settings[0].text(1) == "UTF8" && settings[0].text(2) == "30s")
        let text = "tab\there, line\nend, back\\slash, quote ' \" and Ünïcödé 🚢"
        let result = try connection.query(
            "SELECT $1::text, $2::integer + 1, $3::text IS NULL, $4::boolean", [text, 41, String?.none, true])
        #expect(result.count == 1 && result.columnCount == 4)
        #expect(result[0].text(0) == text)
        #expect(result[0].int(1) == 42)
        #expect(result[0].bool(2))
        #expect(result[0].bool(3))
        #expect(result[0].optionalText(5) == nil, "a column past the end reads as NULL, not a trap")
    }

    @Test func aServerErrorCarriesItsSQLState() throws {
        let connection = try PostgresConnection(uri: PostgresTestServer.url ?? "")
        do {
            try connection.query("SELEC 1")
            Issue.record("a syntax error was accepted")
        } catch {
            #expect(error.kind == .statement && error.sqlState == "42601")
            #expect(error.description.contains("PostgreSQL error 42601") && error.description.contains("SELEC 1"))
            #expect(!error.isBusy)
        }
        // The connection is still usable afterwards.
        #expect(try connection.query("SELECT 7")[0].int(0) == 7)
    }

    @Test func aNulCharacterIsRefusedNotTruncated() throws {
        let connection = try PostgresConnection(uri: PostgresTestServer.url ?? "")
        #expect(throws: PostgresError.self) { try connection.query("SELECT $1::text", ["a\u{0}b"]) }
    }

    @Test func transactionsCommitOrRollBack() throws {
        try PostgresTestServer.withSchema { url in
            let connection = try PostgresConnection(uri: url)
            try connection.execute("CREATE TABLE t (x integer PRIMARY KEY)")
            try connection.transaction { try connection.query("INSERT INTO t VALUES (1)") }
            struct Stop: Error {}
            #expect(throws: Stop.self) {
                try connection.transaction {
                    try connection.query("INSERT INTO t VALUES (2)")
                    throw Stop()
                }
            }
            #expect(!connection.isInTransaction)
            #expect(try connection.query("SELECT count(*) FROM t")[0].int(0) == 1)
            // A failing statement inside aborts the whole transaction.
            #expect(throws: PostgresError.self) {
                try connection.transaction {
                    try connection.query("INSERT INTO t VALUES (3)")
                    try connection.query("INSERT INTO t VALUES (1)")
                }
            }
            #expect(try connection.query("SELECT count(*) FROM t")[0].int(0) == 1)
            #expect(throws: PostgresError.self) {
                try connection.transaction { try connection.transaction {} }
            }
        }
    }

    @Test func aSerializationFailureRunsTheBodyAgain() throws {
        try PostgresTestServer.withSchema { url in
            let connection = try PostgresConnection(uri: url)
            let other = try PostgresConnection(uri: url)
            try connection.execute("CREATE TABLE t (x integer); INSERT INTO t VALUES (0)")
            var runs = 0
            try connection.transaction(.serializable) {
                runs += 1
                _ = try connection.query("SELECT x FROM t")
                if runs == 1 {
                    // Another session changes the row this snapshot read: the update below fails with 40001.
                    try other.query("UPDATE t SET x = x + 10")
                }
                try connection.query("UPDATE t SET x = x + 1")
            }
            #expect(runs == 2)
            #expect(try connection.query("SELECT x FROM t")[0].int(0) == 11)
        }
    }

    @Test func rowsStreamOneAtATime() throws {
        let connection = try PostgresConnection(uri: PostgresTestServer.url ?? "")
        var sum = 0
        var count = 0
        try connection.forEachRow("SELECT g FROM generate_series(1, $1::integer) g", [20_000]) { row in
            sum += row.int(0)
            count += 1
        }
        #expect(count == 20_000 && sum == 20_000 * 20_001 / 2)
        // A query from inside the body is refused, and the connection stays usable.
        #expect(throws: PostgresError.self) {
            try connection.forEachRow("SELECT 1") { _ in try connection.query("SELECT 2") }
        }
        struct Stop: Error {}
        #expect(throws: Stop.self) {
            try connection.forEachRow("SELECT g FROM generate_series(1, 1000) g") { _ in throw Stop() }
        }
        #expect(try connection.query("SELECT 3")[0].int(0) == 3)
        #expect(throws: PostgresError.self) { try connection.forEachRow("SELECT 1/0") { _ in } }
    }

    @Test func copyStoresEscapedRowsAndAnAbandonedCopyStoresNothing() throws {
        try PostgresTestServer.withSchema { url in
            let connection = try PostgresConnection(uri: url)
            try connection.execute("CREATE TABLE t (a text, b text)")
            let awkward = "tab\t, newline\n, return\r, backslash\\N, \\."
            let stored = try connection.copy("COPY t (a, b) FROM STDIN") { writer in
                try writer.row([awkward, nil])
                for index in 0..<10_000 { try writer.row([String(index), "x"]) }
            }
            #expect(stored == 10_001)
            let back = try connection.query("SELECT a, b IS NULL FROM t WHERE b IS NULL")
            #expect(back.count == 1 && back[0].text(0) == awkward && back[0].bool(1))
            struct Stop: Error {}
            #expect(throws: Stop.self) {
                try connection.copy("COPY t (a, b) FROM STDIN") { writer in
                    try writer.row(["kept?", "no"])
                    throw Stop()
                }
            }
            #expect(try connection.query("SELECT count(*) FROM t")[0].int(0) == 10_001)
        }
    }

    @Test func aServerThatIsNotThereIsBusyAfterTheTimeout() throws {
        let missing = "/tmp/portreg-no-server-\(getpid())"
        let uri = "postgresql://alice:hunter2-secret@/registry?host=\(missing)"
        let clock = ContinuousClock()
        let start = clock.now
        do {
            _ = try PostgresConnection(uri: uri, busyTimeoutMilliseconds: 400)
            Issue.record("connected to a server that does not exist")
        } catch {
            let elapsed = clock.now - start
            #expect(error.kind == .unreachable && error.isBusy)
            #expect(elapsed >= .milliseconds(300), "retried until the timeout, not given up at once: \(elapsed)")
            #expect(elapsed < .seconds(3), "\(elapsed)")
            #expect(error.message.contains(missing), "the server's (libpq's) message: \(error.message)")
            #expect(!error.message.contains("\n"), "one line: \(error.message)")
            let registryError = RegistryError(
                error, registry: PostgresURI.redacted(uri), busyTimeoutMilliseconds: 400)
            #expect(registryError.kind == .busy)
            #expect(registryError.message.contains("400 ms"))
            #expect(!registryError.message.contains("hunter2"), "\(registryError.message)")
        }
    }

    /// Over TCP or a Unix socket alike: the URL's user and password are replaced.
    @Test(.enabled(if: PostgresTestServer.hasPasswordRole, PostgresTestServer.noPasswordRoleMessage))
    func aWrongPasswordFailsAtOnceWithoutShowingIt() throws {
        let base = try #require(PostgresTestServer.url)
        // The test server asks portreg_pw (only) for a password.
        let role = PostgresTestURL.passwordRole
        let uri = PostgresTestURL.url(base, user: role.user, password: "wrong-horse-battery")
        let clock = ContinuousClock()
        let start = clock.now
        do {
            _ = try PostgresConnection(uri: uri, busyTimeoutMilliseconds: 5_000)
            Issue.record("a wrong password was accepted")
        } catch {
            #expect(error.kind == .refused && !error.isBusy)
            #expect(clock.now - start < .seconds(2), "authentication failures are not retried")
            #expect(error.message.contains("password authentication failed"), "\(error.message)")
            let registryError = RegistryError(
                error, registry: PostgresURI.redacted(uri), busyTimeoutMilliseconds: 5_000)
            #expect(registryError.kind == .cannotCreate)
            #expect(!registryError.message.contains("wrong-horse"), "\(registryError.message)")
            #expect(registryError.message.contains("portreg_pw:***@"), "\(registryError.message)")
        }
        // The right password, given in the URI, works.
        let good = PostgresTestURL.url(base, user: role.user, password: role.password)
        #expect(try PostgresConnection(uri: good).query("SELECT current_user")[0].text(0) == "portreg_pw")
    }

    @Test func aMalformedURIIsBadUsage() throws {
        do {
            _ = try PostgresConnection(uri: "postgresql://alice:pw@db:notaport/x")
            Issue.record("a bad port was accepted")
        } catch {
            #expect(error.kind == .invalidURI || error.kind == .refused, "\(error)")
            #expect(!error.message.contains(":pw@"))
        }
    }

    @Test func aConnectionDroppedMidTransactionLeavesNothingAndIsBusy() throws {
        try PostgresTestServer.withSchema { url in
            let store = PostgresAssignmentStore(connection: try PostgresConnection(uri: url))
            try PostgresMigrator.embedded.migrate(store.connection)
            let admin = try PostgresConnection(uri: url)
            let pid = try store.connection.query("SELECT pg_backend_pid()")[0].int(0)
            do {
                try store.write {
                    try store.insert(
                        Assignment(service: "web", ports: portRange(8080)),
                        now: Timestamp(secondsSinceEpoch: 1_767_225_600))
                    // The session goes away mid-transaction (a restart, a network cut, an admin).
                    #expect(try admin.query("SELECT pg_terminate_backend($1::integer, 5000)", [pid])[0].bool(0))
                    try store.insert(
                        Assignment(service: "api", ports: portRange(9000)),
                        now: Timestamp(secondsSinceEpoch: 1_767_225_600))
                }
                Issue.record("a write on a terminated session succeeded")
            } catch let error as PostgresError {
                #expect(error.kind == .unreachable && error.isBusy, "\(error)")
                #expect(error.message.contains("lost"), "\(error.message)")
            }
            #expect(!store.connection.isInTransaction)
            #expect(try admin.query("SELECT count(*) FROM assignment")[0].int(0) == 0, "the registry is as it was")
        }
    }

    @Test func aLockHeldPastTheBusyTimeoutIsBusy() throws {
        try PostgresTestServer.withSchema { url in
            let holder = try PostgresConnection(uri: url)
            let waiter = try PostgresConnection(uri: url, busyTimeoutMilliseconds: 300)
            try holder.execute("BEGIN")
            try holder.lockForTransaction(.assignmentWrites)
            do {
                try waiter.transaction { try waiter.lockForTransaction(.assignmentWrites) }
                Issue.record("the lock was taken twice")
            } catch let error as PostgresError {
                #expect(error.sqlState == "55P03" && error.isBusy, "\(error)")
            }
            try holder.execute("ROLLBACK")
            try waiter.transaction { try waiter.lockForTransaction(.assignmentWrites) }
        }
    }
}
