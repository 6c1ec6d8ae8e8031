import Foundation
import PortregTestSupport
import Testing

private let ianaHeader =
    "Service Name,Port Number,Transport Protocol,Description,Assignee,Contact,Registration Date,Modification Date,Reference,Service Code,Unauthorized Use Reported,Assignment Notes"

/// Fills `cli`'s database with assignments whose owners and notes need CSV quoting.
private func addTrickyAssignments(_ cli: CLI) async throws {
    try await cli.run("add", "alpha", "19001", "--owner", "team, \"pay\"", "--note", "line one\nline two é 日本").expect(
        status: 0)
    try await cli.run("add", "beta", "19002-19005/udp", "--host", "staging", "--bind", "127.0.0.1", "--ttl", "2h")
        .expect(status: 0)
    try await cli.run(
        "add", "gamma", "19010", "--host", "prod", "--bind", "::1", "--owner", "Zoë", "--note", "a,b;\"c\"\r\nd"
    ).expect(status: 0)
    try await cli.run("add", "delta", "19010/sctp", "--note", "  leading and trailing spaces  ").expect(status: 0)
}

/// The one report object of `import --format json` (SPEC: one object, not an array).
private func report(_ result: CLIResult, sourceLocation: SourceLocation = #_sourceLocation) throws -> [String: Any] {
    #expect(result.stdout.hasPrefix("{"), "one JSON object\n\(result)", sourceLocation: sourceLocation)
    let objects = try result.jsonObjects(sourceLocation: sourceLocation)
    return try #require(
        objects.count == 1 ? objects.first : nil, "one report row\n\(result)", sourceLocation: sourceLocation)
}

@Suite("import and export: registry CSV")
struct RegistryCSVTests {
    @Test func exportImportExportIsByteIdentical() async throws {
        let cli = try CLI()
        try await addTrickyAssignments(cli)
        let first = try await cli.run("export")
        first.expect(status: 0, stderrIsEmpty: true)
        #expect(first.lines.first == registryHeader)
        #expect(first.stdout.contains("\"team, \"\"pay\"\"\""), "quotes doubled inside a quoted field\n\(first)")
        #expect(first.stdout.contains("日本") && first.stdout.contains("Zoë"), "UTF-8 kept as is")
        #expect(CSVText.parse(first.stdout).count == 5, "header and four records\n\(first)")
        let file = try cli.write("registry.csv", first.stdout)

        let copy = cli.path("copy/registry.db")
        let imported = try await cli.run("import", file, "--db", copy, "--format", "json")
        imported.expect(status: 0)
        let counts = try report(imported)
        #expect(counts["rows"] as? Int == 4 && counts["added"] as? Int == 4, "\(imported)")
        let second = try await cli.run("export", "--db", copy)
        second.expect(status: 0)
        #expect(second.stdoutBytes == first.stdoutBytes, "export → import → export differs\n\(first)\n\(second)")

        // Importing the same file again changes nothing.
        let again = try await cli.run("import", file, "--db", copy, "--format", "json")
        again.expect(status: 0)
        #expect(try report(again)["added"] as? Int == 0)
        #expect(try await cli.run("export", "--db", copy).stdoutBytes == first.stdoutBytes)
    }

    @Test func exportIsSortedByPortProtocolHostService() async throws {
        let cli = try CLI()
        try await cli.run("add", "zz", "19020").expect(status: 0)
        try await cli.run("add", "aa", "19020/udp").expect(status: 0)
        try await cli.run("add", "mm", "19010", "--host", "staging").expect(status: 0)
        try await cli.run("add", "bb", "19010", "--host", "prod").expect(status: 0)
        let export = try await cli.run("export")
        export.expect(status: 0)
        #expect(export.csv.dropFirst().map { $0[0] } == ["bb", "mm", "zz", "aa"], "\(export)")
    }

    @Test func exportToAFileWritesWhatStandardOutputGets() async throws {
        let cli = try CLI()
        try await addTrickyAssignments(cli)
        let toStdout = try await cli.run("export")
        // A folder that does not exist: the output file cannot be created (sysexits'
        // EX_CANTCREAT, 73, or an I/O error, 74), and nothing is left behind.
        let unwritable = try await cli.run("export", "-o", "missing/ports.csv")
        #expect([73, 74].contains(unwritable.status), "\(unwritable)")
        #expect(unwritable.stderr.contains("missing/ports.csv"), "\(unwritable)")
        unwritable.expectNoCrashReport()
        #expect(!cli.exists(cli.path("missing")))
        let plain = try await cli.run("export", "--output", "ports.csv")
        plain.expect(status: 0, stdoutIsEmpty: true, stderrIsEmpty: true)
        #expect(try cli.bytes(of: cli.path("ports.csv")) == toStdout.stdoutBytes)
        let json = try await cli.run("export", "--format", "json")
        json.expect(status: 0)
        let objects = try json.jsonObjects()
        #expect(objects.count == 4)
        #expect(
            objects.contains {
                $0["owner"] as? String == "team, \"pay\"" && $0["note"] as? String == "line one\nline two é 日本"
            })
    }

    @Test func aBadRowExits65NamingFileAndLineAndChangesNothing() async throws {
        let cli = try CLI()
        try await cli.run("add", "existing", "19100").expect(status: 0)
        let before = try await cli.exported()
        try cli.write(
            "bad.csv",
            """
            \(registryHeader)
            fine,19101,tcp,*,*,,,2026-01-01T00:00:00Z,
            broken,70000,tcp,*,*,,,2026-01-01T00:00:00Z,
            later,19103,tcp,*,*,,,2026-01-01T00:00:00Z,

            """)
        let result = try await cli.run("import", "bad.csv")
        result.expectFailure(65, "bad.csv:3", "70000")
        #expect(try await cli.exported() == before, "a failed import leaves the database as it was")
    }

    @Test func theLineNamedIsThePhysicalLineAfterAMultiLineField() async throws {
        let cli = try CLI()
        try cli.write(
            "bad.csv",
            "\(registryHeader)\nfine,19101,tcp,*,*,,\"two\nlines\",2026-01-01T00:00:00Z,\nbroken,19102,tcp,*,*,,,yesterday,\n"
        )
        let result = try await cli.run("import", "bad.csv")
        result.expectFailure(65, "bad.csv:4", "yesterday")
        #expect(try await cli.exported() == registryHeader + "\n")
    }

    @Test(arguments: [
        ("x,19101,tcp,*,*\n", "bad.csv:2"),
        ("x,19101,tcp,*,*,,,notatime,\n", "bad.csv:2"),
        ("x,19101,xyz,*,*,,,,\n", "bad.csv:2"),
        ("ok,19101,tcp,*,*,,,,\nbad name,19102,tcp,*,*,,,,\n", "bad.csv:3"),
        ("ok,19101,tcp,*,*,,,,\nx,19102,tcp,*,localhost,,,,\n", "bad.csv:3"),
        ("ok,19101,tcp,*,*,,\"unterminated,,\n", "bad.csv:2"),
    ])
    func malformedRowsExit65(_ rows: String, _ location: String) async throws {
        let cli = try CLI()
        try cli.write("bad.csv", registryHeader + "\n" + rows)
        let result = try await cli.run("import", "bad.csv")
        result.expectFailure(65, location)
        #expect(try await cli.exported() == registryHeader + "\n")
    }

    @Test func aCollidingFileExitsOneAndImportsNothingUnlessForced() async throws {
        let cli = try CLI()
        try await cli.run("add", "alpha", "19200", "--owner", "team-a").expect(status: 0)
        let before = try await cli.exported()
        try cli.write(
            "colliding.csv",
            """
            \(registryHeader)
            intruder,19200,tcp,*,*,,,2026-01-01T00:00:00Z,
            harmless,19201,tcp,*,*,,,2026-01-01T00:00:00Z,

            """)
        let refused = try await cli.run("import", "colliding.csv")
        refused.expectFailure(1, "colliding.csv", "collision", "intruder", "alpha", "--force")
        #expect(try await cli.exported() == before, "nothing imported")

        let dryRun = try await cli.run("import", "colliding.csv", "--force", "--dry-run", "--format", "json")
        dryRun.expect(status: 0)
        let planned = try report(dryRun)
        #expect(planned["added"] as? Int == 2 && planned["collisions"] as? Int == 1, "\(dryRun)")
        #expect(try await cli.exported() == before, "--dry-run changes nothing")

        let forced = try await cli.run("import", "colliding.csv", "--force", "--format", "json")
        forced.expect(status: 0, stderr: ["warning", "intruder"])
        #expect(try report(forced)["added"] as? Int == 2)
        let services = CSVText.parse(try await cli.exported()).dropFirst().map { $0[0] }
        #expect(services.sorted() == ["alpha", "harmless", "intruder"])
        try await cli.run("conflicts").expect(status: 1, stderr: ["1 collision"])
    }

    @Test func dryRunChangesNothing() async throws {
        let cli = try CLI()
        try await cli.run("add", "alpha", "19300").expect(status: 0)
        let before = try await cli.exported()
        try cli.write("new.csv", "\(registryHeader)\nbeta,19301,tcp,*,*,,,,\nalpha,19300,tcp,*,*,new-owner,,,\n")
        let result = try await cli.run("import", "new.csv", "--dry-run", "--format", "json")
        result.expect(status: 0)
        let planned = try report(result)
        #expect(planned["added"] as? Int == 1 && planned["updated"] as? Int == 1, "\(result)")
        #expect(try await cli.exported() == before)
        let replace = try await cli.run("import", "new.csv", "--dry-run", "--replace")
        replace.expect(status: 0, stdout: ["DRY RUN"])
        #expect(try await cli.exported() == before)
    }

    @Test func replaceMakesTheFileTheWholeRegistry() async throws {
        let cli = try CLI()
        try await addTrickyAssignments(cli)
        let file = try cli.write("snapshot.csv", try await cli.exported())
        try await cli.run("add", "extra-one", "19400").expect(status: 0)
        try await cli.run("add", "extra-two", "19401").expect(status: 0)
        let merged = try await cli.run("import", file)
        merged.expect(status: 0)
        #expect(CSVText.parse(try await cli.exported()).count == 7, "a merge keeps what the file lacks")

        let replaced = try await cli.run("import", file, "--replace")
        replaced.expect(status: 0)
        #expect(try await cli.exported() == (try String(contentsOfFile: file, encoding: .utf8)))
    }

    @Test("import --replace reports only what changes")
    func replaceReportsOnlyWhatChanges() async throws {
        let cli = try CLI()
        try await cli.run("add", "keep-a", "19500").expect(status: 0)
        try await cli.run("add", "keep-b", "19501").expect(status: 0)
        let file = try cli.write("snapshot.csv", try await cli.exported())
        try await cli.run("add", "drop-me", "19502").expect(status: 0)
        for extra in [["--dry-run"], []] {
            let result = try await cli.run(["import", file, "--replace", "--format", "json"] + extra)
            result.expect(status: 0)
            let counts = try report(result)
            // Two rows stay as they are, one goes: the report should say so.
            #expect(counts["removed"] as? Int == 1, "\(result)")
            #expect(counts["added"] as? Int == 0, "\(result)")
        }
    }

    @Test("import reports use JSON types")
    func jsonReportsUseJSONTypes() async throws {
        let cli = try CLI()
        try cli.write("one.csv", "\(registryHeader)\nbeta,19301,tcp,*,*,,,,\n")
        let result = try await cli.run("import", "one.csv", "--dry-run", "--format", "json")
        result.expect(status: 0)
        #expect(try report(result)["dry_run"] as? Bool == true, "\(result)")
    }

    @Test func standardInputIsAFileToo() async throws {
        let cli = try CLI()
        let result = try await cli.run("import", "-", stdin: "\(registryHeader)\npiped,19600,udp,*,*,me,,,\n")
        result.expect(status: 0, stdout: ["assignments"])
        let rows = CSVText.parse(try await cli.exported())
        #expect(rows.count == 2 && rows[1][0] == "piped" && rows[1][2] == "udp" && rows[1][5] == "me", "\(rows)")
    }

    @Test func aMissingFileExits66() async throws {
        let cli = try CLI()
        let result = try await cli.run("import", "no-such-file.csv")
        result.expectFailure(66, "no-such-file.csv")
    }

    @Test func aDirectoryExits66() async throws {
        let cli = try CLI()
        try FileManager.default.createDirectory(atPath: cli.path("folder"), withIntermediateDirectories: true)
        let result = try await cli.run("import", "folder")
        result.expectFailure(66, "folder")
    }

    @Test func anUnknownFormatExits65() async throws {
        let cli = try CLI()
        try cli.write("notes.txt", "just some words\nand more\n")
        try await cli.run("import", "notes.txt").expectFailure(65, "notes.txt:1")
        try cli.write("empty.csv", "")
        try await cli.run("import", "empty.csv").expectFailure(65, "empty.csv")
    }
}

@Suite("import and export: catalog")
struct CatalogImportTests {
    @Test func aMalformedIANAFileExits65NamingTheLineAndChangesNothing() async throws {
        let cli = try CLI()
        let before = try await cli.run("catalog", "--format", "json")
        before.expect(status: 0)
        try cli.write(
            "iana.csv",
            "\(ianaHeader)\r\nfoo,1234,tcp,Foo,,,,,,,,\r\nbar,1235,tcp,\"Bar never closed,,,,,,,,\r\nbaz,1236,tcp,Baz,,,,,,,,\r\n"
        )
        let result = try await cli.run("import", "iana.csv")
        result.expectFailure(65, "iana.csv:3", "unterminated")
        let after = try await cli.run("catalog", "--format", "json")
        #expect(after.stdout == before.stdout, "the catalog is unchanged")
        try await cli.run("lookup", "foo").expect(status: 1)
    }

    @Test(arguments: [
        ("foo,1234,tcp,Foo,,,,,,,,\r\nbar,12x,tcp,Bar,,,,,,,,\r\n", "iana.csv:3"),
        ("foo,1234,tcp,Foo,,,,,,,,\r\nbar,1235,tcp,Bar,,,\r\n", "iana.csv:3"),
        ("foo,1234,xyz,Foo,,,,,,,,\r\n", "iana.csv:2"),
    ])
    func malformedIANARowsExit65(_ rows: String, _ location: String) async throws {
        let cli = try CLI()
        let before = try await cli.run("catalog", "--format", "json")
        try cli.write("iana.csv", "\(ianaHeader)\r\n" + rows)
        try await cli.run("import", "iana.csv").expectFailure(65, location)
        #expect(try await cli.run("catalog", "--format", "json").stdout == before.stdout)
    }

    @Test func aSmallIANAFileReplacesTheSourceAndADryRunDoesNot() async throws {
        let cli = try CLI()
        try cli.write(
            "iana.csv",
            "\(ianaHeader)\r\nfoo-svc,1234,tcp,Foo service,,,,2025-06-01,,,,\r\n,1235,tcp,Unassigned,,,,,,,,\r\n")
        let before = try await cli.run("catalog", "--format", "json")
        let dryRun = try await cli.run("import", "iana.csv", "--dry-run")
        dryRun.expect(status: 0, stdout: ["iana", "DRY RUN"])
        #expect(try await cli.run("catalog", "--format", "json").stdout == before.stdout)

        let result = try await cli.run("import", "iana.csv", "--format", "json")
        result.expect(status: 0)
        let counts = try report(result)
        #expect(counts["source"] as? String == "iana" && counts["rows"] as? Int == 2, "\(result)")
        #expect(counts["release_date"] as? String == "2025-06-01")
        let catalog = try await cli.run("catalog", "--format", "json")
        let iana = try #require(try catalog.jsonObjects().first { $0["source"] as? String == "iana" })
        #expect(iana["rows"] as? Int == 2 && iana["release_date"] as? String == "2025-06-01", "\(catalog)")
        #expect(iana["sha256"] as? String == counts["sha256"] as? String)
        try await cli.run("lookup", "foo-svc").expect(status: 0, stdout: ["1234"])
        // The built-in iana rows are gone; common ones stay.
        try await cli.run("lookup", "postgresql").expect(status: 1)
        try await cli.run("lookup", "postgrest").expect(status: 0)
    }

    @Test func aServicesFileFromStandardInputFillsTheSystemSource() async throws {
        let cli = try CLI()
        let result = try await cli.run(
            "import", "-", "--format", "json", stdin: "# local\nmyproto\t12345/tcp\t\t# mine\nmyproto 12345/udp\n")
        result.expect(status: 0)
        let counts = try report(result)
        #expect(counts["source"] as? String == "system" && counts["rows"] as? Int == 2, "\(result)")
        let lookup = try await cli.run("lookup", "myproto", "--format", "csv")
        lookup.expect(status: 0)
        #expect(
            lookup.csvRows.map { "\($0["source"] ?? "")/\($0["protocol"] ?? "")" }.sorted() == [
                "system/tcp", "system/udp",
            ])
    }
}

@Suite(
    "import and export: the real IANA and /etc/services files",
    .enabled(if: SharedData.isAvailable, SharedData.skipMessage))
struct RealCatalogTests {
    @Test func importingTheOlderThenTheCurrentIANAFileReportsTheDifference() async throws {
        let cli = try CLI()
        let older = try await cli.run("import", SharedData.ianaOlder, "--format", "json")
        older.expect(status: 0)
        #expect(try report(older)["source"] as? String == "iana")

        let current = try await cli.run("import", SharedData.iana, "--format", "json")
        current.expect(status: 0)
        let counts = try report(current)
        #expect(counts["added"] as? Int == 46, "\(current)")
        #expect(counts["removed"] as? Int == 21, "\(current)")
        #expect(counts["changed"] as? Int == 29, "\(current)")
        #expect(counts["rows"] as? Int == 14499, "\(current)")

        let catalog = try await cli.run("catalog", "--format", "json")
        catalog.expect(status: 0)
        let iana = try #require(try catalog.jsonObjects().first { $0["source"] as? String == "iana" }, "\(catalog)")
        #expect(iana["rows"] as? Int == 14499)
        #expect(iana["release_date"] as? String == "2026-02-13")
        #expect(iana["sha256"] as? String == "361899a76482379959543892e489689a45f676feba5988f7d4d369517da5bbad")
        let table = try await cli.run("catalog")
        table.expect(
            status: 0,
            stdout: ["iana", "14499", "2026-02-13", "361899a76482379959543892e489689a45f676feba5988f7d4d369517da5bbad"])

        let rdp = try await cli.run("lookup", "rdp", "--format", "csv")
        rdp.expect(status: 0)
        #expect(rdp.csvRows.count == 2, "\(rdp)")
        #expect(rdp.csvRows.allSatisfy { $0["service"] == "rdp" && $0["source"] == "iana" }, "\(rdp)")
        let x11 = try await cli.run("lookup", "6005", "--format", "csv")
        #expect(x11.csvRows.contains { $0["service"] == "x11" }, "\(x11)")
    }

    @Test func importingEtcServicesFillsTheSystemSource() async throws {
        let cli = try CLI()
        let result = try await cli.run("import", SharedData.services, "--format", "json")
        result.expect(status: 0)
        let counts = try report(result)
        #expect(counts["source"] as? String == "system", "\(result)")
        #expect(counts["rows"] as? Int == 314, "\(result)")
        #expect(counts["skipped"] as? Int == 4, "\(result)")
        let catalog = try await cli.run("catalog", "--format", "csv")
        catalog.expect(status: 0)
        #expect(catalog.csvRows.contains { $0["source"] == "system" && $0["rows"] == "314" }, "\(catalog)")
        let ssh = try await cli.run("lookup", "22/tcp", "--format", "csv")
        // One row per registration: the built-in iana row and the system row are one, "iana,system".
        #expect(ssh.csvRows.contains { $0["source"] == "iana,system" && $0["service"] == "ssh" }, "\(ssh)")
        // etc-services lists www as an alias of http: the alias finds the row.
        let alias = try await cli.run("lookup", "WWW", "--format", "csv")
        alias.expect(status: 0)
        #expect(
            alias.csvRows.contains { $0["source"] == "system" && $0["service"] == "http" && $0["port"] == "80" },
            "\(alias)")
    }

    @Test func anIANAFileFromStandardInputRecordsTheSameSHA256() async throws {
        let cli = try CLI()
        let text = try String(contentsOfFile: SharedData.iana, encoding: .utf8)
        let result = try await cli.run("import", "-", "--format", "json", stdin: text)
        result.expect(status: 0)
        let counts = try report(result)
        #expect(counts["rows"] as? Int == 14499, "\(result)")
        #expect(
            counts["sha256"] as? String == "361899a76482379959543892e489689a45f676feba5988f7d4d369517da5bbad",
            "\(result)")
    }

    @Test func aCatalogExportImportExportIsByteIdentical() async throws {
        let cli = try CLI()
        try await cli.run("import", SharedData.iana).expect(status: 0)
        let exported = try await cli.run("export", "--kind", "catalog", "-o", "catalog.csv")
        exported.expect(status: 0, stdoutIsEmpty: true)
        let first = try cli.bytes(of: cli.path("catalog.csv"))
        #expect(first.count > 1_000_000)

        let copy = cli.path("copy.db")
        let imported = try await cli.run("import", "catalog.csv", "--db", copy, "--format", "json")
        imported.expect(status: 0)
        #expect(try report(imported)["rows"] as? Int == 14499, "\(imported)")
        let second = try await cli.run("export", "--kind", "catalog", "--db", copy)
        second.expect(status: 0)
        #expect(second.stdoutBytes == first, "catalog export → import → export differs")
    }
}
