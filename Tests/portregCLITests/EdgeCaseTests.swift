import Foundation
import PortregTestSupport
import Testing

/// Edge cases found in review, each once a bug.
@Suite("edge cases")
struct EdgeCaseTests {
    @Test func exportOverAFileKeepsItsModeAndFollowsALink() async throws {
        let cli = try CLI()
        try await cli.run("add", "web", "8080").expect(status: 0)
        let target = try cli.write("private.csv", "old\n")
        chmod(target, 0o600)
        let link = cli.path("link.csv")
        try FileManager.default.createSymbolicLink(atPath: link, withDestinationPath: "private.csv")
        try await cli.run("export", "-o", link).expect(status: 0, stdoutIsEmpty: true)
        let attributes = try FileManager.default.attributesOfItem(atPath: target)
        #expect((attributes[.posixPermissions] as? Int) == 0o600, "a private file stays private")
        #expect(
            try FileManager.default.destinationOfSymbolicLink(atPath: link) == "private.csv", "the link stays a link")
        #expect(try String(contentsOfFile: target, encoding: .utf8).contains("web,8080,tcp"))
    }

    @Test func exportToStandardOutputByItsDeviceName() async throws {
        let cli = try CLI()
        try await cli.run("add", "web", "8080").expect(status: 0)
        try await cli.run("export", "-o", "/dev/stdout").expect(status: 0, stdout: ["web,8080,tcp"])
        try await cli.run("export", "-o", cli.directory.path).expectFailure(73, "is a directory")
    }

    @Test func aDryRunWithForceSaysWhatWouldBeRecorded() async throws {
        let cli = try CLI()
        try await cli.run("add", "keep", "30000").expect(status: 0)
        let file = try cli.write(
            "f.csv", "service,port,protocol,host,bind,owner,note,created_at,expires_at\nkeep2,30000,tcp,*,*,,,,\n")
        let result = try await cli.run("import", file, "--force", "--dry-run")
        result.expect(status: 0, stderr: ["would be recorded despite collision"], stderrLacks: ["warning: recorded"])
        try await cli.run("list", "--format", "csv").expect(status: 0, stdoutLacks: ["keep2"])
    }

    @Test func nonASCIICapitalsMatchInSearchAndHostFilters() async throws {
        let cli = try CLI()
        try await cli.run("add", "svc1", "24100", "--owner", "ÉQUIPE-Paiement").expect(status: 0)
        try await cli.run("add", "svc2", "24101", "--host", "PRÖD").expect(status: 0)
        try await cli.run("search", "équipe").expect(status: 0, stdout: ["svc1"])
        try await cli.run("search", "ÉQUIPE").expect(status: 0, stdout: ["svc1"])
        try await cli.run("list", "--host", "PRÖD").expect(status: 0, stdout: ["svc2"])
    }

    @Test func aLeaseLongerThanTenYearsIsRefused() async throws {
        let cli = try CLI()
        try await cli.run("add", "big", "20600", "--ttl", "99999999w").expectFailure(64, "at most 10 years")
        try await cli.run("add", "ok", "20601", "--ttl", "520w").expect(status: 0, stdout: ["ok"])
        let list = try await cli.run("list", "--format", "json")
        #expect(try list.jsonObjects().first?["expires_at"] is String, "a long lease still expires")
    }

    @Test func aBadQueryOnStandardInputNamesItsLine() async throws {
        let result = try await CLI().run("lookup", "-", stdin: "80\n70000\n")
        result.expectFailure(65, "<stdin>:2:", "70000")
    }

    @Test func freeRefusesABlockLargerThanItsRange() async throws {
        let result = try await CLI().run("free", "--range", "100-101", "--count", "4")
        #expect(result.status == 64, "\(result)")
        #expect(result.stderr.contains("fewer than --count 4"), "\(result)")
    }

    @Test func leadingZerosAreAPort() async throws {
        try await CLI().run("lookup", "000022").expect(status: 0, stdout: ["ssh"])
    }

    @Test(.enabled(if: SharedData.isAvailable, SharedData.skipMessage))
    func unnamedCatalogRowsHaveNoServiceInJSON() async throws {
        let cli = try CLI()
        try await cli.run("import", SharedData.iana).expect(status: 0)
        let rows = try await cli.run("lookup", "4", "--format", "json").jsonObjects()
        #expect(!rows.isEmpty && rows.allSatisfy { $0["service"] is NSNull }, "\(rows)")
    }
}

@Suite("diagnostics")
struct DiagnosticStyleTests {
    /// argument-parser's own errors read like every other diagnostic, exit 64, usage after.
    @Test(arguments: [["add"], ["lookup", "--limit", "3", "80"], ["search", "x", "--limit", "0"], ["nosuchcommand"]])
    func parserErrorsReadLikeEveryOtherError(_ arguments: [String]) async throws {
        let result = try await CLI().run(arguments)
        result.expectFailure(64)
        #expect(result.stderr.hasPrefix("portreg: error: "), "\(result)")
        #expect(!result.stderr.contains("Error: "), "\(result)")
        #expect(result.stderr.contains("Usage: ") || result.stderr.contains("USAGE: "), "\(result)")
    }

    /// An error with a location prints it first, as compilers do.
    @Test func aDataErrorPrintsFileAndLineFirst() async throws {
        let cli = try CLI()
        let file = cli.path("bad.csv")
        try "service,port,protocol,host,bind,owner,note,created_at,expires_at\nweb,abc,tcp,*,*,,,,\n".write(
            toFile: file, atomically: true, encoding: .utf8)
        let result = try await cli.run("import", file)
        result.expectFailure(65)
        #expect(result.stderr.hasPrefix("\(file):2: error: invalid port 'abc'"), "\(result)")
    }
}
