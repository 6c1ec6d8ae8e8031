import Foundation
import Testing

// Cost cliffs of issue 8. Not benchmarks (those are bench/cliffs.sh): each case took tens of
// seconds and is killed by the watchdog if it does again; it now takes well under a second.
extension HardeningTests {
    /// every pair (15 s, 2.1 GB).
    @Test func manyClaimsOfOnePortOnDistinctAddressesAreNotQuadratic() async throws {
        let cli = try CLI()
        var csv = "service,port,protocol,host,bind,owner,note,created_at,expires_at\n"
        for index in 1...15_000 {
            csv += "svc\(index),8080,tcp,*,10.0.\(index >> 8).\(index & 255),,,2026-11-27T10:00:00Z,\n"
        }
        let imported = try await cli.run(["import", try cli.write("binds.csv", csv)], timeout: .seconds(30))
        imported.expect(status: 0)
        try await cli.run(["conflicts", "--no-warnings"], timeout: .seconds(30)).expect(status: 0)
        // One wildcard claim of the port collides with every one of them.
        let wildcard = "service,port,protocol,host,bind,owner,note,created_at,expires_at\nall,8080,tcp,*,*,,,,\n"
        let refused = try await cli.run(["import", try cli.write("all.csv", wildcard)], timeout: .seconds(30))
        refused.expect(status: 1, stderr: ["15000 collisions"])
    }
}
