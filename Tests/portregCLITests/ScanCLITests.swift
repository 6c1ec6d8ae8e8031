import Foundation
import PortregTestSupport
import Testing

import Glibc

/// `portreg scan` and `conflicts --live` against a socket this test really listens on.
@Suite("scan and live conflicts")
struct ScanCLITests {
    /// A TCP listener on 127.0.0.1 at a port the kernel picks; closed on deinit.
    final class Listener {
        let fd: Int32
        let port: Int

        init() throws {
            let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
            self.fd = fd
            var address = sockaddr_in()
            address.sin_family = sa_family_t(AF_INET)
            address.sin_addr.s_addr = UInt32(0x7F00_0001).bigEndian
            var length = socklen_t(MemoryLayout<sockaddr_in>.size)
            let ok = withUnsafeMutablePointer(to: &address) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                    bind(fd, $0, length) == 0 && getsockname(fd, $0, &length) == 0
                }
            }
            port = Int(UInt16(bigEndian: address.sin_port))
            guard fd >= 0, ok, listen(fd, 4) == 0 else { throw CLIError("cannot listen on 127.0.0.1") }
        }

        deinit { close(fd) }
    }

    @Test func scanShowsExpectedUnexpectedAndMissing() async throws {
        let cli = try CLI()
        let listener = try Listener()
        let unassigned = try Listener()
        try await cli.run("add", "probe-target", String(listener.port), "--bind", "127.0.0.1", "--host", "lab")
            .expect(status: 0)
        try await cli.run("add", "sleeper", "20999", "--host", "lab").expect(status: 0)
        try await cli.run("add", "elsewhere", "20998", "--host", "other").expect(status: 0)

        let result = try await cli.run("scan", "--host", "lab", "--format", "json")
        result.expect(status: 0)
        let rows = try result.jsonObjects()
        let mine = rows.first { $0["port"] as? Int == listener.port && $0["address"] as? String == "127.0.0.1" }
        #expect(mine?["status"] as? String == "expected", "\(result)")
        #expect(mine?["service"] as? String == "probe-target")
        #expect(mine?["pid"] as? Int == Int(getpid()), "the test process owns the socket")
        let other = rows.first { $0["port"] as? Int == unassigned.port }
        #expect(other?["status"] as? String == "unexpected", "\(result)")
        let missing = rows.filter { $0["status"] as? String == "missing" }.compactMap { $0["service"] as? String }
        #expect(missing == ["sleeper"], "elsewhere belongs to another host")
    }

    @Test func conflictsLiveNamesTheProcessOnAnAssignedPort() async throws {
        let cli = try CLI()
        let listener = try Listener()
        try await cli.run("add", "billing", String(listener.port)).expect(status: 0)
        let result = try await cli.run("conflicts", "--live", "--format", "json")
        result.expect(status: 0)
        let live = try result.jsonObjects().filter { $0["kind"] as? String == "live" }
        #expect(live.count == 1, "\(result)")
        #expect((live.first?["message"] as? String)?.contains("by pid \(getpid())") == true, "\(result)")
        // Without --live nothing looks at sockets.
        let quiet = try await cli.run("conflicts", "--format", "json")
        #expect(try quiet.jsonObjects().allSatisfy { $0["kind"] as? String != "live" })
    }
}
