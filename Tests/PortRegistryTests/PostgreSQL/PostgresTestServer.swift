import PortregTestSupport
import Testing
@testable import PortRegistryPostgreSQL

@testable import PortRegistry

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// The server the PostgreSQL tests use (`PostgresTestURL`, shared with the CLI tests), and
/// schemas and stores on it.
enum PostgresTestServer {
    static var url: String? { PostgresTestURL.server }

    static var isConfigured: Bool { PostgresTestURL.isConfigured }

    static var skipMessage: Comment { PostgresTestURL.skipMessage }

    /// The configured URL with `options=-csearch_path=SCHEMA`: tables created and read through it
    /// live in that schema only.
    static func url(schema: String) -> String { PostgresTestURL.url(url ?? "", schema: schema) }

    /// Whether the server has the role that must give a password (the test server of
    /// `scripts/postgres-test-server.sh` has; a server of one's own may not).
    static var hasPasswordRole: Bool {
        guard let url else { return false }
        let count = try? PostgresConnection(uri: url).query(
            "SELECT count(*) FROM pg_roles WHERE rolname = '\(PostgresTestURL.passwordRole.user)'")[0].int(0)
        return count == 1
    }

    static let noPasswordRoleMessage: Comment =
        "the PostgreSQL test server has no role portreg_pw that must give a password (scripts/postgres-test-server.sh makes one): skipping the password tests"

    private static let counter = Locked(0)

    static func uniqueSchemaName() -> String {
        let number = counter.withLock { value -> Int in
            value += 1
            return value
        }
        var time = timespec()
        clock_gettime(CLOCK_REALTIME, &time)
        return "portreg_t\(getpid())_\(time.tv_nsec)_\(number)"
    }

    /// Runs `body` with a URL to a new, empty schema, dropped afterwards.
    static func withSchema<T>(_ body: (_ url: String) throws -> T) throws -> T {
        let schema = uniqueSchemaName()
        let admin = try PostgresConnection(uri: url ?? "", busyTimeoutMilliseconds: 10_000)
        try admin.execute("CREATE SCHEMA \(schema)")
        defer { try? admin.execute("DROP SCHEMA \(schema) CASCADE") }
        return try body(url(schema: schema))
    }

    /// A connection to a new schema, migrated to the latest version.
    static func withMigratedStore<T>(_ body: (PostgresAssignmentStore) throws -> T) throws -> T {
        try withSchema { url in
            let connection = try PostgresConnection(uri: url, busyTimeoutMilliseconds: 10_000)
            try PostgresMigrator.embedded.migrate(connection)
            return try body(PostgresAssignmentStore(connection: connection))
        }
    }
}

/// Runs `body(0..<count)` on `count` POSIX threads at once and waits for all of them.
func onThreads(_ count: Int, _ body: @escaping @Sendable (Int) -> Void) {
    final class Work: @unchecked Sendable {
        let index: Int
        let body: @Sendable (Int) -> Void
        init(index: Int, body: @escaping @Sendable (Int) -> Void) {
            self.index = index
            self.body = body
        }
    }
    var threads: [pthread_t] = []
    for index in 0..<count {
        var thread = pthread_t()
        let work = Unmanaged.passRetained(Work(index: index, body: body)).toOpaque()
        let created = pthread_create(
            &thread, nil,
            { argument in
                let work = Unmanaged<Work>.fromOpaque(argument!).takeRetainedValue()
                work.body(work.index)
                return nil
            }, work)
        precondition(created == 0, "pthread_create failed")
        threads.append(thread)
    }
    for thread in threads { pthread_join(thread, nil) }
}

/// A mutex-protected value for results gathered on several threads.
final class Locked<Value>: @unchecked Sendable {
    private var value: Value
    private var mutex = pthread_mutex_t()

    init(_ value: Value) {
        self.value = value
        pthread_mutex_init(&mutex, nil)
    }

    func withLock<R>(_ body: (inout Value) -> R) -> R {
        pthread_mutex_lock(&mutex)
        defer { pthread_mutex_unlock(&mutex) }
        return body(&value)
    }
}
