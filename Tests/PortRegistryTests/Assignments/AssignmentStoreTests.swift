import PortRegistryStorage
import PortregTestSupport
import Testing
@testable import PortRegistry
@testable import PortRegistryAssignments
@testable import PortRegistryConflicts
@testable import PortRegistryModel

@testable import PortRegistry

@Suite struct AssignmentStoreTests {
    let registry: Registry
    let store: AssignmentStore

    init() throws {
        registry = try Registry.inMemory()
        store = AssignmentStore(database: registry.database)
    }

    func insert(_ assignments: Assignment...) throws {
        try recordAssignments(assignments, in: registry)
    }

    func services(_ filter: AssignmentFilter = AssignmentFilter()) throws -> [String] {
        try store.list(filter, now: store.now()).map(\.service)
    }

    @Test func insertStoresEveryField() throws {
        let stored = try registry.write {
            try store.insert(
                Assignment(
                    service: "billing-api", ports: portRange(9000, 9009), transport: .udp, host: hostScope("Staging"),
                    bind: bindAddress("::ffff:127.0.0.1"), owner: "team-billing", note: "gRPC, \"internal\""))
        }
        let id = try #require(stored.id)
        #expect(Timestamp.isValid(stored.createdAt))
        #expect(stored.expiresAt == nil)
        let listed = try store.list(now: store.now())
        #expect(listed == [stored])
        let back = try #require(listed.first)
        #expect(
            back.id == id && back.service == "billing-api" && back.ports == portRange(9000, 9009)
                && back.transport == .udp)
        #expect(back.host.name == "staging" && back.bind.text == "127.0.0.1")
        #expect(back.owner == "team-billing" && back.note == "gRPC, \"internal\"")
        #expect(try store.count() == 1)
    }

    @Test func anExplicitCreatedAtIsKept() throws {
        let stored = try registry.write {
            try store.insert(Assignment(service: "web", ports: portRange(8080), createdAt: "2020-05-06T07:08:09Z"))
        }
        #expect(stored.createdAt == "2020-05-06T07:08:09Z")
    }

    @Test func listFilters() throws {
        try insert(
            Assignment(service: "web", ports: portRange(8080), host: hostScope("prod"), owner: "alice"),
            Assignment(service: "web", ports: portRange(8081), host: hostScope("staging"), owner: "bob"),
            Assignment(service: "api", ports: portRange(9000), owner: "alice"),
            Assignment(service: "db", ports: portRange(5432), host: hostScope("prod"), owner: "carol"))
        #expect(try services() == ["db", "web", "web", "api"], "export order: by port")
        #expect(try services(AssignmentFilter(service: "web")) == ["web", "web"])
        #expect(
            try services(AssignmentFilter(service: "WEB")) == ["web", "web"], "service names compare case-insensitively"
        )
        #expect(try services(AssignmentFilter(host: "prod")) == ["db", "web"])
        #expect(try services(AssignmentFilter(host: "PROD")) == ["db", "web"], "hosts compare case-insensitively")
        #expect(try services(AssignmentFilter(owner: "alice")) == ["web", "api"])
        #expect(try services(AssignmentFilter(service: "web", host: "staging", owner: "bob")) == ["web"])
        #expect(try services(AssignmentFilter(service: "web", owner: "carol")) == [])
        #expect(try services(AssignmentFilter(service: "nothing")) == [])
    }

    @Test func expiredLeasesAreHiddenUnlessAsked() throws {
        try insert(
            Assignment(service: "old", ports: portRange(8000), expiresAt: Lease.expired),
            Assignment(service: "lease", ports: portRange(8001), expiresAt: Lease.live),
            Assignment(service: "forever", ports: portRange(8002)))
        #expect(try services() == ["lease", "forever"])
        #expect(try services(AssignmentFilter(includeExpired: true)) == ["old", "lease", "forever"])
        #expect(try services(AssignmentFilter(service: "old")) == [])
        #expect(try services(AssignmentFilter(service: "old", includeExpired: true)) == ["old"])
        // Lookups by name and overlap queries both see live leases only.
        #expect(try store.named("old", now: store.now()).isEmpty)
        #expect(try store.named("lease", now: store.now()).count == 1)
        #expect(
            try store.overlapping(portRange(8000, 8002), transport: .tcp, now: store.now()).map(\.service) == [
                "lease", "forever",
            ])
    }

    @Test func aTTLSetsTheExpiryFromTheDatabaseClock() throws {
        let now = store.now()
        let stored = try registry.write {
            try store.insert(Assignment(service: "lease", ports: portRange(8000)), ttlSeconds: 3600)
        }
        let expiry = try #require(stored.expiresAt)
        #expect(Timestamp.isValid(expiry))
        #expect(expiry > now.text)
        #expect(!stored.isExpired(now: now))
        #expect(stored.isExpired(now: Timestamp(parsing: expiry)!))
        #expect(try services() == ["lease"])
    }

    @Test func theSameClaimIsUpdatedInPlace() throws {
        let first = try registry.write {
            try store.insert(
                Assignment(
                    service: "web", ports: portRange(8080), owner: "alice", note: "old", expiresAt: Lease.expired))
        }
        let second = try registry.write {
            try store.insert(Assignment(service: "web", ports: portRange(8080), owner: "bob", note: "new"))
        }
        #expect(second.id == first.id)
        #expect(second.owner == "bob" && second.note == "new")
        #expect(second.expiresAt == nil, "renewing a lease without a TTL makes it permanent")
        #expect(second.createdAt == first.createdAt)
        #expect(try store.count() == 1)
        // Adding it again with no owner or note (`portreg add web 8080`) keeps them.
        let third = try registry.write { try store.insert(Assignment(service: "web", ports: portRange(8080))) }
        #expect(third.owner == "bob" && third.note == "new")
        // Any other field makes another claim.
        try insert(
            Assignment(service: "web", ports: portRange(8080), transport: .udp),
            Assignment(service: "web", ports: portRange(8080), host: hostScope("prod")),
            Assignment(service: "web", ports: portRange(8080), bind: bindAddress("127.0.0.1")),
            Assignment(service: "web", ports: portRange(8080, 8081)))
        #expect(try store.count() == 5)
    }

    @Test func removeDeletesWhatMatches() throws {
        try insert(
            Assignment(service: "web", ports: portRange(8080)),
            Assignment(service: "web", ports: portRange(8081), transport: .udp),
            Assignment(service: "web", ports: portRange(9000, 9009), host: hostScope("prod")),
            Assignment(service: "api", ports: portRange(8082)))
        #expect(try registry.write { try store.remove(service: "nothing") }.isEmpty)
        #expect(try registry.write { try store.remove(service: "web", ports: portRange(7000)) }.isEmpty)
        let inBlock = try registry.write { try store.remove(service: "web", ports: portRange(9005)) }
        #expect(inBlock.map(\.ports) == [portRange(9000, 9009)], "a port inside a block removes the block")
        #expect(
            try store.overlapping(portRange(9000, 9009), transport: .tcp, now: store.now()).isEmpty,
            "the block's span is gone too")
        #expect(try registry.database.scalarInt("SELECT count(*) FROM assignment_span") == 0)
        let udpOnly = try registry.write { try store.remove(service: "web", transport: .udp) }
        #expect(udpOnly.map(\.ports) == [portRange(8081)])
        let rest = try registry.write { try store.remove(service: "WEB") }
        #expect(rest.map(\.ports) == [portRange(8080)])
        #expect(try services() == ["api"])
    }

    @Test func removeNarrowsByHost() throws {
        try insert(
            Assignment(service: "web", ports: portRange(8080), host: hostScope("prod")),
            Assignment(service: "web", ports: portRange(8080), host: hostScope("staging")))
        let removed = try registry.write { try store.remove(service: "web", host: hostScope("staging")) }
        #expect(removed.map(\.host.name) == ["staging"])
        #expect(try store.list(now: store.now()).map(\.host.name) == ["prod"])
    }

    @Test func overlappingFindsSinglePortsAndBlocks() throws {
        try insert(
            Assignment(service: "a", ports: portRange(8080)),
            Assignment(service: "b", ports: portRange(8000, 8100)),
            Assignment(service: "c", ports: portRange(8101, 8200)),
            Assignment(service: "d", ports: portRange(8080), transport: .udp))
        let now = store.now()
        #expect(
            try store.overlapping(portRange(8080), transport: .tcp, now: now).map(\.service).sorted() == ["a", "b"])
        #expect(
            try store.overlapping(portRange(8100, 8101), transport: .tcp, now: now).map(\.service).sorted() == [
                "b", "c",
            ])
        #expect(try store.overlapping(portRange(8080), transport: .udp, now: now).map(\.service) == ["d"])
        #expect(try store.overlapping(portRange(8201, 9000), transport: .tcp, now: now).isEmpty)
        let candidate = Assignment(service: "e", ports: portRange(8080), bind: bindAddress("127.0.0.1"))
        #expect(try store.collisions(with: candidate, now: now).map(\.service).sorted() == ["a", "b"])
        let same = Assignment(service: "A", ports: portRange(8080))
        #expect(try store.collisions(with: same, now: now).map(\.service) == ["b"])
    }
}

@Suite struct CollisionFinderTests {
    /// Random assignments packed into a narrow stretch of ports, so that many overlap.
    static func randomAssignments(seed: UInt64, count: Int) -> [Assignment] {
        var random = SplitMix64(seed: seed)
        let services = ["web", "Web", "api", "db", "cache", "queue", "auth", "mail", "search", "jobs"]
        let hosts = ["*", "*", "prod", "staging", "Prod"]
        return (0..<count).map { _ in
            let low = Int.random(in: 8000...8060, using: &random)
            let width = Int.random(in: 0..<10, using: &random) < 7 ? 0 : Int.random(in: 1...12, using: &random)
            let lease = Int.random(in: 0..<10, using: &random)
            return Assignment(
                service: services.pick(&random), ports: portRange(low, low + width),
                transport: [TransportProtocol.tcp, .tcp, .tcp, .udp, .sctp].pick(&random),
                host: hostScope(hosts.pick(&random)), bind: bindAddress(AllocationScenario.binds.pick(&random)),
                expiresAt: lease == 0 ? Lease.expired : lease == 1 ? Lease.live : nil)
        }
    }

    struct Pair: Hashable, CustomStringConvertible {
        var low: Int
        var high: Int
        init(_ a: Int, _ b: Int) { (low, high) = (min(a, b), max(a, b)) }
        var description: String { "(\(low), \(high))" }
    }

    static func bruteForce(_ stored: [Assignment], now: Timestamp, involving: (Int) -> Bool = { _ in true }) -> Set<
        Pair
    > {
        let live = stored.filter { !$0.isExpired(now: now) }
        var pairs = Set<Pair>()
        for i in live.indices {
            for j in live.indices where j > i && CollisionRule.collide(live[i], live[j]) {
                if involving(live[i].id!) || involving(live[j].id!) { pairs.insert(Pair(live[i].id!, live[j].id!)) }
            }
        }
        return pairs
    }

    @Test(arguments: [UInt64(1), 2, 3, 4, 5])
    func findsExactlyThePairsTheRuleFinds(_ seed: UInt64) throws {
        let registry = try Registry.inMemory()
        try recordAssignments(CollisionFinderTests.randomAssignments(seed: seed, count: 300), in: registry)
        let store = AssignmentStore(database: registry.database)
        let now = store.now()
        let stored = try store.list(AssignmentFilter(includeExpired: true), now: now)
        let expected = CollisionFinderTests.bruteForce(stored, now: now)
        #expect(expected.count > 50, "the generator should make plenty of collisions, made \(expected.count)")

        let collisions = try CollisionFinder(database: registry.database).collisions(now: now)
        let found = collisions.map { Pair($0.first.id!, $0.second.id!) }
        #expect(found.count == Set(found).count, "each pair is reported once")
        let foundSet = Set(found)
        #expect(
            foundSet.subtracting(expected).isEmpty,
            "reported but not colliding: \(foundSet.subtracting(expected).sorted { ($0.low, $0.high) < ($1.low, $1.high) })"
        )
        #expect(
            expected.subtracting(foundSet).isEmpty,
            "colliding but missed: \(expected.subtracting(foundSet).sorted { ($0.low, $0.high) < ($1.low, $1.high) })")
        for collision in collisions {
            #expect(CollisionRule.collide(collision.first, collision.second))
            #expect(collision.first.ports.overlaps(collision.second.ports) && collision.ports.count >= 1)
        }

        // Restricted to some rows: exactly the pairs touching one of them.
        let chosen = Set(stored.compactMap(\.id).filter { $0 % 7 == 0 })
        let restricted = try CollisionFinder(database: registry.database).collisions(now: now) { chosen.contains($0) }
        #expect(
            Set(restricted.map { Pair($0.first.id!, $0.second.id!) })
                == CollisionFinderTests.bruteForce(stored, now: now) { chosen.contains($0) })
    }

    @Test func noAssignmentsNoCollisions() throws {
        let registry = try Registry.inMemory()
        #expect(
            try CollisionFinder(database: registry.database).collisions(
                now: AssignmentStore(database: registry.database).now()
            ).isEmpty)
    }
}

@Suite struct PortAdvisorTests {
    static let ephemeral = portRange(32768, 60999)

    func kinds(
        _ service: String, _ ports: PortRange, _ transport: TransportProtocol = .tcp,
        ephemeral: PortRange? = PortAdvisorTests.ephemeral
    ) throws -> [PortAdvisory.Kind] {
        let registry = try Registry.inMemory()
        let advisor = try PortAdvisor(database: registry.database, ephemeral: ephemeral)
        return advisor.advisories(for: Assignment(service: service, ports: ports, transport: transport)).map(\.kind)
    }

    @Test func registeredToAnotherService() throws {
        let registry = try Registry.inMemory()
        let advisor = try PortAdvisor(database: registry.database, ephemeral: PortAdvisorTests.ephemeral)
        let advisories = advisor.advisories(for: Assignment(service: "myapp", ports: portRange(5432)))
        #expect(advisories.map(\.kind) == [.registered])
        #expect(advisories.first?.message.contains("postgresql") == true, "\(advisories)")
        #expect(advisories.first?.ports == portRange(5432))
        // A port inside a catalog range.
        let x11 = advisor.advisories(for: Assignment(service: "myapp", ports: portRange(6005), transport: .udp))
        #expect(x11.map(\.kind) == [.registered])
        #expect(x11.first?.message.contains("x11") == true, "\(x11)")
        // A common row (vite 5173/tcp).
        #expect(
            advisor.advisories(for: Assignment(service: "myapp", ports: portRange(5173))).map(\.kind) == [.registered])
    }

    @Test func notWhenTheCatalogAgreesOrIsSilent() throws {
        #expect(try kinds("postgresql", portRange(5432)) == [])
        #expect(try kinds("PostgreSQL", portRange(5432)) == [])
        #expect(try kinds("myapp", portRange(5432), .sctp) == [], "the seed registers 5432 for tcp and udp only")
        #expect(try kinds("myapp", portRange(20000)) == [])
    }

    @Test func privileged() throws {
        #expect(try kinds("web", portRange(80)) == [.registered, .privileged])
        #expect(try kinds("http", portRange(80)) == [.privileged])
        #expect(try kinds("myapp", portRange(1023)) == [.privileged])
        #expect(try kinds("myapp", portRange(1000, 1030)).contains(.privileged))
        #expect(try !kinds("myapp", portRange(1024)).contains(.privileged))
    }

    @Test func ephemeral() throws {
        #expect(try kinds("myapp", portRange(40000)) == [.ephemeral])
        #expect(try kinds("myapp", portRange(32760, 32770)).contains(.ephemeral), "a block reaching into the range")
        #expect(
            try kinds("myapp", portRange(32767)) == [.registered], "kube-nodeport, and just below the ephemeral range")
        #expect(try kinds("myapp", portRange(40000), ephemeral: nil) == [], "no ephemeral range known")
    }

    @Test func blocksReportRegisteredPortsOnce() throws {
        let registry = try Registry.inMemory()
        let advisor = try PortAdvisor(database: registry.database, ephemeral: nil)
        let advisories = advisor.advisories(for: Assignment(service: "myapp", ports: portRange(6370, 6380)))
        #expect(advisories.map(\.kind) == [.registered])
        #expect(advisories.first?.message.contains("6379") == true, "\(advisories)")
        #expect(advisor.isRegistered(6379, transport: .tcp))
        #expect(!advisor.isRegistered(6378, transport: .tcp))
        let x11 = advisor.foreignRegistration(portRange(6000, 6063), transport: .tcp) { _ in false }
        #expect(x11?.port == 6000 && x11?.count == 64, "\(String(describing: x11))")
        #expect(advisor.foreignRegistration(portRange(6000, 6063), transport: .tcp) { $0 == "x11" }?.count == nil)
        let whole = advisor.foreignRegistration(portRange(1, 65535), transport: .tcp) { _ in false }
        #expect(whole.map { $0.count > 1000 && $0.count < 65535 } == true, "spans, not a row per port")
    }
}

@Suite struct LeaseClockTests {
    /// The lease runs out when the registry's clock passes its expiry: hidden from `list`,
    /// still exported, and its port free for someone else; no test sleeps for it.
    @Test func aLeaseExpiresWhenTheClockMoves() throws {
        let time = MovableClock()
        let registry = try Registry.inMemory(clock: time.clock)
        var lease = ReservationRequest(service: "preview")
        lease.ttlSeconds = 60
        lease.range = PortRange(low: 20000, high: 20000)
        let allocator = Allocator(ephemeral: nil, isFreeNow: { _, _, _ in true })
        let reserved = try registry.reserve(lease, using: allocator)
        #expect(reserved.assignment.createdAt == "2026-11-27T10:00:00Z")
        #expect(reserved.assignment.expiresAt == "2026-11-27T10:01:00Z")
        func listed(includeExpired: Bool = false) throws -> [String] {
            var names: [String] = []
            try registry.list(AssignmentFilter(includeExpired: includeExpired)) { names.append($0.service) }
            return names
        }
        #expect(try listed() == ["preview"])
        time.advance(seconds: 59)
        #expect(try listed() == ["preview"], "a second before its expiry the lease holds")
        expectRegistryError(.refused) {
            _ = try registry.add(Assignment(service: "next", ports: reserved.assignment.ports))
        }
        time.advance(seconds: 1)
        #expect(try listed().isEmpty, "expired at its expiry time")
        #expect(try listed(includeExpired: true) == ["preview"], "an expired lease stays in the table")
        #expect(try registry.doctor().expiredLeases == 1)
        let successor = try registry.add(Assignment(service: "next", ports: reserved.assignment.ports))
        #expect(successor.overridden.isEmpty)
        #expect(successor.assignment.createdAt == "2026-11-27T10:01:00Z")
    }

    @Test func timestampsRoundTripAndAdd() throws {
        for text in ["1970-01-01T00:00:00Z", "2000-02-29T23:59:59Z", "2026-11-27T10:00:00Z", "9999-12-31T23:59:59Z"] {
            let parsed = try #require(Timestamp(parsing: text))
            #expect(parsed.text == text)
        }
        let start = try #require(Timestamp(parsing: "2026-12-31T23:59:30Z"))
        #expect(start.adding(seconds: 30).text == "2027-01-01T00:00:00Z")
        #expect(start.adding(seconds: 520 * 604_800).text == "2036-12-18T23:59:30Z")
        #expect(Timestamp.latest.adding(seconds: 1) == Timestamp.latest)
        #expect(Timestamp(parsing: "2026-02-30T00:00:00Z") == nil)
    }
}
