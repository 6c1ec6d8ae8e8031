import Foundation
import PortregTestSupport
import Testing

import Glibc

private let ianaHeader =
    "Service Name,Port Number,Transport Protocol,Description,Assignee,Contact,Registration Date,Modification Date,Reference,Service Code,Unauthorized Use Reported,Assignment Notes"

/// Issue 9, second part, end to end through the binary: import reports a reviewer can trust,
/// catalog updates that name the assignments they touch, refusals that explain, and the
/// everyday commands (remove --expired, edit, move, list).
@Suite struct AssignmentImportReportTests {
    static let keys = ["kind", "rows", "added", "updated", "unchanged", "removed", "collisions", "dry_run"]

    func report(_ result: CLIResult, sourceLocation: SourceLocation = #_sourceLocation) throws -> [String: Any] {
        let objects = try result.jsonObjects(sourceLocation: sourceLocation)
        #expect(objects.count == 1, "\(result)", sourceLocation: sourceLocation)
        return objects.first ?? [:]
    }

    func seed(_ cli: CLI) async throws {
        try await cli.run("add", "billing", "8080", "--owner", "alpha").expect(status: 0)
        try await cli.run("add", "shop", "9400", "--note", "storefront").expect(status: 0)
        try await cli.run("add", "preview", "9500", "--ttl", "2h").expect(status: 0)
    }

    @Test func reimportingAnIdenticalExportSaysNothingUpdated() async throws {
        let cli = try CLI()
        try await seed(cli)
        let file = try cli.write("ports.csv", try await cli.exported())
        let result = try await cli.run("import", file, "--format", "json", "--verbose")
        result.expect(status: 0, stderrIsEmpty: true)
        let json = try report(result)
        #expect(
            result.stdout.contains(
                "\"kind\": \"assignments\", \"rows\": 3, \"added\": 0, \"updated\": 0, \"unchanged\": 3, \"removed\": 0, \"collisions\": 0, \"dry_run\": false"
            ), "\(result)")
        #expect(Set(json.keys) == Set(Self.keys))
        let table = try await cli.run("import", file)
        table.expect(status: 0, stdout: ["UNCHANGED"])
        #expect(
            table.lines.last?.split(separator: " ", omittingEmptySubsequences: true).map(String.init) == [
                "assignments", "3", "0", "0", "3", "0", "0",
            ], "\(table)")
    }

    @Test func aChangedOwnerIsOneUpdateListedInADryRunAndNothingChanges() async throws {
        let cli = try CLI()
        try await seed(cli)
        let before = try await cli.exported()
        let edited =
            before.replacingOccurrences(of: ",alpha,", with: ",beta,")
            + "search-api,20001,tcp,*,*,team-search,,,\n"
        let file = try cli.write("ports.csv", edited)
        let dry = try await cli.run("import", file, "--dry-run", "--verbose", "--format", "json")
        dry.expect(
            status: 0, stderr: ["~ billing 8080/tcp owner: alpha → beta", "+ search-api 20001/tcp owner: team-search"])
        let json = try report(dry)
        #expect(json["updated"] as? Int == 1 && json["unchanged"] as? Int == 2 && json["added"] as? Int == 1)
        #expect(json["dry_run"] as? Bool == true)
        #expect(!dry.stderr.contains("shop") && !dry.stderr.contains("preview"), "unchanged rows are not listed")
        #expect(try await cli.exported() == before, "a dry run changes nothing")

        let real = try await cli.run("import", file, "-v")
        real.expect(status: 0, stderr: ["~ billing 8080/tcp owner: alpha → beta"])
        let again = try report(try await cli.run("import", file, "--format", "json"))
        #expect(again["updated"] as? Int == 0 && again["unchanged"] as? Int == 4)
    }

    @Test func replaceListsWhatGoesAndCountsIt() async throws {
        let cli = try CLI()
        try await seed(cli)
        let kept = try await cli.exported().split(separator: "\n").filter { !$0.hasPrefix("shop,") }
        let file = try cli.write("ports.csv", kept.joined(separator: "\n") + "\n")
        let result = try await cli.run("import", file, "--replace", "--verbose", "--format", "json")
        result.expect(status: 0, stderr: ["- shop 9400/tcp"])
        let json = try report(result)
        #expect(json["removed"] as? Int == 1 && json["unchanged"] as? Int == 2 && json["updated"] as? Int == 0)
    }

    @Test func verboseTextCannotDriveTheTerminal() async throws {
        let cli = try CLI()
        let file = try cli.write("ports.csv", RegistryCSVText.header + "x,20002,tcp,*,*,\"\u{1B}[31mred\",,,\n")
        let result = try await cli.run("import", file, "--verbose")
        result.expect(status: 0, stderr: ["+ x 20002/tcp owner: \\u{1B}[31mred"])
        #expect(!result.stderr.contains("\u{1B}"))
    }

    /// Bidirectional marks reorder what a terminal shows ("Trojan Source"): `import
    /// --verbose` escapes them as `list` does, through the one escaper.
    @Test func verboseTextEscapesBidirectionalMarks() async throws {
        let cli = try CLI()
        let file = try cli.write(
            "ports.csv", RegistryCSVText.header + "x,20003,tcp,*,*,\"team\u{202E}yap\",\"a\u{200F}b\",,\n")
        let result = try await cli.run("import", file, "--verbose")
        result.expect(status: 0, stderr: ["owner: team\\u{202E}yap", "note: a\\u{200F}b"])
        #expect(!result.stderr.unicodeScalars.contains { $0 == "\u{202E}" || $0 == "\u{200F}" }, "\(result)")
        // The same owner as `list` shows it.
        try await cli.run("list").expect(status: 0, stdout: ["team\\u{202E}yap"])
    }
}

enum RegistryCSVText {
    static let header = "service,port,protocol,host,bind,owner,note,created_at,expires_at\n"
}

@Suite struct ListCSVTests {
    @Test func listCSVIsTheRegistryCSVAndImportsElsewhere() async throws {
        let cli = try CLI()
        try await cli.run("add", "billing", "8080", "--owner", "team, \"pay\"", "--note", "line one\nline two")
            .expect(status: 0)
        try await cli.run("add", "dns", "5353/udp", "--host", "prod", "--bind", "127.0.0.1").expect(status: 0)
        let listed = try await cli.run("list", "--format", "csv")
        listed.expect(status: 0, stderrIsEmpty: true)
        #expect(listed.stdout == (try await cli.exported()), "list --format csv is export's bytes for the same rows")

        let prod = try await cli.run("list", "--host", "prod", "--format", "csv")
        let file = try cli.write("prod.csv", prod.stdout)
        let other = cli.path("other.db")
        try await cli.run("import", file, "--db", other).expect(status: 0)
        let there = try await cli.run("export", "--db", other)
        #expect(there.stdout == prod.stdout, "\(there)")
    }

    @Test func anEmptyListSaysSoOnStderr() async throws {
        let cli = try CLI()
        let table = try await cli.run("list")
        table.expect(status: 0, stderr: ["portreg: no assignments"], stdoutIsEmpty: true)
        let json = try await cli.run("list", "--format", "json")
        json.expect(status: 0, stdout: ["[]"])
        let csv = try await cli.run("list", "--format", "csv")
        csv.expect(status: 0, stdout: [RegistryCSVText.header])
        try await cli.run("add", "billing", "8080").expect(status: 0)
        try await cli.run("list", "--owner", "nobody").expect(
            status: 0, stderr: ["no assignments match"], stdoutIsEmpty: true)
    }
}

@Suite struct CatalogUpdateTests {
    func iana(_ rows: [String]) -> String { ([ianaHeader] + rows).joined(separator: "\r\n") + "\r\n" }

    @Test func aNewReleaseNamesTheAssignmentsItNowRegistersElsewhere() async throws {
        let cli = try CLI()
        let old = try cli.write(
            "old.csv",
            iana([
                "alpha,20100,tcp,Alpha,,,,2024-01-01,,,,", "gone,20300,tcp,Gone,,,,2024-01-01,,,,",
                "kept,20400,tcp,Kept,,,,2024-01-01,,,,",
            ]))
        let new = try cli.write(
            "new.csv",
            iana([
                "alpha,20100,tcp,Alpha,,,,2024-01-01,,,,", "newcomer,20200,tcp,New,,,,2025-06-01,,,,",
                "newblock,20500-20509,,Block,,,,2025-06-01,,,,", "kept,20400,tcp,Kept changed,,,,2025-06-01,,,,",
                "billing,20600,tcp,Billing itself,,,,2025-06-01,,,,",
            ]))
        try await cli.run("import", old, "--source", "common").expect(status: 0)
        try await cli.run("add", "billing", "20200").expect(status: 0)
        try await cli.run("add", "grpc", "20505-20506/udp").expect(status: 0)
        try await cli.run("add", "billing", "20600").expect(status: 0)
        try await cli.run("add", "alpha-user", "20100").expect(status: 0)

        let result = try await cli.run(
            "import", new, "--source", "common", "--dry-run", "--verbose", "--format", "json")
        result.expect(
            status: 0,
            stderr: [
                "warning: billing 20200/tcp (assigned) is now registered to newcomer in common",
                "warning: grpc 20505-20506/udp (assigned) is now registered to newblock in common at 20505",
                "+ common newcomer 20200/tcp", "- common gone 20300/tcp", "~ common kept 20400/tcp",
                "+ common newblock 20500-20509/tcp+udp",
            ],
            stderrLacks: ["alpha-user", "billing 20600/tcp (assigned)"])
        #expect(
            result.stdout.contains(
                "\"newly_registered\": [{\"service\": \"billing\", \"port\": 20200, \"protocol\": \"tcp\", \"registered_to\": [\"newcomer\"]}, {\"service\": \"grpc\", \"port\": 20505, \"protocol\": \"udp\", \"registered_to\": [\"newblock\"]}]"
            ), "\(result)")
        let json = try #require(try result.jsonObjects().first)
        #expect(
            Set(json.keys) == [
                "source", "rows", "added", "removed", "changed", "skipped", "release_date", "sha256", "dry_run",
                "newly_registered",
            ])
        #expect(json["added"] as? Int == 3 && json["removed"] as? Int == 1 && json["changed"] as? Int == 1)

        let quiet = try await cli.run("import", new, "--source", "common")
        quiet.expect(
            status: 0, stderr: ["billing 20200/tcp (assigned) is now registered to newcomer"], stderrLacks: ["+ common"]
        )
        let again = try await cli.run("import", new, "--source", "common", "--format", "json")
        again.expect(status: 0, stdout: ["\"newly_registered\": []"], stderrIsEmpty: true)
    }

    @Test(.enabled(if: SharedData.isAvailable, SharedData.skipMessage))
    func theRealOlderToCurrentIANAReleaseNamesWhatItTouches() async throws {
        let cli = try CLI()
        try await cli.run("import", SharedData.ianaOlder).expect(status: 0)
        let preview = try await cli.run("import", SharedData.iana, "--dry-run", "--verbose")
        preview.expect(status: 0)
        // A registration the current release adds, on one tcp port: our assignment sits there.
        let added = preview.stderr.split(separator: "\n").compactMap { line -> (String, String)? in
            let words = line.split(separator: " ")
            guard words.count == 4, words[0] == "+", words[1] == "iana", words[2] != "(unassigned)",
                words[3].hasSuffix("/tcp"),
                !words[3].contains("-")
            else { return nil }
            return (String(words[2]), String(words[3].dropLast(4)))
        }
        let (name, port) = try #require(added.first, "the current release adds no single tcp port\n\(preview)")
        try await cli.run("add", "our-service", port, "--force").expect(status: 0)
        let result = try await cli.run("import", SharedData.iana, "--format", "json")
        result.expect(status: 0, stderr: ["our-service \(port)/tcp (assigned) is now registered to \(name)"])
        #expect(
            result.stdout.contains(
                "{\"service\": \"our-service\", \"port\": \(port), \"protocol\": \"tcp\", \"registered_to\": [\"\(name)"
            ), "\(result)")
    }
}

@Suite struct RefusalTests {
    /// This host's ephemeral range as the kernel gives it, or nil.
    static let ephemeral: (Int, Int)? = {
        guard let file = fopen("/proc/sys/net/ipv4/ip_local_port_range", "r") else { return nil }
        defer { fclose(file) }
        var low: Int32 = 0
        var high: Int32 = 0
        return withUnsafeMutablePointer(to: &low) { l in
            withUnsafeMutablePointer(to: &high) { h in
                withVaList([l, h]) { vfscanf(file, "%d %d", $0) } == 2 ? (Int(l.pointee), Int(h.pointee)) : nil
            }
        }
    }()

    /// The `--range LO-HI` a refusal suggests.
    func suggestion(_ result: CLIResult) -> String? {
        guard let range = result.stderr.range(of: "try --range ") else { return nil }
        return String(result.stderr[range.upperBound...].prefix { $0.isNumber || $0 == "-" })
    }

    @Test func aFullRangeSaysWhatBlockedItAndSuggestsARangeThatWorks() async throws {
        let cli = try CLI()
        let refused = try await cli.run("reserve", "x", "--range", "30000-32767", "--no-probe")
        refused.expectFailure(
            1, "no free port in 30000-32767", "registered in the catalog (kube-nodeport 30000-32767)",
            "--allow-registered")
        let range = try #require(suggestion(refused), "\(refused)")
        #expect(range != "30000-32767")
        try await cli.run("reserve", "x", "--range", range, "--no-probe").expect(status: 0)

        let deliberate = try await cli.run(
            "reserve", "nodeport-user", "--range", "30000-32767", "--allow-registered", "--no-probe")
        deliberate.expect(status: 0, stderr: ["registered to kube-nodeport"])
        let port = try #require(Int(deliberate.stdout.trimmingCharacters(in: .whitespacesAndNewlines)))
        #expect((30000...32767).contains(port))
    }

    @Test(
        .enabled(
            if: Self.ephemeral.map { $0.0 > 30000 && $0.1 < 65000 } ?? false,
            "this host's ephemeral range (/proc/sys/net/ipv4/ip_local_port_range) is not inside 30000-65000"))
    func theHostsEphemeralRangeIsNamed() async throws {
        let (low, high) = try #require(Self.ephemeral)
        let cli = try CLI()
        let asked = "30000-\(high)"
        let refused = try await cli.run("reserve", "x", "--range", asked, "--no-probe")
        refused.expectFailure(1, "in this host's ephemeral range \(low)-\(high)", "kube-nodeport 30000-32767")
        let range = try #require(suggestion(refused), "\(refused)")
        #expect(range != asked)
        try await cli.run("reserve", "x", "--range", range, "--no-probe").expect(status: 0)
    }

    @Test func freeExplainsToo() async throws {
        let cli = try CLI()
        try await cli.run("add", "billing", "20000-20009").expect(status: 0)
        let refused = try await cli.run("free", "--range", "20000-20009", "--no-probe")
        refused.expect(status: 1, stderr: ["10 assigned", "try --range"], stdoutLacks: ["200"])
        let range = try #require(suggestion(refused), "\(refused)")
        try await cli.run("free", "--range", range, "--no-probe").expect(status: 0)
        let privileged = try await cli.run("free", "--range", "1-1023", "--no-probe")
        privileged.expect(status: 1, stderr: ["1023 privileged (below 1024)"])
    }

    @Test func anAdditionalPortIsSaidOnStderr() async throws {
        let cli = try CLI()
        let first = try await cli.run("reserve", "billing", "--no-probe")
        first.expect(status: 0, stderrIsEmpty: true)
        let tcp = first.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
        let udp = try await cli.run("reserve", "billing", "--proto", "udp", "--no-probe")
        udp.expect(status: 0, stderr: ["billing already holds \(tcp)/tcp; this adds"])
        let again = try await cli.run("reserve", "billing", "--proto", "udp", "--no-probe")
        again.expect(status: 0, stderrIsEmpty: true)
        try await cli.run("reserve", "billing", "--count", "2", "--no-probe").expect(
            status: 0, stderr: ["billing already holds \(tcp)/tcp, "])
    }

    @Test func longListsOfRegisteredNamesEndWithAndMore() async throws {
        let cli = try CLI()
        let result = try await cli.run("add", "mine", "8080")
        result.expect(status: 0, stderr: ["8080/tcp is registered to http-alt, "])
        #expect(
            result.stderr.range(
                of: #"registered to [^,]+, [^,]+, [^,]+ and \d+ more in the catalog"#, options: .regularExpression)
                != nil, "\(result)")
    }
}

@Suite struct EverydayCommandTests {
    @Test func removeExpiredPrunesLeasesInOneGo() async throws {
        let cli = try CLI()
        let file = try cli.write(
            "ports.csv",
            RegistryCSVText.header + "old-a,20001,tcp,*,*,,,2020-01-01T00:00:00Z,2020-01-02T00:00:00Z\n"
                + "old-b,20002-20003,tcp,*,*,,,2020-01-01T00:00:00Z,2020-01-02T00:00:00Z\n"
                + "live,20004,tcp,*,*,,,2020-01-01T00:00:00Z,9999-01-01T00:00:00Z\n"
                + "forever,20005,tcp,*,*,,,2020-01-01T00:00:00Z,\n")
        try await cli.run("import", file).expect(status: 0)
        let removed = try await cli.run("remove", "--expired", "--format", "csv")
        removed.expect(status: 0)
        #expect(removed.csvRows.map { $0["service"] ?? "" } == ["old-a", "old-b"], "\(removed)")
        let left = try await cli.run("list", "--all", "--format", "csv")
        #expect(left.csvRows.map { $0["service"] ?? "" } == ["live", "forever"])
        try await cli.run("remove", "--expired").expect(status: 0, stderr: ["no expired leases"], stdoutIsEmpty: true)
        try await cli.run("remove", "--expired", "billing").expectFailure(64, "--expired")
        try await cli.run("remove").expectFailure(64, "service")
        try await cli.run("doctor").expect(status: 0)
    }

    @Test func editAndMoveChangeOneClaimInPlace() async throws {
        let cli = try CLI()
        try await cli.run("add", "billing", "8080", "--owner", "alpha", "--note", "api", "--ttl", "2h").expect(
            status: 0)
        let before = try await cli.run("list", "--format", "csv").csvRows[0]
        let moved = try await cli.run("move", "billing", "18090", "--format", "csv")
        moved.expect(status: 0)
        let after = moved.csvRows[0]
        #expect(after["port"] == "18090" && after["owner"] == "alpha" && after["note"] == "api")
        #expect(after["created_at"] == before["created_at"] && after["expires_at"] == before["expires_at"])
        try await cli.run("lookup", "8080", "--format", "csv").expect(status: 0, stdoutLacks: ["billing"])

        try await cli.run("edit", "billing", "--owner", "beta", "--note", "").expect(status: 0, stdout: ["beta"])
        let edited = try await cli.run("list", "--format", "csv").csvRows[0]
        #expect(edited["owner"] == "beta" && edited["note"] == "" && edited["port"] == "18090")

        try await cli.run("add", "shop", "18100").expect(status: 0)
        let exported = try await cli.exported()
        try await cli.run("mv", "billing", "18100").expectFailure(1, "collides with shop", "nothing changed")
        #expect(try await cli.exported() == exported, "a refused move changes nothing")
        try await cli.run("move", "billing", "18100", "--force").expect(
            status: 0, stderr: ["changed despite collision with shop"])
        try await cli.run("conflicts").expect(status: 1)
        try await cli.run("doctor").expect(status: 0)
    }

    @Test func editPicksOneClaimOrSaysWhichOnesThereAre() async throws {
        let cli = try CLI()
        try await cli.run("add", "dns", "20053/tcp").expect(status: 0)
        try await cli.run("add", "dns", "20053/udp").expect(status: 0)
        try await cli.run("edit", "dns", "--owner", "x").expectFailure(64, "dns holds 2 assignments", "say which one")
        try await cli.run("edit", "dns", "20053/udp", "--port", "20054-20057").expect(
            status: 0, stdout: ["20054-20057"])
        let listed = try await cli.run("list", "--format", "csv")
        #expect(
            listed.csvRows.map { "\($0["port"] ?? "")/\($0["protocol"] ?? "")" } == ["20053/tcp", "20054-20057/udp"])
        try await cli.run("edit", "dns", "20053/tcp", "--port", "20054-20057/udp").expectFailure(1, "already holds")
        try await cli.run("edit", "nobody", "--owner", "x").expectFailure(1, "no live assignment of nobody")
        try await cli.run("edit", "dns").expectFailure(64, "nothing to change")
        try await cli.run("move", "dns", "20099", "--from", "20053/tcp", "--format", "json").expect(
            status: 0, stdout: ["\"port\": 20099"])
        try await cli.run("doctor").expect(status: 0)
    }
}
