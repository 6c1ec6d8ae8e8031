import Foundation
import PortregTestSupport
import Testing

/// The assignments as `list --format csv` shows them (the registry CSV), one dictionary per
/// row, a block's `LO-HI` split into `port` and `port_end`.
private func listed(_ cli: CLI, _ extra: String..., sourceLocation: SourceLocation = #_sourceLocation) async throws
    -> [[String: String]]
{
    let result = try await cli.run(["list", "--format", "csv"] + extra)
    result.expect(status: 0, sourceLocation: sourceLocation)
    return result.csvRows.map { row in
        var row = row
        let ports = (row["port"] ?? "").split(separator: "-").map(String.init)
        row["port"] = ports.first ?? ""
        row["port_end"] = ports.last ?? ""
        return row
    }
}

@Suite("add and collisions")
struct AddCommandTests {
    @Test func aSecondServiceOnTheSamePortIsRefusedNamingTheHolder() async throws {
        let cli = try CLI()
        try await cli.run("add", "billing", "8080", "--owner", "team-pay").expect(
            status: 0, stdout: ["billing", "8080", "team-pay"])
        let before = try await cli.exported()
        let refused = try await cli.run("add", "shop", "8080")
        refused.expect(status: 1, stderr: ["collides with billing", "team-pay", "--force"], stdoutIsEmpty: true)
        #expect(try await cli.exported() == before, "a refused add records nothing")
        let rows = try await listed(cli)
        #expect(rows.map { $0["service"] } == ["billing"])
    }

    @Test func forceRecordsTheCollisionAndConflictsReportsIt() async throws {
        let cli = try CLI()
        try await cli.run("add", "billing", "8080").expect(status: 0)
        let forced = try await cli.run("add", "shop", "8080", "--force")
        forced.expect(status: 0, stdout: ["shop", "8080"], stderr: ["warning", "collision with billing"])
        #expect(try await listed(cli).compactMap { $0["service"] }.sorted() == ["billing", "shop"])

        let conflicts = try await cli.run("conflicts", "--format", "json")
        conflicts.expect(status: 1, stderr: ["1 collision"])
        let objects = try conflicts.jsonObjects()
        let collisions = objects.filter { $0["severity"] as? String == "error" }
        #expect(collisions.count == 1, "\(conflicts)")
        let collision = try #require(collisions.first)
        #expect(collision["kind"] as? String == "collision")
        #expect(collision["port"] as? Int == 8080)
        #expect(collision["protocol"] as? String == "tcp")
        #expect(
            Set([collision["service"] as? String, collision["other_service"] as? String]) == ["billing", "shop"],
            "\(conflicts)")

        let table = try await cli.run("conflicts")
        table.expect(status: 1, stdout: ["error", "collision", "billing", "shop"], stderr: ["1 collision"])
    }

    @Test func conflictsExitsZeroWithoutCollisions() async throws {
        let cli = try CLI()
        let empty = try await cli.run("conflicts")
        empty.expect(status: 0, stderr: ["no conflicts"], stdoutIsEmpty: true)
        try await cli.run("add", "api", "18080").expect(status: 0)
        try await cli.run("add", "web", "18081").expect(status: 0)
        let none = try await cli.run("conflicts", "--format", "json")
        none.expect(status: 0)
        #expect(try none.jsonObjects().allSatisfy { $0["severity"] as? String != "error" }, "\(none)")
    }

    @Test func differentHostScopesDoNotCollideButStarCollidesWithAny() async throws {
        let cli = try CLI()
        try await cli.run("add", "alpha", "19100", "--host", "staging").expect(status: 0, stdout: ["staging"])
        try await cli.run("add", "beta", "19100", "--host", "prod").expect(status: 0, stdout: ["prod"])
        let everywhere = try await cli.run("add", "gamma", "19100")
        everywhere.expect(status: 1, stderr: ["collides with", "alpha", "beta"], stdoutIsEmpty: true)

        try await cli.run("add", "delta", "19101").expect(status: 0)
        let onStaging = try await cli.run("add", "epsilon", "19101", "--host", "staging")
        onStaging.expect(status: 1, stderr: ["collides with delta"], stdoutIsEmpty: true)

        #expect(try await listed(cli).compactMap { $0["service"] }.sorted() == ["alpha", "beta", "delta"])
        try await cli.run("conflicts").expect(status: 0)
    }

    @Test func bindAddressesCollideOnlyWhenTheyOverlap() async throws {
        let cli = try CLI()
        try await cli.run("add", "loopback", "19200", "--bind", "127.0.0.1").expect(status: 0, stdout: ["127.0.0.1"])
        try await cli.run("add", "lan", "19200", "--bind", "10.0.0.5").expect(status: 0, stdout: ["10.0.0.5"])
        // The default bind is every address: it overlaps both.
        let wildcard = try await cli.run("add", "everything", "19200")
        wildcard.expect(status: 1, stderr: ["collides with", "loopback", "lan"], stdoutIsEmpty: true)
        let zeros = try await cli.run("add", "zeros", "19200", "--bind", "0.0.0.0")
        zeros.expect(status: 1, stderr: ["collides with", "loopback"], stdoutIsEmpty: true)

        // :: overlaps IPv4 too (dual stack); ::1 and 127.0.0.1 are different sockets.
        try await cli.run("add", "v6any", "19201", "--bind", "::").expect(status: 0)
        let underV6Any = try await cli.run("add", "v4loop", "19201", "--bind", "127.0.0.1")
        underV6Any.expect(status: 1, stderr: ["collides with v6any"], stdoutIsEmpty: true)
        try await cli.run("add", "v6loop", "19202", "--bind", "::1").expect(status: 0)
        try await cli.run("add", "v4loop", "19202", "--bind", "127.0.0.1").expect(status: 0)

        #expect(
            try await listed(cli).compactMap { $0["service"] }.sorted() == [
                "lan", "loopback", "v4loop", "v6any", "v6loop",
            ])
    }

    @Test func tcpAndUdpDoNotCollide() async throws {
        let cli = try CLI()
        try await cli.run("add", "dns-ish", "19300/udp").expect(status: 0, stdout: ["udp"])
        try await cli.run("add", "web-ish", "19300/tcp").expect(status: 0, stdout: ["tcp"])
        try await cli.run("add", "other", "19300").expect(
            status: 1, stderr: ["collides with web-ish"], stdoutIsEmpty: true)
        let rows = try await listed(cli)
        #expect(
            rows.map { "\($0["service"] ?? "")/\($0["protocol"] ?? "")" }.sorted() == ["dns-ish/udp", "web-ish/tcp"])
    }

    @Test func theSameServiceTwiceIsFineAndUpdatesTheClaim() async throws {
        let cli = try CLI()
        try await cli.run("add", "billing", "19400", "--owner", "team-a").expect(status: 0)
        let again = try await cli.run("add", "billing", "19400", "--owner", "team-b")
        again.expect(status: 0, stdout: ["team-b"], stderrLacks: ["collid"])
        let rows = try await listed(cli)
        #expect(rows.count == 1, "\(rows)")
        #expect(rows.first?["owner"] == "team-b")
        // Another port for the same service is a second claim, not a collision.
        try await cli.run("add", "billing", "19401").expect(status: 0)
        #expect(try await listed(cli).count == 2)
    }

    @Test func aPortInsideAnotherServicesBlockCollides() async throws {
        let cli = try CLI()
        try await cli.run("add", "workers", "19500-19509").expect(status: 0, stdout: ["19500-19509"])
        let inside = try await cli.run("add", "intruder", "19505", "--host", "staging")
        inside.expect(status: 1, stderr: ["collides with workers", "19500-19509"], stdoutIsEmpty: true)
        let overlapping = try await cli.run("add", "intruder", "19509-19512")
        overlapping.expect(status: 1, stderr: ["collides with workers"], stdoutIsEmpty: true)
        try await cli.run("add", "neighbour", "19510-19512").expect(status: 0)
    }

    @Test(arguments: ["0", "65536", "80a", "9000-8000", "8080/xyz", "", "-", "8080/"])
    func aBadPortIsAUsageError(_ port: String) async throws {
        let cli = try CLI()
        let result = try await cli.run("add", "billing", port)
        result.expectFailure(64, "invalid")
        #expect(try await listed(cli).isEmpty)
    }

    @Test(arguments: ["bad name", "bad/name", "-dash-first", ".dot", String(repeating: "a", count: 64), "naïve", ""])
    func aBadServiceNameIsAUsageError(_ name: String) async throws {
        let cli = try CLI()
        let result = try await cli.run(["add", "--", name, "19600"])
        result.expectFailure(64)
        #expect(result.stderr.hasPrefix("portreg: error: "), "\(result)")
        #expect(try await listed(cli).isEmpty)
    }

    @Test(arguments: [
        ["--host", "a b"], ["--bind", "localhost"], ["--bind", "300.1.1.1"], ["--ttl", "5x"], ["--ttl", "0s"],
    ])
    func aBadAttributeIsAUsageError(_ option: [String]) async throws {
        let cli = try CLI()
        let result = try await cli.run(["add", "billing", "19700"] + option)
        result.expectFailure(64, option[0].dropFirst(2) == "ttl" ? "duration" : option[0])
        #expect(try await listed(cli).isEmpty)
    }

    @Test func aPrivilegedPortIsRecordedWithAWarning() async throws {
        let cli = try CLI()
        let result = try await cli.run("add", "web", "80")
        result.expect(status: 0, stdout: ["web", "80"], stderr: ["warning", "privileged"])
        #expect(result.stderr.contains("registered to http"), "the catalog registers 80 to http\n\(result)")
        #expect(try await listed(cli).map { $0["port"] } == ["80"])
    }

    @Test(.enabled(if: EphemeralRange.current != nil, "no /proc/sys/net/ipv4/ip_local_port_range on this machine"))
    func anEphemeralPortIsRecordedWithAWarning() async throws {
        let range = try #require(EphemeralRange.current)
        let port = range.lowerBound + (range.upperBound - range.lowerBound) / 2 + 7
        let cli = try CLI()
        let result = try await cli.run("add", "tempsvc", String(port))
        result.expect(status: 0, stdout: ["tempsvc"], stderr: ["warning", "ephemeral"])
    }
}

/// This host's ephemeral range, read the way the kernel prints it.
enum EphemeralRange {
    static var current: ClosedRange<Int>? {
        guard let text = try? String(contentsOfFile: "/proc/sys/net/ipv4/ip_local_port_range", encoding: .utf8) else {
            return nil
        }
        let numbers = text.split(whereSeparator: \.isWhitespace).compactMap { Int($0) }
        guard numbers.count == 2, numbers[0] <= numbers[1] else { return nil }
        return numbers[0]...numbers[1]
    }
}

@Suite("reserve")
struct ReserveCommandTests {
    @Test func printsAPortAndTheSameServiceGetsItAgain() async throws {
        let cli = try CLI()
        let first = try await cli.run("reserve", "search-api", "--no-probe")
        first.expect(status: 0)
        let port = try #require(Int(first.stdout.trimmingCharacters(in: .whitespacesAndNewlines)), "\(first)")
        #expect((1024...65535).contains(port))
        #expect(first.stdout == "\(port)\n", "only the port on stdout\n\(first)")
        let again = try await cli.run("reserve", "search-api", "--no-probe")
        again.expect(status: 0)
        #expect(again.stdout == first.stdout, "idempotent\n\(again)")
        let rows = try await listed(cli)
        #expect(rows.count == 1)
        #expect(rows.first?["service"] == "search-api" && rows.first?["port"] == String(port))
        // The port is now taken: another service gets another one.
        let other = try await cli.run("reserve", "other-api", "--no-probe")
        other.expect(status: 0)
        #expect(other.stdout != first.stdout)
    }

    @Test func countReservesAConsecutiveBlock() async throws {
        let cli = try CLI()
        let result = try await cli.run("reserve", "grpc-workers", "--count", "4", "--no-probe")
        result.expect(status: 0)
        let parts = result.stdout.trimmingCharacters(in: .whitespacesAndNewlines).split(separator: "-").compactMap {
            Int($0)
        }
        #expect(parts.count == 2, "LO-HI\n\(result)")
        if parts.count == 2 { #expect(parts[1] == parts[0] + 3, "\(result)") }
        let rows = try await listed(cli)
        #expect(rows.count == 1)
        #expect(
            rows.first?["port"] == parts.first.map(String.init)
                && rows.first?["port_end"] == parts.last.map(String.init))
    }

    @Test func anExhaustedRangeExitsOneSuggestingAWiderOne() async throws {
        let cli = try CLI()
        let a = try await cli.run("reserve", "tiny-a", "--range", "20000-20001", "--no-probe")
        let b = try await cli.run("reserve", "tiny-b", "--range", "20000-20001", "--no-probe")
        a.expect(status: 0)
        b.expect(status: 0)
        #expect(Set([a.stdout, b.stdout]) == ["20000\n", "20001\n"])
        let full = try await cli.run("reserve", "tiny-c", "--range", "20000-20001", "--no-probe")
        full.expectFailure(1, "no free port", "20000-20001", "--range")
        #expect(try await listed(cli).count == 2)
    }

    @Test(arguments: [
        ["--count", "0"], ["--count", "5000"], ["--range", "9000-8000"], ["--range", "x"], ["--proto", "xyz"],
    ])
    func badOptionsAreUsageErrors(_ option: [String]) async throws {
        let cli = try CLI()
        let result = try await cli.run(["reserve", "svc", "--no-probe"] + option)
        result.expectFailure(64)
        #expect(try await listed(cli).isEmpty)
    }

    @Test(arguments: ["bad name", "x/y", ""])
    func aBadServiceNameIsAUsageError(_ name: String) async throws {
        let cli = try CLI()
        let result = try await cli.run(["reserve", "--no-probe", "--", name])
        result.expectFailure(64, "invalid service name")
        #expect(try await listed(cli).isEmpty)
    }

    @Test func anExpiredLeaseIsHiddenFromListButNotFromListAll() async throws {
        let cli = try CLI()
        // A lease that ran out in the past, as an export records it: no test waits for a
        // clock (the library's lease tests move an injected one).
        let registry = """
            service,port,protocol,host,bind,owner,note,created_at,expires_at
            preview,20990,tcp,*,*,,,2026-01-01T00:00:00Z,2026-01-01T00:00:01Z

            """
        try await cli.run(["import", "-"], stdin: registry).expect(status: 0)
        let longer = try await cli.run("reserve", "staging-preview", "--ttl", "1h", "--no-probe")
        longer.expect(status: 0)
        #expect(try await listed(cli).map { $0["service"] } == ["staging-preview"], "an expired lease is hidden")
        let afterwards = try await listed(cli, "--all")
        #expect(afterwards.compactMap { $0["service"] }.sorted() == ["preview", "staging-preview"])
        #expect(afterwards.allSatisfy { $0["expires_at"]?.isEmpty == false }, "both are leases\n\(afterwards)")
        #expect(afterwards.first { $0["service"] == "preview" }?["port"] == "20990")
        // An expired lease no longer holds its port.
        try await cli.run("add", "successor", "20990").expect(status: 0, stderrLacks: ["collid"])
    }
}

@Suite("remove, list, free")
struct RemoveListFreeTests {
    @Test func removePrintsWhatItRemovedAndExitsOneWhenNothingMatched() async throws {
        let cli = try CLI()
        try await cli.run("add", "billing", "19800").expect(status: 0)
        try await cli.run("add", "billing", "19801").expect(status: 0)
        try await cli.run("add", "shop", "19802").expect(status: 0)

        let one = try await cli.run("remove", "billing", "19801")
        one.expect(status: 0, stdout: ["billing", "19801"], stdoutLacks: ["19800"])
        let notHeld = try await cli.run("remove", "billing", "19802")
        notHeld.expectFailure(1, "no assignment of billing")

        let rest = try await cli.run("release", "billing")
        rest.expect(status: 0, stdout: ["billing", "19800"], stdoutLacks: ["19801", "shop"])
        let gone = try await cli.run("remove", "billing")
        gone.expectFailure(1, "no assignment of billing")
        #expect(try await listed(cli).map { $0["service"] } == ["shop"])

        try await cli.run("remove", "shop", "19802/xyz").expectFailure(64, "invalid")
    }

    @Test func removeByHostLeavesOtherHosts() async throws {
        let cli = try CLI()
        try await cli.run("add", "api", "19900", "--host", "staging").expect(status: 0)
        try await cli.run("add", "api", "19900", "--host", "prod").expect(status: 0)
        let removed = try await cli.run("remove", "api", "--host", "staging", "--format", "csv")
        removed.expect(status: 0)
        #expect(removed.csvRows.map { $0["host"] } == ["staging"])
        #expect(try await listed(cli).map { $0["host"] } == ["prod"])
    }

    @Test func listFiltersByServiceHostAndOwner() async throws {
        let cli = try CLI()
        try await cli.run("add", "api", "21000", "--host", "prod", "--owner", "team-a").expect(status: 0)
        try await cli.run("add", "web", "21001", "--owner", "team-b").expect(status: 0)
        try await cli.run("add", "db", "21002", "--host", "prod", "--owner", "team-b").expect(status: 0)
        #expect(try await listed(cli).map { $0["service"] } == ["api", "web", "db"], "sorted by port")
        #expect(try await listed(cli, "--service", "web").map { $0["service"] } == ["web"])
        #expect(try await listed(cli, "--host", "prod").compactMap { $0["service"] }.sorted() == ["api", "db"])
        #expect(try await listed(cli, "--owner", "team-b").compactMap { $0["service"] }.sorted() == ["db", "web"])
        let json = try await cli.run("list", "--format", "json")
        json.expect(status: 0)
        #expect(try json.jsonObjects().count == 3)
    }

    @Test func freeListsFreePortsInARangeUpToLimit() async throws {
        let cli = try CLI()
        let first = try await cli.run("free", "--range", "20000-20010", "--limit", "3", "--no-probe", "--format", "csv")
        first.expect(status: 0)
        #expect(first.csvRows.map { $0["port"] } == ["20000", "20001", "20002"], "\(first)")
        try await cli.run("add", "taken", "20001").expect(status: 0)
        let second = try await cli.run(
            "free", "--range", "20000-20010", "--limit", "3", "--no-probe", "--format", "csv")
        second.expect(status: 0)
        #expect(second.csvRows.map { $0["port"] } == ["20000", "20002", "20003"], "\(second)")
        let blocks = try await cli.run(
            "free", "--range", "20000-20010", "--count", "3", "--limit", "2", "--no-probe", "--format", "csv")
        blocks.expect(status: 0)
        #expect(
            blocks.csvRows.map { "\($0["port"] ?? "")-\($0["port_end"] ?? "")" } == ["20002-20004", "20005-20007"],
            "\(blocks)")
        let tooSmall = try await cli.run("free", "--range", "20001-20001", "--no-probe")
        tooSmall.expectFailure(1, "no free port")
        try await cli.run("free", "--limit", "0").expectFailure(64, "--limit")
    }
}
