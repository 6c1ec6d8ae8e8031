import Foundation
import PortregTestSupport
import Testing

/// Issue 19, "CRLF": a tree written on Windows (or by a hostile pull request) with CRLF line
/// ends is judged as its LF twin: a CRLF Procfile claims its ports, a CRLF `.env` its
/// values, a CRLF baseline (with a byte order mark) is read, a CRLF registry CSV counts.
@Suite struct CheckLineEndingTests {
    @Test func crlfEnvAndProcfileCollide() async throws {
        let cli = try CLI()
        try cli.write("api/.env", "HOST=x\r\nPORT=8080\r\n")
        try cli.write("web/Procfile", "web: rails s -p 8080\r\nworker: sidekiq\r\n")
        let result = try await cli.run("check", ".", "--format", "json")
        result.expect(status: 1, stdout: ["\"port\": 8080", "api/.env", "web/Procfile"])
    }

    @Test func crlfComposeInterpolationFromEnv() async throws {
        let cli = try CLI()
        try cli.write("a/compose.yaml", "services:\r\n  web:\r\n    ports: [\"${WEB_PORT}:80\"]\r\n")
        try cli.write("a/.env", "WEB_PORT=7481\r\n")
        try cli.write("b/compose.yaml", "services:\r\n  api:\r\n    ports: [\"7481:80\"]\r\n")
        let result = try await cli.run("check", ".", "--format", "json")
        result.expect(status: 1, stdout: ["\"port\": 7481", "a/compose.yaml", "b/compose.yaml"])
    }

    @Test func crlfBaselineWithByteOrderMarkIsApplied() async throws {
        let cli = try CLI()
        try cli.write("api/.env", "PORT=8080\n")
        try cli.write("web/Procfile", "web: rails s -p 8080\n")
        let written = try await cli.run("check", ".", "--write-baseline", "known.txt")
        written.expect(status: 0)
        let text = try String(contentsOfFile: cli.path("known.txt"), encoding: .utf8)
        try cli.write("known.txt", "\u{FEFF}" + text.replacingOccurrences(of: "\n", with: "\r\n"))
        let result = try await cli.run("check", ".", "--baseline", "known.txt")
        result.expect(status: 0, stdout: ["1 known finding not shown"])
    }

    @Test func crlfRegistryCSVInTheTreeCounts() async throws {
        let cli = try CLI()
        try cli.write(
            "ports.csv",
            "service,port,protocol,host,bind,owner,note,created_at,expires_at\r\n"
                + "billing,7390,tcp,*,*,,,2025-01-01T00:00:00Z,\r\n")
        try cli.write("shop/compose.yaml", "services:\n  shop:\n    ports: [\"7390:80\"]\n")
        let result = try await cli.run("check", ".", "--format", "json")
        result.expect(status: 1, stdout: ["\"kind\": \"registry\"", "billing"])
    }
}
