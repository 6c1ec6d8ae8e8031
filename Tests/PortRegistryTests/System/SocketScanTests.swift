import PortregTestSupport
import Testing
@testable import PortRegistry
@testable import PortRegistryAssignments
@testable import PortRegistryConflicts
@testable import PortRegistryModel
@testable import PortRegistrySystem

@testable import PortRegistry

/// `scan`'s matching and `conflicts --live`'s socket rules, on sockets made up for the test.
@Suite struct SocketScanTests {
    func socket(
        _ port: Int, _ address: String = "0.0.0.0", _ transport: TransportProtocol = .tcp, command: String? = nil
    )
        -> ListeningSocket
    {
        ListeningSocket(
            transport: transport, address: address, isIPv6: address.contains(":"), port: port, inode: port,
            pid: command == nil ? nil : 4242, command: command)
    }

    func assignment(_ id: Int, _ service: String, _ port: Int, host: String = "*", bind: String = "*") -> Assignment {
        Assignment(id: id, service: service, ports: portRange(port), host: hostScope(host), bind: bindAddress(bind))
    }

    @Test func socketsAreExpectedOrUnexpectedAndSilentAssignmentsAreMissing() {
        let scan = SocketScan.match(
            sockets: [socket(8080), socket(9999)],
            assignments: [
                assignment(1, "web", 8080), assignment(2, "api", 7000),
                assignment(3, "elsewhere", 7001, host: "other-host"), assignment(4, "here", 7002, host: "this-host"),
            ],
            host: hostScope("this-host"))
        let summary = scan.lines.map { "\($0.status.rawValue) \($0.socket?.port ?? $0.assignments[0].ports.low)" }
        #expect(summary == ["expected 8080", "unexpected 9999", "missing 7000", "missing 7002"])
        #expect(scan.lines[0].assignments.map(\.service) == ["web"])
    }

    @Test func aSocketHoldsAnAssignmentOnlyWithinItsBindScope() {
        let loopback = socket(8080, "127.0.0.1")
        #expect(loopback.holds(assignment(1, "a", 8080)))
        #expect(loopback.holds(assignment(1, "a", 8080, bind: "127.0.0.1")))
        #expect(!loopback.holds(assignment(1, "a", 8080, bind: "10.0.0.5")))
        #expect(!loopback.holds(assignment(1, "a", 8081)))
        #expect(!socket(8080, "0.0.0.0", .udp).holds(assignment(1, "a", 8080)))
        #expect(socket(8080, "::").holds(assignment(1, "a", 8080, bind: "10.0.0.5")))
    }

    @Test func theKernelsCutCommandNameStillCountsAsTheService() {
        #expect(socket(1, command: "billing-service").mayBe(service: "billing-service-worker"))
        #expect(socket(1, command: "web").mayBe(service: "WEB"))
        #expect(!socket(1, command: "nginx").mayBe(service: "web"))
        #expect(!socket(1, command: "bill").mayBe(service: "billing"), "only a 15-byte name is a cut one")
        #expect(!socket(1).mayBe(service: "web"), "no command seen: not the service")
    }

    @Test func conflictsWarnsAboutAnAssignedPortAnotherProcessListensOn() throws {
        let registry = try Registry.inMemory()
        try registry.write {
            let store = AssignmentStore(database: registry.database)
            try store.insert(Assignment(service: "web", ports: portRange(20080)))
            try store.insert(Assignment(service: "api", ports: portRange(20081)))
        }
        let report = try ConflictReport.make(
            registry: registry, listeners: [socket(20080, command: "nginx"), socket(20081, command: "api")])
        let live = report.warnings.filter { $0.advisory.kind == .live }
        #expect(live.map(\.assignment.service) == ["web"], "api listens itself; nginx on web's port is news")
        #expect(live.first?.advisory.message.contains("by pid 4242 (nginx)") == true)
        #expect(report.collisions.isEmpty)
        #expect(
            try ConflictReport.make(registry: registry, warnings: false, listeners: [socket(20080)]).warnings.isEmpty)
    }
}
