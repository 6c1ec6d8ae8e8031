import Testing
@testable import PortRegistryPostgreSQL

@testable import PortRegistry

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// The server the PostgreSQL tests use: `PORTREG_TEST_POSTGRES_URL`, which
/// `scripts/postgres-test-server.sh start` prints and `.ci/run` exports. Without it the tests
/// are skipped, with that message, so that `swift test` alone passes on a laptop.
enum PostgresTestServer {
    static let url: String? = getenv("PORTREG_TEST_POSTGRES_URL").map { String(cString: $0) }.flatMap {
        $0.isEmpty ? nil : $0
    }

    static var isConfigured: Bool { url != nil }

    static let skipMessage: Comment =
        "PORTREG_TEST_POSTGRES_URL is not set: skipping PostgreSQL tests (eval \"$(scripts/postgres-test-server.sh start)\")"

    /// The configured URL with `options=-csearch_path=SCHEMA`: tables created and read through it
    /// live in that schema only.
    static func url(schema: String) -> String {
        let base = url ?? ""
        return base + (base.contains("?") ? "&" : "?") + "options=-csearch_path%3D\(schema)"
    }

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
