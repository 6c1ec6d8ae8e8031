import Foundation
import PortregTestSupport
import Testing

@Suite("lookup")
struct LookupTests {
    @Test func aPortShowsItsCatalogRows() async throws {
        let cli = try CLI()
        let result = try await cli.run("lookup", "5432")
        result.expect(status: 0, stdout: ["SERVICE", "postgresql"], stderrIsEmpty: true)
        let rows = result.lines.dropFirst().filter { $0.hasPrefix("postgresql") }
        #expect(rows.count == 2, "tcp and udp rows\n\(result)")
        #expect(rows.allSatisfy { $0.contains("5432") && $0.contains("iana") })
    }

    @Test func aPortAndProtocolShowsThatProtocolOnly() async throws {
        let cli = try CLI()
        let result = try await cli.run("lookup", "53/udp", "--format", "csv")
        result.expect(status: 0, stderrIsEmpty: true)
        let rows = result.csvRows
        #expect(!rows.isEmpty, "\(result)")
        #expect(rows.allSatisfy { $0["protocol"] == "udp" }, "\(result)")
        #expect(rows.contains { $0["service"] == "domain" && $0["port"] == "53" }, "\(result)")
    }

    @Test func aRangeShowsEveryRowInsideIt() async throws {
        let cli = try CLI()
        let result = try await cli.run("lookup", "6000-6010/tcp", "--format", "csv")
        result.expect(status: 0, stderrIsEmpty: true)
        let rows = result.csvRows
        #expect(
            rows.contains { $0["service"] == "x11" && $0["port"] == "6000" && $0["port_end"] == "6063" }, "\(result)")
        #expect(rows.allSatisfy { $0["protocol"] == "tcp" }, "\(result)")
        #expect(
            rows.allSatisfy { (Int($0["port_end"] ?? "") ?? 0) >= 6000 && (Int($0["port"] ?? "") ?? .max) <= 6010 },
            "\(result)")
    }

    @Test func aPortInsideACatalogRangeFindsIt() async throws {
        let cli = try CLI()
        let result = try await cli.run("lookup", "6005", "--format", "csv")
        result.expect(status: 0, stderrIsEmpty: true)
        let x11 = result.csvRows.filter { $0["service"] == "x11" }
        #expect(x11.count == 2, "x11 6000-6063 tcp and udp\n\(result)")
        #expect(x11.allSatisfy { $0["port"] == "6000" && $0["port_end"] == "6063" }, "\(result)")
    }

    @Test func namesAreCaseInsensitive() async throws {
        let cli = try CLI()
        let result = try await cli.run("lookup", "POSTGRESQL", "--format", "csv")
        result.expect(status: 0, stderrIsEmpty: true)
        #expect(result.csvRows.count == 2, "\(result)")
        #expect(result.csvRows.allSatisfy { $0["service"] == "postgresql" && $0["port"] == "5432" }, "\(result)")
    }

    @Test func severalQueriesAnswerEachWithAQueryColumn() async throws {
        let cli = try CLI()
        let result = try await cli.run("lookup", "5432", "x11", "53/udp")
        result.expect(status: 0, stdout: ["QUERY", "postgresql", "x11", "6000-6063", "domain"], stderrIsEmpty: true)
        let queries = Set(result.lines.dropFirst().compactMap { $0.split(separator: " ").first.map(String.init) })
        #expect(queries == ["5432", "x11", "53/udp"], "\(result)")
    }

    @Test func dashReadsQueriesFromStandardInput() async throws {
        let cli = try CLI()
        let result = try await cli.run("lookup", "-", "--format", "csv", stdin: "5432\n\n  \nx11\r\n")
        result.expect(status: 0, stderrIsEmpty: true)
        let rows = result.csvRows
        #expect(Set(rows.compactMap { $0["query"] }) == ["5432", "x11"], "\(result)")
        #expect(rows.contains { $0["query"] == "5432" && $0["service"] == "postgresql" }, "\(result)")
        #expect(rows.contains { $0["query"] == "x11" && $0["port"] == "6000" }, "\(result)")
    }

    @Test func jsonIsOneDocumentWithStableKeys() async throws {
        let cli = try CLI()
        let result = try await cli.run("lookup", "5432", "--format", "json")
        result.expect(status: 0, stderrIsEmpty: true)
        let objects = try result.jsonObjects()
        #expect(objects.count == 2, "\(result)")
        for object in objects {
            for key in ["service", "port", "port_end", "protocol", "source", "description"] {
                #expect(object[key] != nil, "missing key \(key)\n\(result)")
            }
        }
        let tcp = try #require(objects.first { $0["protocol"] as? String == "tcp" }, "\(result)")
        #expect(tcp["service"] as? String == "postgresql")
        #expect(tcp["port"] as? Int == 5432, "port is a JSON number")
        #expect(tcp["port_end"] as? Int == 5432)
        #expect(tcp["source"] as? String == "iana")
    }

    @Test func csvHasAHeaderRow() async throws {
        let cli = try CLI()
        let result = try await cli.run("lookup", "5432", "--format", "csv")
        result.expect(status: 0, stderrIsEmpty: true)
        let header = try #require(result.csv.first)
        for key in ["service", "port", "port_end", "protocol", "source", "description"] {
            #expect(header.contains(key), "\(result)")
        }
        #expect(result.csv.count == 3, "header and two rows\n\(result)")
        #expect(result.csv.allSatisfy { $0.count == header.count }, "\(result)")
    }

    @Test func showsLocalAssignmentsToo() async throws {
        let cli = try CLI()
        try await cli.run("add", "billing", "8443", "--owner", "team-pay").expect(status: 0)
        let byName = try await cli.run("lookup", "billing", "--format", "csv")
        byName.expect(status: 0, stderrIsEmpty: true)
        #expect(
            byName.csvRows.contains {
                $0["service"] == "billing" && $0["source"] == "assigned" && $0["owner"] == "team-pay"
            }, "\(byName)")
        let byPort = try await cli.run("lookup", "8443", "--format", "csv")
        byPort.expect(status: 0)
        #expect(byPort.csvRows.contains { $0["service"] == "billing" && $0["source"] == "assigned" }, "\(byPort)")
    }

    @Test func nothingMatchedExitsOneWithANote() async throws {
        let cli = try CLI()
        let result = try await cli.run("lookup", "nosuchthingzz")
        result.expectFailure(1, "nosuchthingzz", "no match")
    }

    @Test func oneUnmatchedQueryAmongMatchesIsNamedButSucceeds() async throws {
        let cli = try CLI()
        let result = try await cli.run("lookup", "5432", "nosuchthingzz")
        result.expect(
            status: 0, stdout: ["postgresql"], stderr: ["nosuchthingzz: no match"], stdoutLacks: ["nosuchthingzz"])
    }

    @Test func aTypoGetsDidYouMean() async throws {
        let cli = try CLI()
        let result = try await cli.run("lookup", "postgrsql")
        result.expectFailure(1, "postgrsql", "did you mean", "postgresql")
    }

    @Test(arguments: ["99999", "9000-8000", "80/xyz", "65536", "80/", "6000-6010/xyz"])
    func anInvalidPortIsAUsageError(_ query: String) async throws {
        let cli = try CLI()
        let result = try await cli.run("lookup", query)
        result.expectFailure(64, "invalid", query)
    }

    @Test func noQueryIsAUsageError() async throws {
        let cli = try CLI()
        let result = try await cli.run("lookup")
        result.expectFailure(64, "QUERY")
    }

    @Test func anUnknownFormatIsAUsageError() async throws {
        let cli = try CLI()
        let result = try await cli.run("lookup", "80", "--format", "xml")
        result.expectFailure(64, "xml")
    }
}

@Suite("search")
struct SearchTests {
    @Test func resultsAreRankedNamesFirst() async throws {
        let cli = try CLI()
        let result = try await cli.run("search", "postgres", "--format", "csv")
        result.expect(status: 0, stderrIsEmpty: true)
        let services = result.csvRows.compactMap { $0["service"] }
        #expect(services.count >= 3, "\(result)")
        #expect(services.first == "postgresql", "the name match ranks first\n\(result)")
        #expect(services.contains("postgrest"), "\(result)")
    }

    @Test func limitCapsTheResults() async throws {
        let cli = try CLI()
        let result = try await cli.run("search", "postgres", "--limit", "1", "--format", "csv")
        result.expect(status: 0, stderrIsEmpty: true)
        #expect(result.csvRows.count == 1, "\(result)")
        #expect(result.csvRows.first?["service"] == "postgresql", "\(result)")
        let table = try await cli.run("search", "postgres", "--limit", "2")
        table.expect(status: 0)
        #expect(table.lines.count == 3, "a header and two rows\n\(table)")
    }

    @Test func aTypoGetsASuggestion() async throws {
        let cli = try CLI()
        let result = try await cli.run("search", "posgresql")
        result.expectFailure(1, "no match", "posgresql", "did you mean", "postgresql")
    }

    @Test func noMatchExitsOne() async throws {
        let cli = try CLI()
        let result = try await cli.run("search", "zzqqxx")
        result.expectFailure(1, "no match for 'zzqqxx'")
    }

    @Test func findsAssignmentsByNoteAndOwner() async throws {
        let cli = try CLI()
        try await cli.run("add", "billing", "8443", "--owner", "team-pay", "--note", "handles invoices").expect(
            status: 0)
        for text in ["invoices", "team-pay"] {
            let result = try await cli.run("search", text, "--format", "csv")
            result.expect(status: 0)
            #expect(result.csvRows.contains { $0["service"] == "billing" && $0["source"] == "assigned" }, "\(result)")
        }
    }

    @Test func aZeroLimitIsAUsageError() async throws {
        let cli = try CLI()
        let result = try await cli.run("search", "postgres", "--limit", "0")
        result.expectFailure(64, "--limit")
    }
}
