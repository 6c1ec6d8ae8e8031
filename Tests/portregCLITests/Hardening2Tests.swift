import PortregTestSupport
import Foundation
import Testing

import Glibc

/// Regression tests for issue 8, part 2: doctor's findings, files that are not ours or not
/// writable, tampered rows, exports over the database, and the smaller defects.
@Suite struct Hardening2Tests {
    static let formats = ["table", "json", "csv"]

    /// Runs `script` with `sh -c`, `$P` the portreg binary and `$PORTREG_DB` the test's database.
    static func shell(_ cli: CLI, _ script: String) async throws -> CLIResult {
        guard let binary = PortregBinary.path else { throw CLIError("portreg binary not found") }
        return try await cli.run(
            [script], environment: ["P": binary], via: ["/bin/sh", "-c", script])
    }

    // MARK: #3 doctor prints what it finds

    @Test(.enabled(if: SQLiteShell.isAvailable, SQLiteShell.skipMessage))
    func doctorPrintsEachFindingAndWhatToDoInEveryFormat() async throws {
        let cli = try CLI()
        try await cli.run("add", "web", "9000-9010").expect(status: 0)
        try await cli.run("add", "api", "9100").expect(status: 0)
        _ = try SQLiteShell.run(
            cli.database,
            """
            DELETE FROM assignment_span;
            PRAGMA foreign_keys = OFF;
            INSERT INTO catalog_alias (alias, entry_id) VALUES ('ghost', 999999);
            PRAGMA ignore_check_constraints = 1;
            UPDATE assignment SET port_low = 9200, port_high = 9150 WHERE service = 'api';
            """)
        for format in Self.formats {
            let result = try await cli.run("doctor", "--format", format)
            result.expect(
                status: 1,
                stdout: [
                    "port index", "re-import", "foreign key", "catalog_alias", "missing catalog_entry", "assignment",
                    "9200-9150", "CHECK constraint failed",
                ],
                stderr: ["port index", "foreign key", "9200-9150", "to fix:"])
            result.expectNoCrashReport()
        }
        let json = try await cli.run("doctor", "--format", "json")
        let object = try #require(try json.json() as? [String: Any])
        let findings = try #require(object["findings"] as? [[String: Any]])
        #expect(findings.count >= 4)
        #expect(findings.allSatisfy { ($0["fix"] as? String)?.isEmpty == false })
    }

    /// A corrupt page: SQLite's integrity_check findings are printed even though other checks fail.
    @Test(.enabled(if: SQLiteShell.isAvailable, SQLiteShell.skipMessage))
    func doctorKeepsIntegrityFindingsOnCorruptPages() async throws {
        let cli = try CLI()
        try await cli.run("lookup", "80").expect(status: 0)
        let page = try #require(
            Int(
                try SQLiteShell.run(
                    cli.database, "SELECT rootpage FROM sqlite_master WHERE name = 'catalog_entry_by_port'"
                )
                .trimmingCharacters(in: .whitespacesAndNewlines)))
        let handle = try FileHandle(forUpdating: URL(fileURLWithPath: cli.database))
        try handle.seek(toOffset: UInt64((page - 1) * 4096 + 8))
        try handle.write(contentsOf: Data(repeating: 0xAB, count: 200))
        try handle.close()
        for format in Self.formats {
            let result = try await cli.run("doctor", "--format", format)
            result.expect(
                status: 1, stdout: ["On tree page \(page)", "restore it from a backup"], stderr: ["integrity"])
            result.expectNoCrashReport()
        }
    }

    // MARK: #4 another program's database

    @Test(.enabled(if: SQLiteShell.isAvailable, SQLiteShell.skipMessage))
    func anotherProgramsDatabaseIsRefusedAndLeftUntouched() async throws {
        let cli = try CLI()
        let other = cli.path("other.db")
        _ = try SQLiteShell.run(other, "CREATE TABLE foo(x); INSERT INTO foo VALUES (1)")
        let before = try cli.bytes(of: other)
        for command in [["lookup", "80"], ["list"], ["add", "web", "8080"], ["doctor"], ["export"]] {
            let result = try await cli.run(command + ["--db", other])
            result.expectFailure(73, "not a portreg registry", "was not changed")
            #expect(try cli.bytes(of: other) == before, "\(command) changed the file")
            #expect(!cli.exists(other + "-wal") && !cli.exists(other + "-shm"))
        }
    }

    // MARK: #5 a registry this user cannot write

    /// As an unprivileged user (root ignores permissions): a 0444 registry in a 0555 folder.
    @Test(
        .enabled(if: getuid() == 0 && access("/usr/bin/setpriv", X_OK) == 0, "needs root and setpriv to run as nobody"))
    func aReadOnlyRegistryCanBeReadAndRefusesWritesCleanly() async throws {
        let cli = try CLI()
        let folder = cli.path("shared")
        mkdir(folder, 0o755)
        let database = folder + "/registry.db"
        try await cli.run("add", "web", "8080", "--db", database).expect(status: 0)
        chmod(database, 0o444)
        chmod(folder, 0o555)
        chmod(cli.directory.path, 0o755)
        defer { chmod(folder, 0o755) }
        let before = try cli.bytes(of: database)
        let nobody = "setpriv --reuid=nobody --regid=nogroup --clear-groups"
        let read = try await Self.shell(cli, "\(nobody) \"$P\" lookup 8080 --db \(database)")
        read.expect(status: 0, stdout: ["web", "http-alt"])
        let list = try await Self.shell(cli, "\(nobody) \"$P\" list --format csv --db \(database)")
        list.expect(status: 0, stdout: ["web,8080"])
        let write = try await Self.shell(cli, "\(nobody) \"$P\" add other 9000 --db \(database)")
        write.expect(status: 73, stderr: ["read-only", "nothing was changed"])
        #expect(try cli.bytes(of: database) == before)
        #expect(!cli.exists(database + "-wal") && !cli.exists(database + "-shm"))
    }

    // MARK: #7 tampered rows

    @Test(
        .enabled(if: SQLiteShell.isAvailable, SQLiteShell.skipMessage),
        arguments: [
            "UPDATE catalog_entry SET port_low = 9000, port_high = 8000 WHERE id = (SELECT min(id) FROM catalog_entry WHERE service IS NOT NULL AND port_low IS NOT NULL)",
            "UPDATE assignment SET port_low = 99999999999, port_high = 99999999999 WHERE service = 'api'",
            "UPDATE assignment SET port_low = 9000, port_high = 8000 WHERE service = 'api'",
            "UPDATE catalog_entry SET port_low = 0, port_high = 99999999 WHERE id = (SELECT min(id) FROM catalog_entry WHERE service IS NOT NULL AND port_low IS NOT NULL)",
        ])
    func tamperedRowsGiveAMessageNamingTheRowAndDoctor(tamper: String) async throws {
        let cli = try CLI()
        try await cli.run("add", "web", "8080").expect(status: 0)
        try await cli.run("add", "api", "8090").expect(status: 0)
        _ = try SQLiteShell.run(cli.database, "PRAGMA ignore_check_constraints = 1; \(tamper)")
        var refused = 0
        for command in [
            ["add", "z", "20000"], ["conflicts"], ["list"], ["lookup", "8090"], ["reserve", "q"], ["export"],
        ] {
            let result = try await cli.run(command, environment: [:])
            result.expectNoCrashReport()
            #expect([0, 1, 74].contains(result.status), "\(result)")
            if result.status == 74 {
                refused += 1
                #expect(result.stderr.contains("out of range") && result.stderr.contains("portreg doctor"), "\(result)")
            }
        }
        #expect(refused > 0)
        try await cli.run("doctor").expect(status: 1, stdout: ["invalid row"])
    }

    // MARK: #9 export over the database

    @Test func exportOntoTheDatabaseOrItsWALIsRefused() async throws {
        let cli = try CLI()
        try await cli.run("add", "web", "8080").expect(status: 0)
        symlink(cli.database, cli.path("link.db"))
        let before = try await cli.exported()
        for target in [
            cli.database, cli.path("link.db"), cli.database + "-wal", cli.database + "-shm", "./registry.db",
        ] {
            let result = try await cli.run("export", "-o", target)
            result.expectFailure(73, "is the registry database")
            #expect(try await cli.exported() == before)
        }
    }

    // MARK: #10 smaller ones

    @Test func hostWithASpaceIsAUsageErrorForScan() async throws {
        let cli = try CLI()
        try await cli.run("scan", "--host", "a b").expectFailure(64, "host")
    }

    @Test func memoryAndURIDatabasesAreRefused() async throws {
        let cli = try CLI()
        for path in [":memory:", "file:x.db", "file:"] {
            let result = try await cli.run("add", "web", "8080", "--db", path)
            result.expectFailure(64, "not a registry file")
            #expect(!cli.exists(cli.path("file:")), "a ./file: folder was left")
        }
        try await cli.run("lookup", "80", environment: ["PORTREG_DB": ":memory:"]).expectFailure(
            64, "not a registry file")
    }

    @Test func closedOrFolderStandardInputIsReported() async throws {
        let cli = try CLI()
        try await cli.run("lookup", "80").expect(status: 0)
        for (script, message) in [
            ("\"$P\" lookup - <&-", "standard input is closed"), ("\"$P\" lookup - < .", "is a directory"),
            ("\"$P\" import - <&-", "standard input is closed"),
        ] {
            let result = try await Self.shell(cli, script)
            result.expectFailure(66, message)
        }
        // Lines end in LF or CRLF alike.
        try await cli.run("lookup", "-", "--format", "csv", stdin: "80\r\nhttps\r\n").expect(
            status: 0, stdout: ["80,http,80", "https,https,443"])
    }

    @Test func anExpiredLeaseIsNamedAsSuchNotSuggestedAsItself() async throws {
        let cli = try CLI()
        try await cli.run("add", "preview", "23000", "--ttl", "1s").expect(status: 0)
        // Two seconds later, without waiting them: the debug binary's hidden clock offset.
        let result = try await cli.run("lookup", "preview", environment: [TestClock.offsetVariable: "2"])
        result.expect(
            status: 1, stderr: ["preview: no match", "lease on 23000/tcp expired"], stderrLacks: ["did you mean"])
    }

    @Test func helpAndVersionToAFullDiskExit74() async throws {
        let cli = try CLI()
        for arguments in ["--help", "--version", "lookup --help"] {
            let result = try await Self.shell(cli, "\"$P\" \(arguments) >/dev/full")
            result.expectFailure(74, "cannot write output")
        }
    }

    /// Exporting the system catalog and importing the file used to replace the iana source.
    @Test func anExportedSystemCatalogImportsBackIntoSystem() async throws {
        let cli = try CLI()
        let services = try cli.write("services", "myproto\t7001/tcp\t\t# mine\nother\t7002/udp\n")
        try await cli.run("import", services).expect(status: 0, stdout: ["system"])
        let iana = try await cli.run("export", "--kind", "catalog", "--source", "iana")
        let system = try await cli.run("export", "--kind", "catalog", "--source", "system", "-o", "system.csv")
        system.expect(status: 0)
        try await cli.run("import", "system.csv").expect(status: 0, stdout: ["system"], stdoutLacks: ["iana"])
        #expect(try await cli.run("export", "--kind", "catalog", "--source", "iana").stdout == iana.stdout)
        let again = try await cli.run("export", "--kind", "catalog", "--source", "system")
        #expect(again.stdoutBytes == (try cli.bytes(of: cli.path("system.csv"))))
        #expect(again.stdout.contains("myproto,7001,tcp"))
        try await cli.run("import", "system.csv", "--source", "iana").expectFailure(64, "export of the system source")
    }
}
