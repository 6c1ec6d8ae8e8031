import Foundation
import Testing

/// The way out moves the right claimant (SPEC, "The way out"): an owner of the port (it
/// publishes a port the catalog registers, from that same container port) stays; when every
/// claimant owns it nothing is suggested and the finding asks; under a baseline the claimant
/// that joined a known collision moves.
@Suite struct CheckWayOutTests {
    /// The message of the report's first collision.
    static func firstMessage(_ result: CLIResult) throws -> String {
        let document = try #require(try result.json() as? [String: Any], "\(result)")
        let findings = try #require(document["findings"] as? [[String: Any]], "\(result)")
        let collision = try #require(findings.first { $0["kind"] as? String == "collision" }, "\(result)")
        return try #require(collision["message"] as? String)
    }

    /// pihole publishes 53:53 (DNS's registered port, from its own 53), a resolver publishes
    /// 53:8053. The resolver's file sorts first, so "the first claimant stays" moved pihole.
    @Test func theOwnerOfTheRegisteredPortStays() async throws {
        let cli = try CLI()
        try cli.write("a-resolver/compose.yaml", "services:\n  resolver:\n    ports: [\"53:8053/udp\"]\n")
        try cli.write("z-pihole/compose.yaml", "services:\n  pihole:\n    ports: [\"53:53/udp\"]\n")
        let result = try await cli.run("check", "--format", "json", ".")
        #expect(result.status == 1, "\(result)")
        let message = try Self.firstMessage(result)
        #expect(message.contains("pihole stays on its registered port"), "\(message)")
        #expect(message.contains("move resolver to "), "\(message)")
        #expect(!message.contains("move pihole"), "\(message)")
    }

    /// Two proxies both publish 443:443: both own the port, so no port is suggested and the
    /// finding asks whether they are alternatives or on different hosts.
    @Test func whenEveryClaimantOwnsThePortNothingMovesAndTheFindingAsks() async throws {
        let cli = try CLI()
        try cli.write("caddy/compose.yaml", "services:\n  caddy:\n    ports: [\"443:443\"]\n")
        try cli.write("traefik/compose.yaml", "services:\n  traefik:\n    ports: [\"443:443\"]\n")
        let result = try await cli.run("check", "--format", "json", ".")
        #expect(result.status == 1, "\(result)")
        let message = try Self.firstMessage(result)
        #expect(!message.contains("move "), "\(message)")
        #expect(message.contains("caddy and traefik each publish 443/tcp from the same container port"), "\(message)")
        #expect(message.contains("alternatives") && message.contains("different hosts"), "\(message)")
    }

    /// a and b collide and are in the baseline; c joins them. The new finding names c as the
    /// newcomer and moves c, not b.
    @Test func underABaselineTheNewcomerMoves() async throws {
        let cli = try CLI()
        try cli.write("a/compose.yaml", "services:\n  a:\n    ports: [\"9931:80\"]\n")
        try cli.write("b/compose.yaml", "services:\n  b:\n    ports: [\"9931:80\"]\n")
        let written = try await cli.run("check", "--write-baseline", "known.txt", ".")
        #expect(written.status == 0, "\(written)")
        try cli.write("c/compose.yaml", "services:\n  c:\n    ports: [\"9931:80\"]\n")
        let result = try await cli.run("check", "--format", "json", "--baseline", "known.txt", ".")
        #expect(result.status == 1, "\(result)")
        let message = try Self.firstMessage(result)
        #expect(message.contains("c joined a known collision (baseline); move c to "), "\(message)")
        #expect(!message.contains("move b"), "\(message)")

        // Without the baseline the first claimant stays, as before: b and c move.
        let plain = try await cli.run("check", "--format", "json", ".")
        let advice = try Self.firstMessage(plain)
        #expect(advice.contains("move b to ") && advice.contains(" and c to "), "\(advice)")
    }
}
