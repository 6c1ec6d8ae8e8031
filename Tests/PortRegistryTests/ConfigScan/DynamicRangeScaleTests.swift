import Testing
@testable import PortRegistryConfigScan
@testable import PortRegistryModel

/// Issue 19, "Hangs": `deploy: {replicas: 12000}` over `"1-65535:80"` was quadratic (each
/// replica stepped through the ports the earlier ones took). The verdicts stay those of the
/// matching; the search jumps (see docs/BENCHMARKS.md for the times).
@Suite struct DynamicRangeScaleTests {
    func dynamic(_ name: String, _ low: Int, _ high: Int, replicas: Int = 1, bind: String = "", line: Int = 1)
        -> PublishedPort
    {
        var port = PublishedPort(
            name: name, identity: name, ports: PortRange(uncheckedLow: low, high: high),
            bind: BindAddress(parsing: bind) ?? .wildcard,
            location: SourceLocation(file: "\(name)/compose.yaml", line: line),
            isDynamic: true, origin: .compose)
        port.replicas = replicas
        return port
    }

    func fixed(_ name: String, _ number: Int, line: Int = 1) -> PublishedPort {
        PublishedPort(
            name: name, identity: name, ports: PortRange(port: number)!,
            location: SourceLocation(file: "\(name)/compose.yaml", line: line), origin: .compose)
    }

    @Test func manyReplicasFitAWideRange() {
        #expect(ConfigCheck.exhaustedRanges([dynamic("a", 1, 65535, replicas: 12000)], fixed: [], .tcp).isEmpty)
    }

    @Test func moreReplicasThanPortsAreReported() {
        let findings = ConfigCheck.exhaustedRanges([dynamic("a", 8000, 8009, replicas: 1_000_000_000)], fixed: [], .tcp)
        #expect(findings.count == 1)
        #expect(findings.first?.message.contains("1000000000 replicas") == true)
    }

    @Test func replicasAndFixedClaimsFillARange() {
        // 8000-8009 minus three fixed ports leaves 7: 7 replicas fit, 8 do not.
        let blockers = [fixed("b", 8001), fixed("c", 8004), fixed("d", 8009)]
        #expect(ConfigCheck.exhaustedRanges([dynamic("a", 8000, 8009, replicas: 7)], fixed: blockers, .tcp).isEmpty)
        let full = ConfigCheck.exhaustedRanges([dynamic("a", 8000, 8009, replicas: 8)], fixed: blockers, .tcp)
        #expect(full.count == 1)
        #expect(full.first?.message.contains("taken by b, c, d") == true, "\(full)")
    }

    @Test func claimsOfOtherBindsDoNotCompete() {
        let claims = [
            dynamic("a", 8000, 8001, replicas: 2, bind: "127.0.0.1"),
            dynamic("b", 8000, 8001, replicas: 2, bind: "127.0.0.2", line: 2),
        ]
        #expect(ConfigCheck.exhaustedRanges(claims, fixed: [], .tcp).isEmpty)
        let wildcard = claims + [dynamic("c", 8000, 8001, line: 3)]
        let findings = ConfigCheck.exhaustedRanges(wildcard, fixed: [], .tcp)
        #expect(findings.count == 1)
    }

    @Test func thousandsOfEntriesOnOneRange() {
        // 3000 one-container entries on 1-3000 fit exactly; one more does not.
        var claims = (0..<3000).map { dynamic("s\($0)", 1, 3000, line: $0 + 1) }
        #expect(ConfigCheck.exhaustedRanges(claims, fixed: [], .tcp).isEmpty)
        claims.append(dynamic("last", 1, 3000, line: 4000))
        #expect(ConfigCheck.exhaustedRanges(claims, fixed: [], .tcp).count == 1)
    }

    @Test func manyAddressesEachFillTheirOwnRange() {
        // 500 addresses, each with 2 replicas on a 2-port range: all fit; a wildcard claim
        // on the same range meets every address and finds no port.
        var claims = (0..<500).map {
            dynamic("s\($0)", 8000, 8001, replicas: 2, bind: "127.0.\($0 / 250).\($0 % 250 + 1)", line: $0 + 1)
        }
        #expect(ConfigCheck.exhaustedRanges(claims, fixed: [], .tcp).isEmpty)
        claims.append(dynamic("zz", 8000, 8001, line: 600))
        let findings = ConfigCheck.exhaustedRanges(claims, fixed: [], .tcp)
        #expect(findings.count == 1)
    }
}
