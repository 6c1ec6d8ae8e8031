import PortregTestSupport
import Testing
@testable import PortRegistryModel

@testable import PortRegistry

/// One side of a pair, as a user would type it.
struct ClaimText: Sendable, CustomStringConvertible {
    var service: String
    var ports: String
    var transport: TransportProtocol = .tcp
    var host = "*"
    var bind = "*"

    init(
        _ service: String, _ ports: String, _ transport: TransportProtocol = .tcp, host: String = "*",
        bind: String = "*"
    ) {
        self.service = service
        self.ports = ports
        self.transport = transport
        self.host = host
        self.bind = bind
    }

    var description: String { "\(service) \(ports)/\(transport.rawValue) host \(host) bind \(bind)" }

    func assignment(sourceLocation: Testing.SourceLocation = #_sourceLocation) throws -> Assignment {
        Assignment(
            service: service,
            ports: try #require(PortRange(parsing: ports), "\(ports)", sourceLocation: sourceLocation),
            transport: transport,
            host: try #require(HostScope(parsing: host), "\(host)", sourceLocation: sourceLocation),
            bind: try #require(BindAddress(parsing: bind), "\(bind)", sourceLocation: sourceLocation))
    }
}

struct CollisionCase: Sendable, CustomTestStringConvertible {
    var a: ClaimText
    var b: ClaimText
    var collide: Bool
    var why: String

    var testDescription: String { "\(collide ? "collide" : "apart"): \(why)" }

    static func bind(_ first: String, _ second: String, _ collide: Bool, _ why: String) -> CollisionCase {
        CollisionCase(
            a: ClaimText("a", "8080", bind: first), b: ClaimText("b", "8080", bind: second), collide: collide,
            why: "bind \(first) vs \(second): \(why)")
    }

    static let table: [CollisionCase] = [
        // Services
        CollisionCase(
            a: ClaimText("web", "8080"), b: ClaimText("web", "8080"), collide: false, why: "the same service twice"),
        CollisionCase(
            a: ClaimText("Web", "8080"), b: ClaimText("web", "8080"), collide: false,
            why: "service names compare case-insensitively"),
        CollisionCase(
            a: ClaimText("web", "8080"), b: ClaimText("api", "8080"), collide: true,
            why: "different services, same socket"),
        CollisionCase(
            a: ClaimText("web", "8080"), b: ClaimText("web-2", "8080"), collide: true,
            why: "a prefix is another service"),
        // Protocols
        CollisionCase(
            a: ClaimText("pg", "5432", .tcp), b: ClaimText("dns", "5432", .udp), collide: false,
            why: "tcp and udp are different ports"),
        CollisionCase(
            a: ClaimText("a", "5432", .udp), b: ClaimText("b", "5432", .udp), collide: true, why: "udp with udp"),
        CollisionCase(
            a: ClaimText("a", "5432", .sctp), b: ClaimText("b", "5432", .tcp), collide: false, why: "sctp and tcp"),
        CollisionCase(
            a: ClaimText("a", "5432", .dccp), b: ClaimText("b", "5432", .dccp), collide: true, why: "dccp with dccp"),
        // Ranges
        CollisionCase(
            a: ClaimText("a", "9000-9009"), b: ClaimText("b", "9005"), collide: true, why: "a port inside a block"),
        CollisionCase(
            a: ClaimText("a", "9000-9009"), b: ClaimText("b", "9009-9020"), collide: true,
            why: "blocks sharing their edge port"),
        CollisionCase(
            a: ClaimText("a", "9000-9009"), b: ClaimText("b", "8990-9000"), collide: true,
            why: "blocks sharing the low edge"),
        CollisionCase(
            a: ClaimText("a", "9000-9009"), b: ClaimText("b", "9010-9019"), collide: false, why: "adjacent blocks"),
        CollisionCase(
            a: ClaimText("a", "9000-9009"), b: ClaimText("b", "8999"), collide: false,
            why: "the port just below a block"),
        CollisionCase(
            a: ClaimText("a", "9000-9100"), b: ClaimText("b", "9040-9050"), collide: true, why: "a block inside a block"
        ),
        CollisionCase(a: ClaimText("a", "8080"), b: ClaimText("b", "8081"), collide: false, why: "neighbouring ports"),
        // Hosts
        CollisionCase(
            a: ClaimText("a", "8080", host: "*"), b: ClaimText("b", "8080", host: "staging"), collide: true,
            why: "* covers every host"),
        CollisionCase(
            a: ClaimText("a", "8080", host: "prod"), b: ClaimText("b", "8080", host: "*"), collide: true,
            why: "* on either side"),
        CollisionCase(
            a: ClaimText("a", "8080", host: "staging"), b: ClaimText("b", "8080", host: "staging"), collide: true,
            why: "the same host"),
        CollisionCase(
            a: ClaimText("a", "8080", host: "Staging"), b: ClaimText("b", "8080", host: "staging"), collide: true,
            why: "hosts compare case-insensitively"),
        CollisionCase(
            a: ClaimText("a", "8080", host: "staging"), b: ClaimText("b", "8080", host: "prod"), collide: false,
            why: "different hosts"),
        CollisionCase(
            a: ClaimText("a", "8080", host: "db1.example.com"), b: ClaimText("b", "8080", host: "db1"), collide: false,
            why: "host names are compared, not resolved"),
        // Binds
        bind("*", "*", true, "wildcards"),
        bind("*", "127.0.0.1", true, "* covers IPv4"),
        bind("*", "::1", true, "* covers IPv6"),
        bind("*", "0.0.0.0", true, "* covers the IPv4 wildcard"),
        bind("::", "127.0.0.1", true, ":: is dual-stack"),
        bind("::", "10.0.0.5", true, ":: is dual-stack"),
        bind("::", "0.0.0.0", true, ":: is dual-stack"),
        bind("::", "::1", true, ":: covers IPv6"),
        bind("::", "::", true, "wildcards"),
        bind("::", "*", true, "wildcards"),
        bind("0.0.0.0", "0.0.0.0", true, "wildcards"),
        bind("0.0.0.0", "127.0.0.1", true, "0.0.0.0 covers IPv4"),
        bind("0.0.0.0", "10.0.0.5", true, "0.0.0.0 covers IPv4"),
        bind("0.0.0.0", "::1", false, "0.0.0.0 is IPv4 only"),
        bind("0.0.0.0", "2001:db8::1", false, "0.0.0.0 is IPv4 only"),
        bind("127.0.0.1", "127.0.0.1", true, "the same address"),
        bind("127.0.0.1", "127.0.0.2", false, "distinct loopbacks"),
        bind("127.0.0.1", "10.0.0.5", false, "distinct addresses"),
        bind("127.0.0.1", "::1", false, "IPv4 and IPv6 loopbacks"),
        bind("::1", "::1", true, "the same address"),
        bind("::1", "0:0:0:0:0:0:0:1", true, "one address, two spellings"),
        bind("::1", "2001:db8::1", false, "distinct IPv6 addresses"),
        bind("::ffff:127.0.0.1", "127.0.0.1", true, "an IPv4-mapped address is the IPv4 address"),
        bind("::ffff:127.0.0.1", "0.0.0.0", true, "an IPv4-mapped address is IPv4"),
        bind("::ffff:127.0.0.1", "::", true, ":: covers it"),
        bind("::ffff:127.0.0.1", "127.0.0.2", false, "distinct loopbacks"),
        bind("::ffff:127.0.0.1", "::1", false, "IPv4 and IPv6 loopbacks"),
        bind("10.0.0.5", "10.0.0.5", true, "the same address"),
        // Everything must hold at once.
        CollisionCase(
            a: ClaimText("a", "9000-9009", .udp, host: "staging", bind: "127.0.0.1"),
            b: ClaimText("b", "9009", .udp, host: "*", bind: "0.0.0.0"), collide: true, why: "every condition holds"),
        CollisionCase(
            a: ClaimText("a", "9000-9009", .udp, host: "staging", bind: "127.0.0.1"),
            b: ClaimText("b", "9009", .udp, host: "prod", bind: "0.0.0.0"), collide: false, why: "all but the host"),
        CollisionCase(
            a: ClaimText("a", "9000-9009", .udp, host: "staging", bind: "127.0.0.1"),
            b: ClaimText("b", "9009", .udp, host: "staging", bind: "::1"), collide: false, why: "all but the bind"),
        CollisionCase(
            a: ClaimText("a", "9000-9009", .udp, host: "staging", bind: "127.0.0.1"),
            b: ClaimText("a", "9009", .udp, host: "staging", bind: "0.0.0.0"), collide: false,
            why: "all but the service"),
    ]
}

@Suite struct CollisionRuleTests {
    @Test(arguments: CollisionCase.table)
    func collisionRule(_ pair: CollisionCase) throws {
        let a = try pair.a.assignment()
        let b = try pair.b.assignment()
        #expect(CollisionRule.collide(a, b) == pair.collide, "\(pair.a) / \(pair.b)")
        #expect(CollisionRule.collide(b, a) == pair.collide, "the rule is symmetric: \(pair.b) / \(pair.a)")
        #expect(a.bind.overlaps(b.bind) == b.bind.overlaps(a.bind))
        #expect(a.host.overlaps(b.host) == b.host.overlaps(a.host))
    }

    @Test func aClaimCollidesWithAnotherServiceOnItself() throws {
        for pair in CollisionCase.table {
            let a = try pair.a.assignment()
            var other = a
            other.service = a.service + "-other"
            #expect(CollisionRule.collide(a, other), "\(pair.a)")
        }
    }

    @Test func theCollisionNamesTheSharedPorts() throws {
        let collision = Collision(
            first: try ClaimText("a", "9000-9009").assignment(), second: try ClaimText("b", "9005-9020").assignment())
        #expect(collision.ports == PortRange(low: 9005, high: 9009))
    }
}

@Suite struct BindAddressTests {
    @Test(arguments: [
        ("*", "*", BindAddress.Kind.any),
        ("", "*", .any),
        ("::", "::", .any),
        ("[::]", "::", .any),
        ("0:0:0:0:0:0:0:0", "::", .any),
        ("0.0.0.0", "0.0.0.0", .anyIPv4),
        ("::ffff:0.0.0.0", "0.0.0.0", .anyIPv4),
        ("127.0.0.1", "127.0.0.1", .ipv4),
        ("10.0.0.5", "10.0.0.5", .ipv4),
        ("255.255.255.255", "255.255.255.255", .ipv4),
        ("::ffff:127.0.0.1", "127.0.0.1", .ipv4),
        ("::FFFF:7f00:1", "127.0.0.1", .ipv4),
        ("[::ffff:10.0.0.5]", "10.0.0.5", .ipv4),
        ("::1", "::1", .ipv6),
        ("[::1]", "::1", .ipv6),
        ("0:0:0:0:0:0:0:1", "::1", .ipv6),
        ("2001:DB8:0:0:0:0:0:1", "2001:db8::1", .ipv6),
        ("fe80::0001", "fe80::1", .ipv6),
        ("::127.0.0.1", "::127.0.0.1", .ipv6),
    ])
    func parsesToCanonicalForm(_ raw: String, _ canonical: String, _ kind: BindAddress.Kind) throws {
        let bind = try #require(BindAddress(parsing: raw), "\(raw)")
        #expect(bind.text == canonical)
        #expect(bind.description == canonical)
        #expect(bind.kind == kind)
        #expect(bind.isWildcard == (kind == .any || kind == .anyIPv4))
        // The canonical form parses to itself.
        #expect(BindAddress(parsing: canonical) == bind)
    }

    @Test(arguments: [
        "localhost", "example.com", "db1", "127.0.0.256", "127.0.0", "127.1", "1.2.3.4.5", "::g", "1:2:3:4:5:6:7:8:9",
        " 127.0.0.1", "127.0.0.1 ", "127.0.0.1:8080", "[::1]:8080", "fe80::1%eth0", "**", "0.0.0.0/0", "[", "[]x",
    ])
    func refusesHostNamesAndMalformedAddresses(_ raw: String) {
        #expect(BindAddress(parsing: raw) == nil, "\(raw)")
    }

    @Test func spellingsOfOneAddressAreEqual() {
        #expect(BindAddress(parsing: "::ffff:127.0.0.1") == BindAddress(parsing: "127.0.0.1"))
        #expect(BindAddress(parsing: "[::1]") == BindAddress(parsing: "0::1"))
        #expect(BindAddress(parsing: "") == BindAddress.wildcard)
        #expect(BindAddress(parsing: "::") != BindAddress.wildcard, "'::' keeps its own spelling")
        #expect(BindAddress(parsing: "0.0.0.0") != BindAddress(parsing: "::"))
    }
}

@Suite struct HostScopeTests {
    @Test(arguments: [
        ("*", "*"), ("staging", "staging"), ("Staging", "staging"), ("DB1.Example.COM", "db1.example.com"),
        ("eu-west_1", "eu-west_1"), ("zürich", "zürich"),
    ])
    func parses(_ raw: String, _ name: String) throws {
        let host = try #require(HostScope(parsing: raw))
        #expect(host.name == name)
        #expect(host.description == name)
        #expect(host.isEverywhere == (name == "*"))
    }

    @Test(arguments: [
        "", " ", "a b", "a,b", "tab\there", "line\nbreak", "nul\u{0}", "del\u{7F}", String(repeating: "h", count: 254),
    ])
    func refuses(_ raw: String) {
        #expect(HostScope(parsing: raw) == nil, "\(raw.debugDescription)")
    }

    @Test func accepts253Characters() {
        #expect(HostScope(parsing: String(repeating: "h", count: 253)) != nil)
    }

    @Test func overlaps() throws {
        let everywhere = HostScope.everywhere
        let staging = try #require(HostScope(parsing: "staging"))
        let prod = try #require(HostScope(parsing: "prod"))
        #expect(everywhere.overlaps(staging) && staging.overlaps(everywhere) && everywhere.overlaps(everywhere))
        #expect(staging.overlaps(try #require(HostScope(parsing: "STAGING"))))
        #expect(!staging.overlaps(prod) && !prod.overlaps(staging))
        #expect(HostScope(parsing: "*") == everywhere)
    }
}

@Suite struct ServiceNameTests {
    @Test(arguments: [
        "web", "billing-api.worker_2", "3com-tsmux", "a", "A1", "x11", String(repeating: "s", count: 63), "Web.API",
    ])
    func accepts(_ name: String) throws {
        #expect(try ServiceName.validate(name) == name)
    }

    @Test(arguments: [
        "", "-web", "_web", ".web", "web app", "web/1", "web:1", "wéb", "ｗｅｂ", "web\n",
        String(repeating: "s", count: 64), "naïve", "web*",
    ])
    func refuses(_ name: String) {
        let error = expectRegistryError(.usage) { _ = try ServiceName.validate(name) }
        #expect(error?.message.contains("invalid service name") == true)
    }
}

@Suite struct PortRangeTests {
    @Test(arguments: [
        ("8080", 8080, 8080), ("0", 0, 0), ("1", 1, 1), ("65535", 65535, 65535), ("6000-6063", 6000, 6063),
        ("9000-9000", 9000, 9000), ("0-65535", 0, 65535), ("080", 80, 80),
    ])
    func parses(_ text: String, _ low: Int, _ high: Int) throws {
        let range = try #require(PortRange(parsing: text))
        #expect(range.low == low && range.high == high)
        #expect(range.count == high - low + 1)
        #expect(range.isSinglePort == (low == high))
    }

    @Test(arguments: [
        "", "65536", "70000", "123456", "9000-8000", "-1", "-", "1-", "-5", "+80", " 80", "80 ", "80/tcp",
        "8080-9000-10000",
        "1--2", "0x50", "٣", "8e3", "1,2",
    ])
    func refuses(_ text: String) {
        #expect(PortRange(parsing: text) == nil, "\(text)")
    }

    @Test func boundsAndRelations() throws {
        #expect(PortRange(low: 5, high: 4) == nil)
        #expect(PortRange(low: -1, high: 4) == nil)
        #expect(PortRange(port: 65536) == nil)
        let block = try #require(PortRange(low: 9000, high: 9009))
        #expect(block.contains(9000) && block.contains(9009) && !block.contains(8999) && !block.contains(9010))
        #expect(block.overlaps(try #require(PortRange(port: 9009))))
        #expect(!block.overlaps(try #require(PortRange(port: 9010))))
        #expect(block.description == "9000-9009")
        #expect(try #require(PortRange(port: 80)).description == "80")
    }
}

@Suite struct TimestampTests {
    @Test(arguments: [
        "2026-11-27T10:00:00Z", "2024-02-29T00:00:00Z", "2000-02-29T23:59:59Z", "1970-01-01T00:00:00Z",
        "2026-12-31T23:59:60Z",
        "9999-12-31T23:59:59Z", "2026-04-30T12:30:45Z",
    ])
    func accepts(_ text: String) {
        #expect(Timestamp.isValid(text), "\(text)")
    }

    @Test(arguments: [
        "2026-02-29T00:00:00Z", "1900-02-29T00:00:00Z", "2100-02-29T00:00:00Z", "2026-04-31T00:00:00Z",
        "2026-13-01T00:00:00Z",
        "2026-00-01T00:00:00Z", "2026-01-00T00:00:00Z", "2026-01-32T00:00:00Z", "2026-01-01T24:00:00Z",
        "2026-01-01T10:60:00Z",
        "2026-01-01T10:00:61Z", "2026-01-01 10:00:00Z", "2026-01-01T10:00:00", "2026-01-01T10:00:00+00:00",
        "2026-01-01T10:00:00.5Z",
        "2026-1-01T10:00:00Z", "", "2026-01-01", "abcd-ef-ghTij:kl:mnZ", "2026-01-01t10:00:00z", "2026-01-01T10:00:00z",
        "+026-01-01T10:00:00Z", "2026-01-01T1a:00:00Z", "２026-01-01T10:00:00Z",
    ])
    func refuses(_ text: String) {
        #expect(!Timestamp.isValid(text), "\(text)")
    }
}

@Suite struct DurationTests {
    @Test(arguments: [
        ("90s", 90), ("30m", 1800), ("2h", 7200), ("1h30m", 5400), ("7d", 604_800), ("1w", 604_800),
        ("1w2d3h4m5s", 604_800 + 2 * 86_400 + 3 * 3600 + 4 * 60 + 5), ("0h1s", 1),
    ])
    func parses(_ text: String, _ seconds: Int) throws {
        #expect(try LeaseDuration.seconds(parsing: text) == seconds)
    }

    @Test(arguments: [
        "", "90", "h", "s90", "1x", "1.5h", "-1h", "0s", "0h0m", "1h 30m", " 1h", "1H", "１h", "1hh", "999999999s",
    ])
    func refuses(_ text: String) {
        let error = expectRegistryError(.usage) { _ = try LeaseDuration.seconds(parsing: text) }
        #expect(error?.message.contains("invalid duration '\(text)'") == true, "\(String(describing: error))")
    }
}
