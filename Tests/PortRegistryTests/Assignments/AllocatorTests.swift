import PortRegistryStorage
import PortregTestSupport
import Testing
@testable import PortRegistry
@testable import PortRegistryAssignments
@testable import PortRegistryCatalog
@testable import PortRegistryModel

@testable import PortRegistry

/// A small, fast, seeded generator (Steele, Lea and Flood's SplitMix64), so that a failing
/// case can be replayed from its seed.
struct SplitMix64: RandomNumberGenerator {
    private var state: UInt64

    init(seed: UInt64) { state = seed }

    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

extension Array {
    func pick(_ random: inout SplitMix64) -> Element { self[Int.random(in: 0..<count, using: &random)] }
}

/// Lease ends that are safely in the past and in the future whatever the clock says.
enum Lease {
    static let expired = "2000-01-01T00:00:00Z"
    static let live = "2999-01-01T00:00:00Z"
}

/// A port range from literals known to be valid.
func portRange(_ low: Int, _ high: Int? = nil) -> PortRange {
    PortRange(uncheckedLow: low, high: high ?? low)
}

func hostScope(_ name: String) -> HostScope { HostScope(parsing: name) ?? .everywhere }

func bindAddress(_ text: String) -> BindAddress { BindAddress(parsing: text) ?? .wildcard }

/// Records assignments in one transaction.
func recordAssignments(_ assignments: [Assignment], in registry: Registry) throws {
    try registry.write {
        let store = AssignmentStore(database: registry.database)
        for assignment in assignments { try store.insert(assignment) }
    }
}

/// An in-memory registry whose iana and common sources hold only `catalog`.
func makeRegistry(catalog: [CatalogEntry] = []) throws -> Registry {
    let registry = try Registry.inMemory()
    try registry.write {
        let store = CatalogStore(database: registry.database)
        for source in [CatalogSource.iana, .common] {
            _ = try store.replace(
                source: source, with: catalog.filter { $0.source == source }, origin: "test", sha256: nil)
        }
    }
    return registry
}

/// A fake `isFreeNow`: the ports in `busy` are taken; every call is remembered.
final class FakeProbe {
    var busy: Set<Int>
    var calls: [Int] = []

    init(busy: Set<Int> = []) { self.busy = busy }

    func isFree(_ port: Int, _ transport: TransportProtocol, _ bind: BindAddress) -> Bool {
        calls.append(port)
        return !busy.contains(port)
    }
}

func makeAllocator(_ registry: Registry, ephemeral: PortRange?, probe: FakeProbe) -> TestAllocator {
    TestAllocator(registry: registry, allocator: Allocator(ephemeral: ephemeral, isFreeNow: probe.isFree))
}

/// What the allocator must decide, computed the slow and obvious way.
struct AllocationOracle {
    var registrations: [CatalogEntry]
    var assignments: [Assignment]
    var ephemeral: PortRange?
    var busy: Set<Int>
    var now: Timestamp

    init(registry: Registry, ephemeral: PortRange?, busy: Set<Int>) throws {
        let catalog = CatalogStore(database: registry.database)
        registrations = try (catalog.rows(of: .iana) + catalog.rows(of: .common)).filter {
            $0.service != nil && $0.ports != nil
        }
        let store = AssignmentStore(database: registry.database)
        now = store.now()
        assignments = try store.list(AssignmentFilter(includeExpired: true), now: now)
        self.ephemeral = ephemeral
        self.busy = busy
    }

    /// Why `port` cannot be given to `request`, or nil when it can.
    func obstacle(_ port: Int, for request: ReservationRequest) -> String? {
        if port < 1024 { return "privileged" }
        if let ephemeral, ephemeral.contains(port) { return "ephemeral \(ephemeral)" }
        if let holder = assignments.first(where: { held in
            !held.isExpired(now: now) && held.transport == request.transport && held.ports.contains(port)
                && held.host.overlaps(request.host) && held.bind.overlaps(request.bind)
        }) {
            return
                "assigned to \(holder.service) \(holder.ports)/\(holder.transport.rawValue) host \(holder.host) bind \(holder.bind)"
        }
        if let entry = registrations.first(where: { $0.ports!.contains(port) && $0.covers(request.transport) }) {
            return "registered to \(entry.service!) (\(entry.source.rawValue))"
        }
        if request.probe && busy.contains(port) { return "busy" }
        return nil
    }

    func isFree(_ block: PortRange, for request: ReservationRequest) -> Bool {
        (block.low...block.high).allSatisfy { obstacle($0, for: request) == nil }
    }

    /// Start ports in the order the allocator walks them: from `origin` up, then wrapping.
    static func order(_ starts: PortRange, origin: Int) -> [Int] {
        Array(origin...starts.high) + (origin > starts.low ? Array(starts.low...(origin - 1)) : [])
    }

    /// The block `reserve` must return, or nil when none is free.
    func expectedReservation(_ request: ReservationRequest, range: PortRange, origin: Int) -> PortRange? {
        let starts = portRange(range.low, range.high - request.count + 1)
        return AllocationOracle.order(starts, origin: origin).lazy
            .map { portRange($0, $0 + request.count - 1) }
            .first { isFree($0, for: request) }
    }

    /// The blocks `freeBlocks` must list: greedy, non-overlapping, from the bottom up.
    func expectedFreeBlocks(_ request: ReservationRequest, range: PortRange, limit: Int) -> [PortRange] {
        var found: [PortRange] = []
        var runStart = range.low
        for port in range.low...range.high where found.count < limit {
            if obstacle(port, for: request) != nil {
                runStart = port + 1
            } else if port - runStart + 1 == request.count {
                found.append(portRange(runStart, port))
                runStart = port + 1
            }
        }
        return found
    }
}

/// One random registry and one request.
struct AllocationScenario: CustomStringConvertible {
    var seed: UInt64
    var range: PortRange
    var ephemeral: PortRange?
    var catalog: [CatalogEntry]
    var system: [CatalogEntry]
    var assignments: [Assignment]
    var busy: Set<Int>
    var request: ReservationRequest

    static let binds = ["*", "::", "0.0.0.0", "127.0.0.1", "127.0.0.2", "::1", "10.0.0.5", "::ffff:127.0.0.1"]
    static let hosts = ["*", "*", "a", "b"]
    // Near the privileged edge, seed catalog rows, x11's range, the ephemeral range and the top.
    static let bases = [990, 1010, 3000, 5420, 5990, 8070, 9000, 20000, 32700, 49100, 60990, 65480]

    init(seed: UInt64, index: Int) {
        self.seed = seed
        var random = SplitMix64(seed: seed)
        let low = AllocationScenario.bases.pick(&random) + Int.random(in: 0...40, using: &random)
        // A quarter of the ranges are wider than the allocator's 128-port query window.
        let wide = Int.random(in: 0..<4, using: &random) == 0
        let high = min(65535, low + Int.random(in: 0...(wide ? 700 : 100), using: &random))
        range = portRange(low, high)

        if Int.random(in: 0..<10, using: &random) < 3 {
            ephemeral = nil
        } else {
            let eLow = max(1, low + Int.random(in: -60...(wide ? 500 : 80), using: &random))
            ephemeral = portRange(eLow, min(65535, eLow + Int.random(in: 0...(wide ? 200 : 50), using: &random)))
        }

        func randomSpan(_ random: inout SplitMix64) -> PortRange {
            let start = min(65535, max(1, Int.random(in: (low - 10)...(high + 10), using: &random)))
            let width = Int.random(in: 0..<10, using: &random) < 7 ? 0 : Int.random(in: 1...8, using: &random)
            return portRange(start, min(65535, start + width))
        }
        let transports: [TransportProtocol?] = [.tcp, .tcp, .udp, .sctp, .dccp, nil]
        catalog = (0..<Int.random(in: 0...(wide ? 30 : 6), using: &random)).map { number in
            CatalogEntry(
                source: .common, service: Int.random(in: 0..<4, using: &random) == 0 ? nil : "cat\(number)",
                ports: randomSpan(&random), transport: transports.pick(&random), modificationDate: "2026-01-01")
        }
        // /etc/services rows never block a reservation.
        system = (0..<Int.random(in: 0...4, using: &random)).map { number in
            CatalogEntry(
                source: .system, service: "sys\(number)", ports: randomSpan(&random),
                transport: transports.pick(&random))
        }

        assignments = (0..<Int.random(in: 0...(wide ? 150 : 25), using: &random)).map { _ in
            let lease = Int.random(in: 0..<10, using: &random)
            return Assignment(
                service: "svc\(Int.random(in: 0..<8, using: &random))", ports: randomSpan(&random),
                transport: [TransportProtocol.tcp, .tcp, .udp, .sctp].pick(&random),
                host: hostScope(AllocationScenario.hosts.pick(&random)),
                bind: bindAddress(AllocationScenario.binds.pick(&random)),
                expiresAt: lease < 2 ? Lease.expired : lease < 3 ? Lease.live : nil)
        }

        busy = Set((low...high).filter { _ in Int.random(in: 0..<100, using: &random) < 8 })

        request = ReservationRequest(service: "req-\(index)")
        request.range = range
        request.count = min(
            range.count, Int.random(in: 0..<10, using: &random) < 6 ? 1 : Int.random(in: 2...6, using: &random))
        request.transport = [TransportProtocol.tcp, .udp, .sctp].pick(&random)
        request.host = hostScope(AllocationScenario.hosts.pick(&random))
        request.bind = bindAddress(AllocationScenario.binds.pick(&random))
        request.probe = Int.random(in: 0..<10, using: &random) < 8
    }

    var description: String {
        "seed \(seed): \(request.service) count \(request.count) in \(range)/\(request.transport.rawValue) host \(request.host) "
            + "bind \(request.bind) probe \(request.probe), ephemeral \(ephemeral.map(\.description) ?? "none"), "
            + "\(assignments.count) assignments, \(catalog.count) catalog rows, busy \(busy.sorted())"
    }

    /// Puts this scenario's catalog and assignments into `registry` (shared between cases).
    func install(in registry: Registry) throws {
        try registry.write {
            try registry.database.execute("DELETE FROM assignment; DELETE FROM assignment_span;")
            let store = CatalogStore(database: registry.database)
            _ = try store.replace(source: .common, with: catalog, origin: "test", sha256: nil)
            _ = try store.replace(source: .system, with: system, origin: "test", sha256: nil)
            let assignments = AssignmentStore(database: registry.database)
            for assignment in self.assignments { try assignments.insert(assignment) }
        }
    }
}

@Suite struct AllocatorPropertyTests {
    static let cases = 200

    @Test func reservationsObeyEveryRuleOnRandomRegistries() throws {
        let registry = try Registry.inMemory()  // the iana seed stays; common is replaced per case
        var reservedCount = 0
        var refusedCount = 0
        for index in 0..<AllocatorPropertyTests.cases {
            let scenario = AllocationScenario(seed: 0x5EED_0000 + UInt64(index), index: index)
            try scenario.install(in: registry)
            let probe = FakeProbe(busy: scenario.busy)
            let allocator = makeAllocator(registry, ephemeral: scenario.ephemeral, probe: probe)
            let oracle = try AllocationOracle(registry: registry, ephemeral: scenario.ephemeral, busy: scenario.busy)
            let request = scenario.request
            let starts = portRange(scenario.range.low, scenario.range.high - request.count + 1)
            let origin = allocator.preferredStart(for: request.service, in: starts)
            #expect(starts.contains(origin), "\(scenario)")
            let expected = oracle.expectedReservation(request, range: scenario.range, origin: origin)
            let store = AssignmentStore(database: registry.database)
            let countBefore = try store.count()

            let reservation: Reservation
            do {
                reservation = try allocator.reserve(request)
            } catch let error as RegistryError {
                refusedCount += 1
                #expect(error.kind == .refused, "\(error) — \(scenario)")
                #expect(
                    error.message.contains("; try --range ")
                        || error.message.contains("release ports with portreg remove"),
                    "\(error)")
                if let text = error.message.split(separator: "; try --range ").dropFirst().first?.split(separator: " ")
                    .first, let suggested = PortRange(parsing: String(text))
                {
                    var retry = request
                    retry.range = suggested
                    #expect(suggested != scenario.range, "\(error)")
                    #expect(try allocator.freeBlocks(retry, limit: 1).count == 1, "the suggestion is refused: \(error)")
                }
                #expect(
                    expected == nil, "refused, but \(expected.map(\.description) ?? "") is free — \(scenario): \(error)"
                )
                #expect(try store.count() == countBefore, "a refusal recorded something")
                continue
            }
            reservedCount += 1
            let got = reservation.assignment
            #expect(!reservation.reused, "\(scenario)")
            #expect(got.ports.count == request.count, "\(scenario)")
            #expect(
                scenario.range.contains(got.ports.low) && scenario.range.contains(got.ports.high),
                "\(got.ports) — \(scenario)")
            for port in got.ports.low...got.ports.high {
                if let obstacle = oracle.obstacle(port, for: request) {
                    Issue.record("reserved \(got.ports), but \(port) is \(obstacle) — \(scenario)")
                }
            }
            #expect(
                got.ports == expected, "expected the first free block from the preferred start \(origin) — \(scenario)")
            #expect(got.service == request.service && got.transport == request.transport)
            #expect(got.host == request.host && got.bind == request.bind)
            #expect(got.id != nil && Timestamp.isValid(got.createdAt))
            for port in probe.calls { #expect(scenario.range.contains(port), "probed \(port) outside the range") }
            if !request.probe { #expect(probe.calls.isEmpty, "probed with probe off") }
            // Never a collision with a live assignment in an overlapping scope, whoever holds it.
            let now = store.now()
            for held in scenario.assignments where !held.isExpired(now: now) {
                let shared =
                    held.transport == got.transport && held.ports.overlaps(got.ports)
                    && held.host.overlaps(got.host) && held.bind.overlaps(got.bind)
                #expect(!shared, "\(got.ports) overlaps \(held.service) \(held.ports) — \(scenario)")
            }
            #expect(try store.count() == countBefore + 1)

            // Idempotent: asking again gives the same assignment back and records nothing.
            let again = try allocator.reserve(request)
            #expect(again.reused, "\(scenario)")
            #expect(again.assignment == got, "\(scenario)")
            #expect(try store.count() == countBefore + 1)
        }
        // The generator must exercise both outcomes, or the property says little.
        #expect(reservedCount > AllocatorPropertyTests.cases / 2)
        #expect(refusedCount > 0)
    }

    @Test func freeBlocksListsOnlyFreeBlocksOnRandomRegistries() throws {
        let registry = try Registry.inMemory()
        var nonEmpty = 0
        for index in 0..<AllocatorPropertyTests.cases {
            let scenario = AllocationScenario(seed: 0xF4EE_0000 + UInt64(index), index: index)
            try scenario.install(in: registry)
            let allocator = makeAllocator(
                registry, ephemeral: scenario.ephemeral, probe: FakeProbe(busy: scenario.busy))
            let oracle = try AllocationOracle(registry: registry, ephemeral: scenario.ephemeral, busy: scenario.busy)
            let limit = 1 + index % 12
            let blocks = try allocator.freeBlocks(scenario.request, limit: limit)
            if !blocks.isEmpty { nonEmpty += 1 }
            for block in blocks {
                #expect(block.count == scenario.request.count, "\(block) — \(scenario)")
                #expect(
                    scenario.range.contains(block.low) && scenario.range.contains(block.high), "\(block) — \(scenario)")
                for port in block.low...block.high {
                    if let obstacle = oracle.obstacle(port, for: scenario.request) {
                        Issue.record("listed \(block) as free, but \(port) is \(obstacle) — \(scenario)")
                    }
                }
            }
            #expect(blocks.count <= limit)
            #expect(zip(blocks, blocks.dropFirst()).allSatisfy { $0.high < $1.low }, "sorted and disjoint: \(blocks)")
            #expect(
                blocks == oracle.expectedFreeBlocks(scenario.request, range: scenario.range, limit: limit),
                "\(scenario)")
            #expect(
                try AssignmentStore(database: registry.database).count() == scenario.distinctClaims,
                "freeBlocks records nothing")
        }
        #expect(nonEmpty > AllocatorPropertyTests.cases / 2)
    }
}

extension AllocationScenario {
    /// Rows stored for the scenario's assignments (an identical claim is updated, not added).
    var distinctClaims: Int {
        Set(assignments.map { "\($0.service)|\($0.ports)|\($0.transport)|\($0.host)|\($0.bind)" }).count
    }
}

@Suite struct AllocatorTests {
    static let range = portRange(20000, 20099)

    func request(_ service: String, count: Int = 1, range: PortRange? = AllocatorTests.range) -> ReservationRequest {
        var request = ReservationRequest(service: service)
        request.count = count
        request.range = range
        return request
    }

    @Test func anEmptyRegistryGivesThePreferredStart() throws {
        let registry = try makeRegistry()
        let allocator = makeAllocator(registry, ephemeral: nil, probe: FakeProbe())
        for name in ["web", "billing-api", "x"] {
            let reservation = try allocator.reserve(request(name, range: nil))
            #expect(reservation.assignment.ports.low == allocator.preferredStart(for: name, in: Allocator.defaultRange))
        }
    }

    @Test func thePreferredStartIsStableForAName() throws {
        let ephemeral = portRange(32768, 60999)
        let first = makeAllocator(try makeRegistry(), ephemeral: ephemeral, probe: FakeProbe())
        let second = makeAllocator(try Registry.inMemory(), ephemeral: ephemeral, probe: FakeProbe())
        let range = Allocator.defaultRange
        var starts = Set<Int>()
        for number in 0..<50 {
            let name = "service-\(number)"
            let start = first.preferredStart(for: name, in: range)
            #expect(second.preferredStart(for: name, in: range) == start)
            #expect(
                first.preferredStart(for: name.uppercased(), in: range) == start, "names compare case-insensitively")
            #expect(range.contains(start) && start >= 1024 && !ephemeral.contains(start), "\(name): \(start)")
            starts.insert(start)
        }
        #expect(starts.count > 40, "a name hash should spread names over the range: \(starts.count) distinct starts")
    }

    @Test func thePreferredStartAvoidsPrivilegedAndEphemeralPorts() throws {
        let allocator = makeAllocator(try makeRegistry(), ephemeral: portRange(2000, 2999), probe: FakeProbe())
        for number in 0..<200 {
            let start = allocator.preferredStart(for: "s\(number)", in: portRange(1000, 3010))
            #expect((1024...1999).contains(start) || (3000...3010).contains(start), "\(start)")
        }
        // With no usable port at all, the start is the bottom of the range.
        #expect(allocator.preferredStart(for: "web", in: portRange(2100, 2200)) == 2100)
    }

    @Test func reserveIsIdempotent() throws {
        let registry = try makeRegistry()
        let allocator = makeAllocator(registry, ephemeral: nil, probe: FakeProbe())
        let store = AssignmentStore(database: registry.database)

        let first = try allocator.reserve(request("api"))
        #expect(!first.reused)
        let again = try allocator.reserve(request("api"))
        #expect(again.reused)
        #expect(again.assignment == first.assignment)
        let otherCase = try allocator.reserve(request("API"))
        #expect(otherCase.reused, "service names compare case-insensitively")
        #expect(otherCase.assignment.id == first.assignment.id)
        #expect(try store.count() == 1)

        var renamedOwner = request("api")
        renamedOwner.owner = "ops"
        let renewed = try allocator.reserve(renamedOwner)
        #expect(
            renewed.reused && renewed.assignment.id == first.assignment.id
                && renewed.assignment.ports == first.assignment.ports)
        #expect(renewed.assignment.owner == "ops")
        #expect(try store.count() == 1)

        // Another shape is another reservation, and does not take the first one's port.
        let block = try allocator.reserve(request("api", count: 4))
        #expect(!block.reused && block.assignment.ports.count == 4)
        #expect(!block.assignment.ports.overlaps(first.assignment.ports))
        var staging = request("api")
        staging.host = hostScope("staging")
        let onStaging = try allocator.reserve(staging)
        #expect(!onStaging.reused && onStaging.assignment.host == hostScope("staging"))
        var udp = request("api")
        udp.transport = .udp
        #expect(try !allocator.reserve(udp).reused)
        #expect(try store.count() == 4)
        // Each of them is reused in turn.
        #expect(try allocator.reserve(request("api", count: 4)).assignment == block.assignment)
        #expect(try allocator.reserve(staging).assignment == onStaging.assignment)
        #expect(try store.count() == 4)
    }

    @Test func anExpiredLeaseIsNotReused() throws {
        let registry = try makeRegistry()
        let allocator = makeAllocator(registry, ephemeral: nil, probe: FakeProbe())
        let origin = allocator.preferredStart(for: "api", in: AllocatorTests.range)
        try recordAssignments(
            [Assignment(service: "api", ports: portRange(origin == 20000 ? 20001 : 20000), expiresAt: Lease.expired)],
            in: registry)
        let reservation = try allocator.reserve(request("api"))
        #expect(!reservation.reused)
        #expect(reservation.assignment.ports == portRange(origin))
    }

    @Test func expiredLeasesDoNotBlock() throws {
        let registry = try makeRegistry()
        let allocator = makeAllocator(registry, ephemeral: nil, probe: FakeProbe())
        let origin = allocator.preferredStart(for: "web", in: AllocatorTests.range)
        try recordAssignments(
            [Assignment(service: "old", ports: portRange(origin), expiresAt: Lease.expired)], in: registry)
        #expect(try allocator.reserve(request("web")).assignment.ports == portRange(origin))
    }

    @Test func liveLeasesBlock() throws {
        let registry = try makeRegistry()
        let allocator = makeAllocator(registry, ephemeral: nil, probe: FakeProbe())
        let origin = allocator.preferredStart(for: "web", in: AllocatorTests.range)
        try recordAssignments(
            [Assignment(service: "current", ports: portRange(origin), expiresAt: Lease.live)], in: registry)
        #expect(try allocator.reserve(request("web")).assignment.ports != portRange(origin))
    }

    @Test(arguments: [(1, 0), (3, 0), (3, 1), (3, 2)])
    func aPortTheProbeReportsBusyIsSkipped(_ count: Int, _ offset: Int) throws {
        let probe = FakeProbe()
        let allocator = makeAllocator(try makeRegistry(), ephemeral: nil, probe: probe)
        let starts = portRange(AllocatorTests.range.low, AllocatorTests.range.high - count + 1)
        let origin = allocator.preferredStart(for: "web", in: starts)
        let busyPort = min(origin + offset, AllocatorTests.range.high)
        probe.busy = [busyPort]
        let expected = try #require(
            AllocationOracle.order(starts, origin: origin).first { !($0...($0 + count - 1)).contains(busyPort) })
        let reservation = try allocator.reserve(request("web", count: count))
        #expect(
            reservation.assignment.ports == portRange(expected, expected + count - 1),
            "busy \(busyPort), origin \(origin)")
        #expect(probe.calls.contains(busyPort))
    }

    @Test func withoutProbingABusyPortIsTaken() throws {
        let probe = FakeProbe()
        let allocator = makeAllocator(try makeRegistry(), ephemeral: nil, probe: probe)
        let origin = allocator.preferredStart(for: "web", in: AllocatorTests.range)
        probe.busy = [origin]
        var unprobed = request("web")
        unprobed.probe = false
        #expect(try allocator.reserve(unprobed).assignment.ports == portRange(origin))
        #expect(probe.calls.isEmpty, "--no-probe must not probe")
    }

    @Test func catalogRegistrationsBlockOnlyTheirProtocol() throws {
        let entries = [
            CatalogEntry(source: .iana, service: "thing-tcp", ports: portRange(20000, 20049), transport: .tcp),
            CatalogEntry(source: .common, service: "thing-both", ports: portRange(20050, 20098), transport: nil),
            CatalogEntry(source: .iana, service: nil, ports: portRange(20099), transport: nil),  // Reserved: no name
        ]
        let allocator = makeAllocator(try makeRegistry(catalog: entries), ephemeral: nil, probe: FakeProbe())
        // tcp: only the unnamed row's port is left.
        #expect(try allocator.reserve(request("a")).assignment.ports == portRange(20099))
        expectRegistryError(.refused) { _ = try allocator.reserve(request("d")) }
        // udp: a row without protocol covers udp, the tcp row does not.
        var udp = request("b")
        udp.transport = .udp
        let origin = allocator.preferredStart(for: "b", in: AllocatorTests.range)
        let expected = AllocationOracle.order(AllocatorTests.range, origin: origin).first {
            !(20050...20098).contains($0)
        }
        #expect(try allocator.reserve(udp).assignment.ports.low == expected)
        // sctp: nothing blocks it.
        var sctp = request("c", count: 2)
        sctp.transport = .sctp
        let sctpStarts = portRange(20000, 20098)
        #expect(try allocator.reserve(sctp).assignment.ports.low == allocator.preferredStart(for: "c", in: sctpStarts))
    }

    @Test func systemCatalogRowsDoNotBlock() throws {
        let registry = try makeRegistry()
        try registry.write {
            _ = try CatalogStore(database: registry.database).replace(
                source: .system,
                with: [
                    CatalogEntry(source: .system, service: "local", ports: portRange(20000, 20099), transport: .tcp)
                ],
                origin: "/etc/services", sha256: nil)
        }
        let allocator = makeAllocator(registry, ephemeral: nil, probe: FakeProbe())
        #expect(
            try allocator.reserve(request("web")).assignment.ports.low
                == allocator.preferredStart(for: "web", in: AllocatorTests.range))
    }

    @Test func anExhaustedRangeIsRefusedWithAWiderRangeSuggested() throws {
        let registry = try makeRegistry()
        try recordAssignments(
            (20000...20004).map { Assignment(service: "other\($0)", ports: portRange($0)) }, in: registry)
        let allocator = makeAllocator(registry, ephemeral: nil, probe: FakeProbe())
        let narrow = portRange(20000, 20004)
        let error = expectRegistryError(.refused) { _ = try allocator.reserve(request("web", range: narrow)) }
        let message = error?.message ?? ""
        #expect(message.contains("20000-20004"), "\(message)")
        #expect(message.contains("5 assigned"), "\(message)")
        let suggestion = try #require(
            message.split(separator: "; try --range ").dropFirst().first?.split(separator: " ").first)
        let other = try #require(PortRange(parsing: String(suggestion)), "\(suggestion)")
        #expect(other != narrow, "the suggestion is never the range asked for")
        #expect(try allocator.freeBlocks(request("web", range: other), limit: 1).count == 1, "reserve accepts it")
        #expect(try AssignmentStore(database: registry.database).count() == 5)

        // A block that does not fit between the holes is refused too.
        try registry.write { _ = try AssignmentStore(database: registry.database).remove(service: "other20001") }
        try registry.write { _ = try AssignmentStore(database: registry.database).remove(service: "other20003") }
        let blockError = expectRegistryError(.refused) {
            _ = try allocator.reserve(request("web", count: 2, range: narrow))
        }
        #expect(
            blockError?.message.contains("block of 2 consecutive ports") == true, "\(String(describing: blockError))")
    }

    @Test func rangesWithNothingAssignableAreRefused() throws {
        let registry = try makeRegistry()
        let allocator = makeAllocator(registry, ephemeral: portRange(32768, 60999), probe: FakeProbe())
        expectRegistryError(.refused) { _ = try allocator.reserve(request("web", range: portRange(33000, 33010))) }
        let privileged = expectRegistryError(.refused) {
            _ = try allocator.reserve(request("web", range: portRange(1, 1023)))
        }
        #expect(privileged?.message.contains("--range 1024-") == true, "\(String(describing: privileged))")
        #expect(try AssignmentStore(database: registry.database).count() == 0)
    }

    @Test func badRequestsAreUsageErrors() throws {
        let registry = try makeRegistry()
        let allocator = makeAllocator(registry, ephemeral: nil, probe: FakeProbe())
        expectRegistryError(.usage) { _ = try allocator.reserve(request("web", count: 0)) }
        expectRegistryError(.usage) { _ = try allocator.reserve(request("web", count: 4097, range: nil)) }
        expectRegistryError(.usage) { _ = try allocator.reserve(request("web", range: portRange(0, 100))) }
        expectRegistryError(.usage) {
            _ = try allocator.reserve(request("web", count: 5, range: portRange(20000, 20003)))
        }
        expectRegistryError(.usage) { _ = try allocator.reserve(request("bad name")) }
        #expect(try AssignmentStore(database: registry.database).count() == 0)
    }

    @Test func freeBlocksSkipsAssignedPorts() throws {
        let registry = try makeRegistry()
        try recordAssignments(
            [
                Assignment(service: "a", ports: portRange(20002)),
                Assignment(service: "b", ports: portRange(20005, 20006)),
            ], in: registry)
        let allocator = makeAllocator(registry, ephemeral: nil, probe: FakeProbe(busy: [20009]))
        var pairs = request("web", count: 2, range: portRange(20000, 20011))
        pairs.probe = false
        #expect(
            try allocator.freeBlocks(pairs, limit: 10) == [
                portRange(20000, 20001), portRange(20003, 20004), portRange(20007, 20008), portRange(20009, 20010),
            ])
        #expect(try allocator.freeBlocks(pairs, limit: 2) == [portRange(20000, 20001), portRange(20003, 20004)])
        pairs.probe = true
        #expect(
            try allocator.freeBlocks(pairs, limit: 10) == [
                portRange(20000, 20001), portRange(20003, 20004), portRange(20007, 20008), portRange(20010, 20011),
            ])
        var singles = request("web", range: portRange(20000, 20006))
        singles.probe = false
        #expect(try allocator.freeBlocks(singles, limit: 10) == [20000, 20001, 20003, 20004].map { portRange($0) })
        #expect(try AssignmentStore(database: registry.database).count() == 2, "freeBlocks records nothing")
    }
}

@Suite struct AllocatorConcurrencyTests {
    /// SPEC: "N parallel processes get N different ports, none lost" — here N connections on
    /// threads, all opening (and so creating) the same new database at once.
    @Test func parallelConnectionsGetDifferentPorts() async throws {
        let directory = try TemporaryDirectory()
        let path = directory.path + "/shared/registry.db"
        let workers = 4
        let perWorker = 10
        let results = try await withThrowingTaskGroup(of: [PortRange].self) { group in
            for worker in 0..<workers {
                group.addTask {
                    let registry = try Registry.open(path: path)
                    let allocator = TestAllocator(
                        registry: registry, allocator: Allocator(ephemeral: nil, isFreeNow: { _, _, _ in true }))
                    var got: [PortRange] = []
                    for number in 0..<perWorker {
                        var request = ReservationRequest(service: "w\(worker)-\(number)")
                        request.range = PortRange(low: 40000, high: 40100)
                        request.count = 1 + number % 3
                        got.append(try allocator.reserve(request).assignment.ports)
                    }
                    return got
                }
            }
            var all: [PortRange] = []
            for try await ports in group { all += ports }
            return all
        }
        #expect(results.count == workers * perWorker)
        let sorted = results.sorted()
        #expect(zip(sorted, sorted.dropFirst()).allSatisfy { !$0.overlaps($1) }, "overlapping reservations: \(sorted)")
        do {
            let registry = try Registry.open(path: path)
            #expect(try AssignmentStore(database: registry.database).count() == workers * perWorker)
            // The seed catalog was loaded once, not once per connection.
            let seeds = try SeedCatalog.entries().reduce(0) { $0 + $1.entries.count }
            #expect(try CatalogStore(database: registry.database).count() == seeds)
        }
        withExtendedLifetime(directory) {}
    }
}
