import Testing
@testable import PortRegistry
@testable import PortRegistryAssignments
@testable import PortRegistryConfigScan
@testable import PortRegistryModel

/// Issue 19, "Hangs": the way out of 20,000 collisions on dense ports took 74 s, because
/// `firstFree` probed the tree's taken ports one by one. Told where the taken stretches end,
/// it jumps over each in one step: the probes it makes do not grow with the ports taken.
@Suite struct AllocatorJumpTests {
    /// Ports 1024-40999 are taken (by the tree), as sorted disjoint spans.
    static let taken = [PortRange(uncheckedLow: 1024, high: 20999), PortRange(uncheckedLow: 21000, high: 40999)]

    static func firstUntaken(_ port: Int) -> Int {
        var port = port
        for span in taken where span.contains(port) { port = span.high + 1 }
        return port
    }

    @Test func jumpsOverTakenStretches() throws {
        let registry = try makeRegistry()
        let probe = FakeProbe(busy: Set(1024...40999))
        var allocator = Allocator(ephemeral: nil, isFreeNow: probe.isFree)
        allocator.firstUntaken = Self.firstUntaken
        var request = ReservationRequest(service: "web")
        request.range = PortRange(uncheckedLow: 1024, high: 49151)
        let found = try registry.read { context in try allocator.suggestion(request, in: context) }
        #expect(found.map { $0.low > 40999 } == true, "\(String(describing: found))")
        #expect(probe.calls.count < 300, "\(probe.calls.count) probes")
        #expect(probe.calls.allSatisfy { !probe.busy.contains($0) })
    }

    @Test func aBlockNeedsConsecutiveUntakenPorts() throws {
        let registry = try makeRegistry()
        // Every other port of 2000-2999 taken: no block of 2 there.
        let busy = Set(stride(from: 2000, through: 2999, by: 2))
        let probe = FakeProbe(busy: busy)
        var allocator = Allocator(ephemeral: nil, isFreeNow: probe.isFree)
        allocator.firstUntaken = { port in busy.contains(port) ? port + 1 : port }
        var request = ReservationRequest(service: "web")
        request.range = PortRange(uncheckedLow: 2000, high: 3001)
        request.count = 2
        let found = try registry.read { context in try allocator.suggestion(request, in: context) }
        #expect(found == PortRange(uncheckedLow: 2999, high: 3000))
    }

    @Test func wayOutMergesAdvisedPorts() {
        let wayOut = WayOut { _ in nil }
        wayOut.claim([(PortRange(uncheckedLow: 5000, high: 5000), .tcp)])
        for port in 5001...5100 { wayOut.insert(PortRange(uncheckedLow: port, high: port), .tcp) }
        #expect(wayOut.taken[.tcp] == [PortRange(uncheckedLow: 5000, high: 5100)])
        #expect(wayOut.firstUntaken(5000, .tcp) == 5101)
        #expect(wayOut.firstUntaken(4999, .tcp) == 4999)
    }

    @Test func wayOutSearchMergesAdvicesIntoEveryShapeOfTheProtocol() {
        let search = WayOutSearch()
        var request = ReservationRequest(service: "web")
        let tcp = WayOutSearch.Shape(request: request)
        request.bind = BindAddress(parsing: "127.0.0.1")!
        let bound = WayOutSearch.Shape(request: request)
        request.transport = .udp
        let udp = WayOutSearch.Shape(request: request)
        search.spans[tcp] = [PortRange(uncheckedLow: 0, high: 1023), PortRange(uncheckedLow: 1025, high: 2000)]
        search.spans[bound] = [PortRange(uncheckedLow: 0, high: 1023)]
        search.spans[udp] = [PortRange(uncheckedLow: 0, high: 1023)]
        #expect(search.firstUntaken(1024, tcp) == 1024)
        search.insert(PortRange(uncheckedLow: 1024, high: 1024), transport: .tcp)
        #expect(search.spans[tcp] == [PortRange(uncheckedLow: 0, high: 2000)])
        #expect(search.firstUntaken(5, tcp) == 2001)
        #expect(search.firstUntaken(5, bound) == 1025)
        #expect(search.firstUntaken(5, udp) == 1024)
    }
}
