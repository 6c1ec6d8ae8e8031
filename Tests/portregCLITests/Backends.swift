import Foundation
import PortregTestSupport
import Testing

import Glibc

/// Where a CLI test keeps its assignments: the same end-to-end tests run on both.
enum Backend: String, Sendable, CaseIterable, CustomTestStringConvertible {
    case sqlite
    case postgres

    var testDescription: String { rawValue }

    /// The backends this machine can test: PostgreSQL only with `PORTREG_TEST_POSTGRES_URL`
    /// (`PostgresCLIServerTests` is then skipped with `PostgresSchema.skipMessage`, so that
    /// a laptop run says what it left out).
    static let available: [Backend] = PostgresSchema.isConfigured ? [.sqlite, .postgres] : [.sqlite]
}

/// A fresh schema on the test server (`PORTREG_TEST_POSTGRES_URL`, which
/// `scripts/postgres-test-server.sh start` prints and `.ci/run` exports), made and dropped
/// with psql; `url` reaches it through libpq's `options=-csearch_path=…`.
final class PostgresSchema: Sendable {
    static var serverURL: String? { PostgresTestURL.server }
    static var isConfigured: Bool { PostgresTestURL.isConfigured }
    static let skipMessage: Comment =
        "PORTREG_TEST_POSTGRES_URL is not set: the CLI tests run on SQLite only (eval \"$(scripts/postgres-test-server.sh start)\")"

    let name: String
    let url: String

    init() throws {
        guard let server = PostgresSchema.serverURL else { throw CLIError("PORTREG_TEST_POSTGRES_URL is not set") }
        name = "portreg_cli_" + UUID().uuidString.lowercased().replacingOccurrences(of: "-", with: "")
        url = PostgresTestURL.url(server, schema: name)
        try PostgresSchema.psql("CREATE SCHEMA \(name)")
    }

    deinit { _ = try? PostgresSchema.psql("DROP SCHEMA \(name) CASCADE") }

    /// Runs `sql` on the test server with psql; returns its unaligned output.
    @discardableResult
    static func psql(_ sql: String) throws -> String {
        guard let server = serverURL else { throw CLIError("PORTREG_TEST_POSTGRES_URL is not set") }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["psql", server, "-qAtX", "-v", "ON_ERROR_STOP=1", "-c", sql]
        let output = Pipe()
        process.standardOutput = output
        process.standardError = output
        try process.run()
        let data = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        let text = String(decoding: data, as: UTF8.self)
        guard process.terminationStatus == 0 else { throw CLIError("psql failed on \(sql): \(text)") }
        return text
    }
}
