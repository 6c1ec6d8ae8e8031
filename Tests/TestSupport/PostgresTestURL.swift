import Testing

import Glibc

/// The PostgreSQL test server both test targets use: `PORTREG_TEST_POSTGRES_URL`, which
/// `scripts/postgres-test-server.sh start` prints and `.ci/run` exports. Without it the
/// PostgreSQL tests are skipped with `skipMessage`, so that `swift test` alone passes on a
/// laptop and says what it left out.
public enum PostgresTestURL {
    public static let server: String? = getenv("PORTREG_TEST_POSTGRES_URL").map { String(cString: $0) }.flatMap {
        $0.isEmpty ? nil : $0
    }

    public static var isConfigured: Bool { server != nil }

    public static let skipMessage: Comment =
        "PORTREG_TEST_POSTGRES_URL is not set: skipping PostgreSQL tests (eval \"$(scripts/postgres-test-server.sh start)\")"

    /// The role the test server asks for a password (scram), and that password.
    public static let passwordRole = (user: "portreg_pw", password: "correct-horse-battery")

    /// `url` with `options=-csearch_path=SCHEMA`: tables created and read through it live in
    /// that schema only.
    public static func url(_ url: String, schema: String) -> String {
        url + (url.contains("?") ? "&" : "?") + "options=-csearch_path%3D\(schema)"
    }

    /// `url` (a `postgresql://` or `postgres://` URI, over TCP or a Unix socket) with its user
    /// and password replaced: `postgresql://user:password@host:port/db?…`.
    public static func url(_ url: String, user: String, password: String) -> String {
        guard let scheme = url.firstRange(of: "://") else { return url }
        let rest = url[scheme.upperBound...]
        let authorityEnd = rest.firstIndex(where: { $0 == "/" || $0 == "?" }) ?? rest.endIndex
        let authority = rest[..<authorityEnd]
        let hostAndPort = authority.lastIndex(of: "@").map { authority[authority.index(after: $0)...] } ?? authority
        return url[..<scheme.upperBound] + "\(user):\(password)@" + hostAndPort + rest[authorityEnd...]
    }
}
