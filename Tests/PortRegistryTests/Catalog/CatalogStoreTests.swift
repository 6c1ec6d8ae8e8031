import PortRegistryStorage
import PortregTestSupport
import Testing
@testable import PortRegistry
@testable import PortRegistryCatalog
@testable import PortRegistryFormats
@testable import PortRegistryModel
@testable import PortRegistrySearch

@testable import PortRegistry

/// A catalog row from literals.
func catalogEntry(
    _ source: CatalogSource, _ service: String?, _ low: Int?, _ high: Int? = nil,
    _ transport: TransportProtocol? = .tcp,
    description: String = "", modified: String = "", aliases: [String] = []
) -> CatalogEntry {
    CatalogEntry(
        source: source, service: service, ports: low.map { portRange($0, high ?? $0) }, transport: transport,
        description: description, modificationDate: modified, aliases: aliases)
}

@Suite struct CatalogStoreTests {
    let registry: Registry
    let store: CatalogStore

    init() throws {
        registry = try Registry.inMemory()
        store = CatalogStore(database: registry.database)
    }

    func replace(_ source: CatalogSource, _ entries: [CatalogEntry], sha256: String? = nil) throws
        -> CatalogImportReport
    {
        try CatalogImporter.replace(source: source, with: entries, origin: "test.csv", sha256: sha256, in: registry)
    }

    static let hash1 = String(repeating: "a", count: 64)
    static let hash2 = String(repeating: "b", count: 64)

    @Test func replacingASourceReportsTheDifference() throws {
        let first = try replace(
            .system,
            [
                catalogEntry(.system, "alpha", 7001, modified: "2025-01-01"),
                catalogEntry(.system, "beta", 7002, modified: "2025-03-01"),
                catalogEntry(.system, "beta", 7002, nil, .udp, modified: "2025-02-01"),
                catalogEntry(.system, "gamma", 7003),
            ], sha256: CatalogStoreTests.hash1)
        #expect(first.source == .system && first.rows == 4)
        #expect(first.added == 4 && first.removed == 0 && first.changed == 0)
        #expect(first.releaseDate == "2025-03-01")
        #expect(first.sha256 == CatalogStoreTests.hash1)

        let second = try replace(
            .system,
            [
                catalogEntry(.system, "alpha", 7001, modified: "2025-01-01"),  // unchanged
                // changed (names compare case-insensitively)
                catalogEntry(.system, "BETA", 7002, description: "now described", modified: "2025-03-01"),
                catalogEntry(.system, "beta", 7002, nil, .udp, modified: "2025-02-01"),  // unchanged
                catalogEntry(.system, "delta", 7004, modified: "2026-06-01"),  // added
                catalogEntry(.system, "alpha", 7001, nil, .sctp),  // added: another protocol is another key
                // gamma removed
            ], sha256: CatalogStoreTests.hash2)
        #expect(second.rows == 5)
        #expect(second.added == 2, "\(second)")
        #expect(second.removed == 1, "\(second)")
        #expect(second.changed == 1, "\(second)")
        #expect(second.releaseDate == "2026-06-01")

        #expect(try store.rows(of: .system).map(\.service) == ["alpha", "BETA", "beta", "delta", "alpha"])
        let info = try #require(try store.sources().first { $0.source == .system })
        #expect(
            info.rows == 5 && info.origin == "test.csv" && info.sha256 == CatalogStoreTests.hash2
                && info.releaseDate == "2026-06-01")
        #expect(Timestamp.isValid(info.importedAt))
        // Other sources are untouched.
        #expect(try store.rows(of: .iana) == SeedCatalog.entries().first { $0.source == .iana }?.entries)
    }

    @Test func aDryRunReportsAndChangesNothing() throws {
        let before = try store.rows(of: .iana)
        let report = try CatalogImporter.replace(
            source: .iana, with: [catalogEntry(.iana, "only", 7001)], origin: "x", sha256: nil, in: registry,
            dryRun: true)
        #expect(report.added == 1 && report.removed > 100)
        #expect(try store.rows(of: .iana) == before)
        #expect(try store.sources().first { $0.source == .iana }?.origin == "built-in")
    }

    @Test func aFailedReplaceLeavesTheSourceAsItWas() throws {
        let before = try store.rows(of: .common)
        // An empty name breaks a CHECK.
        let bad = [catalogEntry(.common, "fine", 7001), catalogEntry(.common, "", 7002)]
        #expect(throws: (any Error).self) { _ = try replace(.common, bad) }
        #expect(try store.rows(of: .common) == before)
    }

    @Test func aPortInsideARangeRowFindsIt() throws {
        let x11 = try store.entries(overlapping: portRange(6005))
        #expect(x11.compactMap(\.service).contains("x11"), "\(x11)")
        #expect(Set(x11.filter { $0.service == "x11" }.compactMap(\.transport)) == [.tcp, .udp])
        #expect(try store.entries(overlapping: portRange(6005), transport: .udp).allSatisfy { $0.transport == .udp })
        #expect(
            try store.entries(overlapping: portRange(6063), transport: .tcp).contains { $0.service == "x11" },
            "the high edge")
        #expect(try !store.entries(overlapping: portRange(6064), transport: .tcp).contains { $0.service == "x11" })
        // A query range overlapping the start of a range row.
        #expect(try store.entries(overlapping: portRange(5990, 6000), transport: .tcp).contains { $0.service == "x11" })

        _ = try replace(
            .system, [catalogEntry(.system, "both", 7000, 7010, nil), catalogEntry(.system, "solo", 7005, nil, nil)])
        #expect(
            try store.entries(overlapping: portRange(7005), transport: .udp).compactMap(\.service) == ["both", "solo"])
        #expect(
            try store.entries(overlapping: portRange(7005), transport: .sctp).isEmpty, "no protocol means tcp and udp")
        #expect(try store.entries(overlapping: portRange(7005)).count == 2)
    }

    @Test func entriesNamedMatchesNamesAndAliases() throws {
        _ = try replace(
            .system,
            [
                catalogEntry(.system, "http", 80, nil, nil, aliases: ["www", "www-http"]),
                catalogEntry(.system, "domain", 53, nil, .udp),
            ])
        #expect(try store.entries(named: "www").map(\.service) == ["http"])
        #expect(try store.entries(named: "WWW-HTTP").map(\.service) == ["http"], "aliases compare case-insensitively")
        #expect(try store.entries(named: "www").first?.aliases == ["www", "www-http"])
        let postgres = try store.entries(named: "PostgreSQL")
        #expect(postgres.count == 2 && postgres.allSatisfy { $0.ports == portRange(5432) })
        #expect(try store.entries(named: "http").map(\.source) == [.iana, .iana, .system])
        #expect(try store.entries(named: "nothing-like-this").isEmpty)
    }

    @Test func lookupAnswersPortsRangesAndNames() throws {
        try recordAssignments(
            [
                Assignment(service: "billing", ports: portRange(9000, 9009)),
                Assignment(service: "dns-cache", ports: portRange(5353), transport: .udp),
            ], in: registry)
        let lookup = try Lookup(registry: registry)

        let x11 = try lookup(LookupQuery(parsing: "6005"))
        #expect(x11.matched && x11.catalog.contains { $0.service == "x11" } && x11.assignments.isEmpty)

        let block = try lookup(LookupQuery(parsing: "9005/tcp"))
        #expect(block.assignments.map(\.service) == ["billing"] && block.matched)
        #expect(try lookup(LookupQuery(parsing: "9005/udp")).assignments.isEmpty)
        #expect(
            try lookup(LookupQuery(parsing: "5353")).assignments.map(\.service) == ["dns-cache"],
            "no protocol: every protocol")

        let byName = try lookup(LookupQuery(parsing: "billing"))
        #expect(byName.assignments.map(\.ports) == [portRange(9000, 9009)] && byName.catalog.isEmpty && byName.matched)

        let typo = try lookup(LookupQuery(parsing: "postgrsql"))
        #expect(!typo.matched)
        #expect(typo.suggestions.first == "postgresql", "\(typo.suggestions)")

        _ = try replace(.system, [catalogEntry(.system, nil, 4, nil, nil, description: "Unassigned")])
        let unassigned = try lookup(LookupQuery(parsing: "4"))
        #expect(!unassigned.catalog.isEmpty && !unassigned.matched, "an unnamed row is shown but does not count")
    }

    // An expired lease blocks nothing: neither `lookup PORT` nor `lookup NAME` shows it.
    @Test("lookup by name and by port agree about an expired lease")
    func lookupByNameAndByPortAgreeOnExpiredLeases() throws {
        try recordAssignments(
            [Assignment(service: "tmp", ports: portRange(20000), expiresAt: Lease.expired)], in: registry)
        let lookup = try Lookup(registry: registry)
        let byPort = try lookup(LookupQuery(parsing: "20000"))
        let byName = try lookup(LookupQuery(parsing: "tmp"))
        #expect(byPort.assignments.isEmpty && !byPort.matched)
        #expect(
            byName.assignments.map(\.service) == byPort.assignments.map(\.service), "by name: \(byName.assignments)")
        #expect(byName.matched == byPort.matched)
    }

    @Test(arguments: [
        ("80", LookupQuery.ports(portRange(80), nil)), ("53/UDP", .ports(portRange(53), .udp)),
        ("6000-6010/tcp", .ports(portRange(6000, 6010), .tcp)), (" 0 ", .ports(portRange(0), nil)),
        ("3com-tsmux", .name("3com-tsmux")), ("PostgreSQL", .name("PostgreSQL")),
    ])
    func lookupQueriesParse(_ text: String, _ query: LookupQuery) throws {
        #expect(try LookupQuery(parsing: text) == query)
    }

    @Test(arguments: ["70000", "9000-8000", "53/xyz", "", "  ", "80-"])
    func badLookupQueriesAreUsageErrors(_ text: String) {
        expectRegistryError(.usage) { _ = try LookupQuery(parsing: text) }
    }

    @Test func searchRanksAnExactNameFirst() throws {
        let search = Search(registry: registry)
        let redis = try search("redis")
        guard case .catalog(let top)? = redis.hits.first else {
            Issue.record("no catalog hit first: \(redis.hits)")
            return
        }
        #expect(top.service == "redis", "\(redis.hits)")
        #expect(redis.hits.count > 2, "redis-sentinel and redis-cluster-bus match as prefixes")
        #expect(try search("redis", limit: 1).hits.count == 1)

        try recordAssignments(
            [Assignment(service: "redis", ports: portRange(16000), owner: "cache-team")], in: registry)
        let withAssignment = try search("redis")
        let firstTwo = withAssignment.hits.prefix(2).map { hit -> String in
            switch hit {
            case .catalog(let entry): "catalog \(entry.service ?? "")"
            case .assignment(let assignment): "assignment \(assignment.service)"
            }
        }
        #expect(Set(firstTwo) == ["catalog redis", "assignment redis"], "\(firstTwo)")
        let byOwner = try search("cache-team")
        #expect(byOwner.hits.contains { if case .assignment(let a) = $0 { a.service == "redis" } else { false } })
    }

    @Test func searchSuggestsForATypo() throws {
        let search = Search(registry: registry)
        let result = try search("postgrsql")
        #expect(result.hits.isEmpty)
        #expect(result.suggestions.contains("postgresql"), "\(result.suggestions)")
        // FTS syntax in the text is not an error.
        _ = try search("\"redis* OR (")
        expectRegistryError(.usage) { _ = try search("  --  ") }
    }

    @Test func suggestionsStayClose() throws {
        let suggestions = Suggestions(database: registry.database)
        #expect(try suggestions.closest(to: "redsi").contains("redis"), "a transposition")
        #expect(try suggestions.closest(to: "zzzzzzzz").isEmpty)
        #expect(try suggestions.closest(to: "r").isEmpty)
        #expect(Suggestions.editDistance(Array("kitten".utf8), Array("sitting".utf8), limit: 5) == 3)
        #expect(Suggestions.editDistance(Array("ab".utf8), Array("ba".utf8), limit: 5) == 1)
    }
}

@Suite struct CatalogRealFileTests {
    static func importFile(_ name: String, into registry: Registry) throws -> (CatalogImportReport, String) {
        var reader = try CSVReader(path: name)
        let entries = try CatalogImporter.parseIANA(&reader, source: .iana)
        let report = try CatalogImporter.replace(
            source: .iana, with: entries, origin: name, sha256: reader.sha256, in: registry)
        return (report, reader.sha256)
    }

    @Test(.enabled(if: SharedData.isAvailable, SharedData.skipMessage))
    func importingTheNewerIANAFileReportsItsChanges() throws {
        let registry = try Registry.inMemory()
        let (older, _) = try CatalogRealFileTests.importFile(SharedData.ianaOlder, into: registry)
        #expect(older.rows > 14_000)
        let (report, sha256) = try CatalogRealFileTests.importFile(SharedData.iana, into: registry)
        #expect(report.added == 46, "\(report)")
        #expect(report.removed == 21, "\(report)")
        #expect(report.changed == 29, "\(report)")
        #expect(report.releaseDate == "2026-02-13")

        var hash = SHA256()
        hash.update(try SharedData.bytes(SharedData.iana))
        #expect(sha256 == hash.finalize())
        let row = try registry.database.prepare(
            "SELECT sha256, release_date, row_count, origin FROM catalog_source WHERE name = 'iana'"
        ).rows {
            ($0.optionalText(0), $0.optionalText(1), $0.int(2), $0.text(3))
        }
        #expect(row.count == 1)
        #expect(row.first?.0 == sha256)
        #expect(row.first?.1 == "2026-02-13")
        #expect(row.first?.2 == report.rows)
        #expect(row.first?.3 == SharedData.iana)
        // The common seed is untouched by an IANA import.
        #expect(
            try CatalogStore(database: registry.database).rows(of: .common)
                == SeedCatalog.entries().first { $0.source == .common }?.entries)
        // And lookups work on the full registry.
        #expect(
            try CatalogStore(database: registry.database).entries(overlapping: portRange(6005), transport: .tcp)
                .contains { $0.service == "x11" })
    }
}
