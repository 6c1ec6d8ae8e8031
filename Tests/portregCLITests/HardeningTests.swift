import Foundation
import Testing

import Glibc

/// Regression tests for issue 8: what broke when portreg was pushed.
@Suite struct HardeningTests {
    /// A registry CSV of `rows` assignments on distinct sockets, services `svc0`…
    static func registryCSV(rows: Int) -> String {
        var text = "service,port,protocol,host,bind,owner,note,created_at,expires_at\n"
        text.reserveCapacity(rows * 48)
        for index in 0..<rows {
            text += "svc\(index),\(1024 + index % 60000),tcp,h\(index / 60000),*,,,2026-01-01T00:00:00Z,\n"
        }
        return text
    }

    // MARK: SQLite failing part-way through an import

    /// A trigger raising an error on the 150,000th row of a 200,000-row import: the
    /// two-thread pipeline used to trap (exit 132) in its deinit.
    @Test(.enabled(if: SQLiteShell.isAvailable, SQLiteShell.skipMessage))
    func sqliteFailingPartWayThroughARegistryImportExits74() async throws {
        let cli = try CLI()
        try await cli.run("add", "keep", "19000").expect(status: 0)
        _ = try SQLiteShell.run(
            cli.database,
            "CREATE TRIGGER late BEFORE INSERT ON assignment WHEN NEW.service='svc150000' BEGIN SELECT RAISE(ABORT,'late trigger says no'); END;"
        )
        let before = try await cli.exported()
        let file = try cli.write("big.csv", Self.registryCSV(rows: 200_000))
        for extra in [[], ["--replace"]] {
            let result = try await cli.run(["import", file] + extra)
            result.expect(status: 74, stderr: ["late trigger says no"])
            #expect(try await cli.exported() == before)
        }
    }

    /// The same for a catalog import: the catalog pipeline shares the code.
    @Test(.enabled(if: SQLiteShell.isAvailable, SQLiteShell.skipMessage))
    func sqliteFailingPartWayThroughACatalogImportExits74() async throws {
        let cli = try CLI()
        try await cli.run("lookup", "5432").expect(status: 0)
        _ = try SQLiteShell.run(
            cli.database,
            "CREATE TRIGGER late BEFORE INSERT ON catalog_entry WHEN NEW.service='name15000' BEGIN SELECT RAISE(ABORT,'late trigger says no'); END;"
        )
        var text =
            "Service Name,Port Number,Transport Protocol,Description,Assignee,Contact,Registration Date,Modification Date,Reference,Service Code,Unauthorized Use Reported,Assignment Notes\r\n"
        for index in 0..<20_000 { text += "name\(index),\(1 + index),tcp,d,,,,,,,,\r\n" }
        let file = try cli.write("iana.csv", text)
        let before = try await cli.run("export", "--kind", "catalog", "--source", "common").stdout
        try await cli.run("import", file).expect(status: 74, stderr: ["late trigger says no"])
        #expect(try await cli.run("export", "--kind", "catalog", "--source", "common").stdout == before)
        try await cli.run("lookup", "name3").expect(status: 1)
    }

    // MARK: Inputs that can be read only once

    /// Runs `script` under bash with `$PORTREG` the binary and `PORTREG_DB` the test's
    /// database, in the test's folder; killed after 60 s (a hang shows as status 137).
    static func shell(_ cli: CLI, _ script: String) async throws -> CLIResult {
        let binary = try #require(PortregBinary.path)
        return try await cli.run(
            ["__shell"], environment: ["PORTREG": binary],
            timeout: .seconds(60), via: ["/bin/bash", "-c", script])
    }

    @Test func aProcessSubstitutionIsImportedWhole() async throws {
        let cli = try CLI()
        try await cli.run("add", "old-one", "19001").expect(status: 0)
        try cli.write("registry.csv", Self.registryCSV(rows: 200_000))
        let result = try await Self.shell(cli, #"$PORTREG import <(cat registry.csv) --replace --format csv"#)
        result.expect(status: 0)
        #expect(result.csvRows.first?["rows"] == "200000", "\(result)")
        #expect(result.csvRows.first?["removed"] == "1", "\(result)")
        let listed = try await cli.run("list", "--format", "csv")
        #expect(listed.csv.count == 200_001)
    }

    @Test func devStdinFromAPipeIsImportedWhole() async throws {
        let cli = try CLI()
        try cli.write("registry.csv", Self.registryCSV(rows: 50_000))
        let result = try await Self.shell(cli, #"cat registry.csv | $PORTREG import /dev/stdin --format csv"#)
        result.expect(status: 0)
        #expect(result.csvRows.first?["added"] == "50000", "\(result)")
    }

    /// A named FIFO used to hang for ever: it was opened a second time after the sniff.
    @Test func aNamedFIFOIsReadOnce() async throws {
        let cli = try CLI()
        try cli.write("registry.csv", Self.registryCSV(rows: 3))
        try #require(mkfifo(cli.path("fifo"), 0o600) == 0)
        let result = try await Self.shell(
            cli, #"cat registry.csv > fifo & $PORTREG import fifo --format csv; s=$?; wait; exit $s"#)
        result.expect(status: 0)
        #expect(result.csvRows.first?["added"] == "3", "\(result)")
        #expect(try await cli.run("list", "--format", "csv").csv.count == 4)
    }

    /// Catalog files through a pipe: an IANA CSV and a services(5) file.
    @Test func catalogFilesThroughAPipe() async throws {
        let cli = try CLI()
        let iana =
            "Service Name,Port Number,Transport Protocol,Description,Assignee,Contact,Registration Date,Modification Date,Reference,Service Code,Unauthorized Use Reported,Assignment Notes\r\n"
            + (0..<5000).map { "piped\($0),\(20000 + $0),tcp,d,,,,,,,,\r\n" }.joined()
        try cli.write("iana.csv", iana)
        try cli.write("services", "piped-sys 31999/tcp\nother-sys 31998/udp\n")
        let catalog = try await Self.shell(cli, #"$PORTREG import <(cat iana.csv) --source common --format csv"#)
        catalog.expect(status: 0)
        #expect(catalog.csvRows.first?["rows"] == "5000", "\(catalog)")
        try await cli.run("lookup", "piped4999").expect(status: 0, stdout: ["24999"])
        let services = try await Self.shell(cli, #"$PORTREG import <(cat services) --format csv"#)
        services.expect(status: 0)
        #expect(services.csvRows.first?["rows"] == "2", "\(services)")
    }

    /// An empty pipe is not an empty registry: --replace refuses it and deletes nothing.
    @Test func anEmptyPipeNeverEmptiesTheRegistry() async throws {
        let cli = try CLI()
        try await cli.run("add", "kept", "19002").expect(status: 0)
        let before = try await cli.exported()
        let result = try await Self.shell(cli, #"$PORTREG import <(true) --replace"#)
        result.expect(status: 65)
        #expect(try await cli.exported() == before)
    }

    // MARK: Hosts in different Unicode normal forms

    /// `add --host ü-prod` (composed) then `reserve --host ü-prod` (decomposed) handed out
    /// the held port, which add refused and conflicts reported: every command must agree.
    @Test func hostsThatDifferOnlyInNormalFormAreOneHost() async throws {
        let cli = try CLI()
        let composed = "\u{00FC}-prod"
        let decomposed = "u\u{0308}-prod"
        try await cli.run("add", "a", "24000", "--host", composed).expect(status: 0)
        let reserved = try await cli.run(
            "reserve", "b", "--range", "24000-24001", "--host", decomposed, "--no-probe")
        reserved.expect(status: 0, stdout: ["24001"])
        try await cli.run("add", "c", "24000", "--host", decomposed).expect(status: 1, stderr: ["a"])
        try await cli.run("conflicts", "--no-warnings").expect(status: 0)
        let listed = try await cli.run("list", "--host", decomposed, "--format", "csv")
        listed.expect(status: 0)
        #expect(listed.csvRows.map { $0["service"] } == ["a", "b"])
        #expect(Set(listed.csvRows.compactMap { $0["host"] }.map { Array($0.utf8) }) == [Array(composed.utf8)])
        try await cli.run("remove", "a", "--host", decomposed).expect(status: 0)
        try await cli.run("add", "c", "24000", "--host", decomposed).expect(status: 0)
        // A registry CSV in the other form merges into the same rows.
        let csv = "service,port,protocol,host,bind,owner,note,created_at,expires_at\nc,24000,tcp,\(composed),*,ops,,,\n"
        let file = try cli.write("hosts.csv", csv)
        let imported = try await cli.run("import", file, "--format", "csv")
        imported.expect(status: 0)
        #expect(imported.csvRows.first?["updated"] == "1", "\(imported)")
    }

    // MARK: Terminal control sequences

    /// Text that would set the title, clear the screen, ring the bell, or reorder the line.
    static let hostile = "\u{1B}]0;owned\u{07}\u{1B}[2J\u{9B}31m\u{7F}\u{202E}gnp.exe\r!"

    /// No raw control reaches a terminal: `raw` must not appear in `text` at all.
    static func expectNoControls(_ text: String, sourceLocation: SourceLocation = #_sourceLocation) {
        let unsafe = text.unicodeScalars.filter {
            ($0.value < 0x20 && $0 != "\n") || (0x7F...0x9F).contains($0.value) || $0 == "\u{202E}"
        }
        #expect(
            unsafe.isEmpty, "raw controls \(unsafe.map { $0.value }) in \(text.debugDescription)",
            sourceLocation: sourceLocation)
    }

    @Test func tablesShowControlCharactersEscapedAndJSONAndCSVKeepThem() async throws {
        let cli = try CLI()
        let added = try await cli.run("add", "evil", "19100", "--note", Self.hostile, "--owner", "o\u{07}")
        added.expect(status: 0)
        for result in [added, try await cli.run("list"), try await cli.run("lookup", "evil")] {
            result.expect(status: 0)
            Self.expectNoControls(result.stdout)
            Self.expectNoControls(result.stderr)
        }
        let table = try await cli.run("list")
        // The carriage return folds to a space like a line break.
        #expect(table.stdout.contains(#"\u{1B}]0;owned\u{7}\u{1B}[2J\u{9B}31m\u{7F}\u{202E}gnp.exe !"#), "\(table)")
        // JSON: escaped per RFC 8259, and the same text once parsed.
        let json = try await cli.run("list", "--format", "json")
        Self.expectNoControls(json.stdout)
        #expect(try json.jsonObjects().first?["note"] as? String == Self.hostile)
        // CSV keeps the data exactly, and export → import → export is byte-identical.
        let csv = try await cli.run("list", "--format", "csv")
        #expect(csv.csvRows.first?["note"] == Self.hostile)
        let exported = try await cli.run("export")
        #expect(exported.status == 0)  // expect() would object to the raw ESC: CSV is data
        #expect(exported.stdout.contains(Self.hostile))
        let other = try CLI()
        let file = try other.write("registry.csv", exported.stdout)
        try await other.run("import", file).expect(status: 0)
        #expect(try await other.run("export").stdout == exported.stdout)
    }

    /// Error messages that echo arguments or file contents escape them too.
    @Test func diagnosticsEchoingInputEscapeIt() async throws {
        let cli = try CLI()
        let badPort = try await cli.run("add", "x", "80\u{1B}[2J")
        badPort.expect(status: 64, stderr: [#"80\u{1B}[2J"#])
        Self.expectNoControls(badPort.stderr)
        // swift-argument-parser's own messages (a bad --format value).
        let badFormat = try await cli.run("list", "--format", "x\u{1B}[2J\u{202E}")
        badFormat.expect(status: 64, stderr: [#"x\u{1B}[2J\u{202E}"#])
        Self.expectNoControls(badFormat.stderr)
        let unmatched = try await cli.run("lookup", "nosuch\u{9B}2J")
        unmatched.expect(status: 1, stderr: [#"nosuch\u{9B}2J"#])
        Self.expectNoControls(unmatched.stderr)
        // A path and a field read from a file.
        let file = try cli.write(
            "bad\u{1B}[2J.csv",
            "service,port,protocol,host,bind,owner,note,created_at,expires_at\nx,80,tcp,*,10.0.0.1\u{1B}[2J,,,,\n")
        let badFile = try await cli.run("import", file)
        badFile.expect(status: 65, stderr: [#"bad\u{1B}[2J.csv:2"#])
        Self.expectNoControls(badFile.stderr)
        // Help keeps its line breaks.
        let help = try await cli.run("list", "--help")
        help.expect(status: 0)
        #expect(help.lines.count > 5)
    }

    /// Catalog text (descriptions from an imported file) in lookup and search tables.
    @Test func catalogTextIsEscapedInTables() async throws {
        let cli = try CLI()
        let iana =
            "Service Name,Port Number,Transport Protocol,Description,Assignee,Contact,Registration Date,Modification Date,Reference,Service Code,Unauthorized Use Reported,Assignment Notes\r\n"
            + "trojan,23456,tcp,\"clear \u{1B}[2J\u{202E} screen\",,,,,,,,\r\n"
        let file = try cli.write("iana.csv", iana)
        try await cli.run("import", file, "--source", "common").expect(status: 0)
        for result in [try await cli.run("lookup", "23456"), try await cli.run("search", "clear")] {
            result.expect(status: 0, stdout: [#"clear \u{1B}[2J\u{202E} screen"#])
            Self.expectNoControls(result.stdout)
        }
        let json = try await cli.run("lookup", "23456", "--format", "json")
        #expect(try json.jsonObjects().first?["description"] as? String == "clear \u{1B}[2J\u{202E} screen")
    }
}
