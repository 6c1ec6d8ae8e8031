import Foundation
import PortregTestSupport
import Testing

/// Issue 19, "Hangs": constructs whose cost was exponential or quadratic in a few hundred
/// bytes. Each is a `parse` error (or a plain verdict) within seconds; the times themselves
/// are measured with hyperfine (docs/BENCHMARKS.md), not here.
@Suite struct CheckBoundedCostTests {
    static let doubling: String = {
        var lines = ["V0=xx"]
        for index in 1..<60 { lines.append("V\(index)=$V\(index - 1)$V\(index - 1)") }
        return lines.joined(separator: "\n") + "\n"
    }()

    @Test func doublingEnvBesideComposeIsAParseError() async throws {
        let cli = try CLI()
        try cli.write("app/.env", Self.doubling)
        try cli.write("app/compose.yaml", "services:\n  web:\n    ports: [\"${V3}:80\"]\n")
        let result = try await cli.run(["check", "."], timeout: .seconds(20))
        result.expect(status: 65, stdout: ["app/.env:17: error:", "64 KiB"])
    }

    @Test func doublingStandaloneEnvIsAParseError() async throws {
        let cli = try CLI()
        try cli.write("app/.env", "PORT=7201\n" + Self.doubling)
        let result = try await cli.run(["check", "."], timeout: .seconds(20))
        result.expect(status: 65, stdout: ["app/.env:18: error:"])
    }
}
