import Foundation
import Testing

// Cost cliffs of issue 8. Not benchmarks (those are bench/cliffs.sh): each case took tens of
// seconds and is killed by the watchdog if it does again; it now takes well under a second.
extension HardeningTests {
    /// 300 catalog rows each covering 1-65535: add built a per-port table (14-33 s, 1 GB).
    @Test func addBesideRowsCoveringEveryPortIsNotPerPort() async throws {
        let cli = try CLI()
        let iana =
            "Service Name,Port Number,Transport Protocol,Description,Assignee,Contact,Registration Date,Modification Date,Reference,Service Code,Unauthorized Use Reported,Assignment Notes\r\n"
            + (0..<300).map { "wide\($0),1-65535,\($0 % 2 == 0 ? "tcp" : ""),everything,,,,,,,,\r\n" }.joined()
        try await cli.run("import", try cli.write("wide.csv", iana), "--source", "common").expect(status: 0)
        let added = try await cli.run(["add", "myapp", "20000"], timeout: .seconds(20))
        added.expect(status: 0, stderr: ["20000/tcp is registered to wide0, wide1, wide2"])
        let conflicts = try await cli.run(["conflicts"], timeout: .seconds(20))
        conflicts.expect(status: 0, stdout: ["20000"])
    }
}
