import Foundation
import ArgumentParser
import PortregTestSupport
import Testing

@testable import portreg

@Suite("first use and the database path")
struct DatabaseLocationTests {
    @Test func aFreshPathInANewNestedFolderIsCreatedAndSeeded() async throws {
        let cli = try CLI()
        let database = cli.path("not/yet/there/registry.db")
        #expect(!cli.exists(cli.path("not")))
        let result = try await cli.run(["lookup", "5432"], environment: ["PORTREG_DB": database])
        result.expect(status: 0, stdout: ["postgresql", "5432"], stderrIsEmpty: true)
        #expect(cli.exists(database))
        #expect(!cli.exists(cli.database), "nothing at the default test path")
    }

    @Test func dbOverridesTheEnvironment() async throws {
        let cli = try CLI()
        let explicit = cli.path("explicit.db")
        try await cli.run("add", "billing", "19001", "--db", explicit).expect(status: 0)
        #expect(cli.exists(explicit))
        #expect(!cli.exists(cli.database), "PORTREG_DB was not touched")
        let there = try await cli.run("list", "--db", explicit, "--format", "csv")
        there.expect(status: 0)
        #expect(there.csvRows.map { $0["service"] } == ["billing"])
        let viaEnvironment = try await cli.run("list", "--format", "csv")
        viaEnvironment.expect(status: 0)
        #expect(viaEnvironment.csvRows.isEmpty)
        // export has its own --db too.
        let export = try await cli.run("export", "--db", explicit)
        export.expect(status: 0, stdout: ["billing,19001"])
    }

    @Test func globalOptionsMayComeBeforeTheSubcommand() async throws {
        let cli = try CLI()
        let explicit = cli.path("first.db")
        try await cli.run("--db", explicit, "add", "early", "19004").expect(status: 0)
        let list = try await cli.run("--db", explicit, "--format", "csv", "list")
        list.expect(status: 0)
        #expect(list.csvRows.map { $0["service"] } == ["early"], "\(list)")
        #expect(!cli.exists(cli.database))
    }

    @Test func withoutPORTREG_DBTheDatabaseIsUnderXDG_DATA_HOME() async throws {
        let cli = try CLI()
        let data = cli.path("xdg")
        let result = try await cli.run(["lookup", "5432"], environment: ["PORTREG_DB": nil, "XDG_DATA_HOME": data])
        result.expect(status: 0, stdout: ["postgresql"])
        #expect(cli.exists(data + "/portreg/registry.db"))
        #expect(!cli.exists(cli.path("home/.local")))
        try await cli.run(["add", "viaxdg", "19002"], environment: ["PORTREG_DB": nil, "XDG_DATA_HOME": data]).expect(
            status: 0)
        let list = try await cli.run("list", "--db", data + "/portreg/registry.db")
        list.expect(status: 0, stdout: ["viaxdg"])
    }

    @Test func withoutEitherTheDatabaseIsUnderHOME() async throws {
        let cli = try CLI()
        let result = try await cli.run(["lookup", "5432"], environment: ["PORTREG_DB": nil, "XDG_DATA_HOME": nil])
        result.expect(status: 0, stdout: ["postgresql"])
        #expect(cli.exists(cli.path("home/.local/share/portreg/registry.db")))
        // A relative XDG_DATA_HOME is invalid (XDG Base Directory spec) and ignored.
        try await cli.run(
            ["add", "homed", "19003"], environment: ["PORTREG_DB": nil, "XDG_DATA_HOME": "relative/data"]
        ).expect(status: 0)
        #expect(!cli.exists(cli.path("relative")))
        try await cli.run("list", "--db", cli.path("home/.local/share/portreg/registry.db")).expect(
            status: 0, stdout: ["homed"])
    }
}

@Suite("storage failures")
struct StorageFailureTests {
    /// One run of each command that opens the database.
    static let commands: [[String]] = [
        ["lookup", "5432"], ["search", "postgres"], ["add", "svc", "19001"], ["reserve", "svc", "--no-probe"],
        ["remove", "svc"], ["list"], ["conflicts"], ["free", "--no-probe"], ["scan"], ["import", "registry.csv"],
        ["export"], ["export", "--kind", "catalog"], ["catalog"], ["doctor"],
    ]

    @Test(.enabled(if: SQLiteShell.isAvailable, SQLiteShell.skipMessage))
    func aNewerSchemaIsRefusedByEveryCommandAndLeftUntouched() async throws {
        let cli = try CLI()
        try await cli.run("add", "existing", "19000").expect(status: 0)
        try cli.write("registry.csv", "\(registryHeader)\nsvc,19001,tcp,*,*,,,,\n")
        _ = try SQLiteShell.run(cli.database, "PRAGMA user_version = 999")
        let bytes = try cli.bytes(of: cli.database)
        for command in StorageFailureTests.commands {
            let result = try await cli.run(command)
            result.expectFailure(73, "newer")
            #expect(try cli.bytes(of: cli.database) == bytes, "\(command.joined(separator: " ")) changed the file")
        }
        for suffix in ["-wal", "-shm", "-journal"] {
            #expect(!cli.exists(cli.database + suffix), "left \(suffix) behind")
        }
        #expect(try SQLiteShell.run(cli.database, "PRAGMA user_version") == "999\n")
        #expect(try SQLiteShell.run(cli.database, "SELECT count(*) FROM assignment") == "1\n")
    }

    @Test func aFileThatIsNotADatabaseIsRefused() async throws {
        let cli = try CLI()
        let text = "service,port\nthis is not a database, just text that is long enough to look like a header\n"
        let file = try cli.write("notes.txt", text)
        try cli.write("registry.csv", "\(registryHeader)\nsvc,19001,tcp,*,*,,,,\n")
        for command in StorageFailureTests.commands {
            let result = try await cli.run(command + ["--db", file])
            result.expectFailure(73, "notes.txt", "not a")
        }
        #expect(try String(contentsOfFile: file, encoding: .utf8) == text)
        for suffix in ["-wal", "-shm", "-journal"] {
            #expect(!cli.exists(file + suffix), "left \(suffix) behind")
        }
        let empty = try cli.write("empty-but-present.db", "")
        // An empty file is a valid empty SQLite database: it is migrated and seeded.
        try await cli.run("lookup", "5432", "--db", empty).expect(status: 0, stdout: ["postgresql"])
    }

    @Test func aPathThatCannotBeCreatedExits73() async throws {
        let cli = try CLI()
        let result = try await cli.run("lookup", "5432", "--db", "/proc/nope/x.db")
        result.expectFailure(73, "/proc/nope")
        try FileManager.default.createDirectory(atPath: cli.path("a-folder"), withIntermediateDirectories: true)
        try await cli.run("list", "--db", cli.path("a-folder")).expectFailure(73, "a-folder")
        try cli.write("a-file", "x")
        try await cli.run("list", "--db", cli.path("a-file/under/registry.db")).expectFailure(73, "a-file")
    }

    /// Each process closes its connection, so the last one checkpoints the WAL: a copy of
    /// registry.db alone (a backup, a file moved to another machine) has every change.
    @Test func theDatabaseFileAloneHoldsEveryCommittedChange() async throws {
        let cli = try CLI()
        try await cli.run("add", "billing", "19001").expect(status: 0)
        let copy = cli.path("backup.db")
        try FileManager.default.copyItem(atPath: cli.database, toPath: copy)
        let list = try await cli.run("list", "--db", copy, "--format", "csv")
        list.expect(status: 0)
        #expect(list.csvRows.map { $0["service"] } == ["billing"], "a copy of registry.db alone lost the assignment")
        #expect(
            !cli.exists(cli.database + "-wal"), "the WAL is checkpointed and removed when the last connection closes")
    }
}

@Suite("doctor, help and version")
struct DoctorHelpTests {
    @Test func doctorReportsSchemaVersionAndIntegrity() async throws {
        let cli = try CLI()
        let table = try await cli.run("doctor")
        table.expect(status: 0, stdout: ["schema_version", "integrity", "ok", cli.database], stderrIsEmpty: true)
        let integrity = table.lines.first { $0.hasPrefix("integrity") }
        #expect(integrity?.split(separator: " ", omittingEmptySubsequences: true).last == "ok", "\(table)")

        let json = try await cli.run("doctor", "--format", "json")
        json.expect(status: 0)
        let report = try #require(try json.json() as? [String: Any], "\(json)")
        #expect((report["schema_version"] as? Int ?? 0) >= 1, "\(json)")
        #expect(report["integrity"] as? String == "ok")
        #expect(report["foreign_keys"] as? String == "ok")
        #expect(report["database"] as? String == cli.database)
        #expect((report["catalog_rows"] as? Int ?? 0) > 0)
        #expect(report["assignments"] as? Int == 0)
    }

    /// Every subcommand name and alias, from the root command's own configuration: a new
    /// command without help or a README entry fails these tests without anyone listing it.
    static let commands: [(name: String, aliases: [String])] = Portreg.configuration.subcommands.map { command in
        let configuration: CommandConfiguration = command.configuration
        return (configuration.commandName ?? "", configuration.aliases)
    }
    static let subcommands: [String] = commands.flatMap { [$0.name] + $0.aliases }
    static let aliases = Set(commands.flatMap { $0.aliases })

    @Test(arguments: subcommands)
    func everySubcommandHasHelpWithAnExample(_ name: String) async throws {
        let cli = try CLI()
        let result = try await cli.run(name, "--help")
        result.expect(
            status: 0,
            stdout: ["OVERVIEW:", "USAGE: portreg \(DoctorHelpTests.canonical(name))", "Example", "--db"],
            stdoutLacks: ["\\\n"])
        #expect(!cli.exists(cli.database), "--help does not create a database")
        let viaHelp = try await cli.run("help", name)
        viaHelp.expect(status: 0, stdout: ["Example"])
    }

    /// Another process holding the write lock past PORTREG_BUSY_TIMEOUT: exit 75, a message,
    /// and the write did not happen.
    @Test(.enabled(if: SQLiteShell.isAvailable, SQLiteShell.skipMessage))
    func aLockHeldPastTheBusyTimeoutExits75() async throws {
        let cli = try CLI()
        try await cli.run("add", "first", "9001").expect(status: 0)
        let flag = cli.path("locked")
        // sqlite3 reads its commands from a pipe, so the lock is held until we say COMMIT.
        let holder = Process()
        let commands = Pipe()
        holder.executableURL = URL(fileURLWithPath: SQLiteShell.path)
        holder.arguments = [cli.database]
        holder.standardInput = commands
        holder.standardOutput = FileHandle.nullDevice
        holder.standardError = FileHandle.nullDevice
        try holder.run()
        commands.fileHandleForWriting.write(Data("BEGIN IMMEDIATE;\n.shell touch \(flag)\n".utf8))
        for _ in 0..<400 where !cli.exists(flag) { try await Task.sleep(for: .milliseconds(25)) }
        #expect(cli.exists(flag), "sqlite3 never took the lock")
        let result = try await cli.run("add", "second", "9002", environment: ["PORTREG_BUSY_TIMEOUT": "200"])
        commands.fileHandleForWriting.write(Data("COMMIT;\n".utf8))
        try commands.fileHandleForWriting.close()
        holder.waitUntilExit()
        result.expectFailure(75, "busy", "PORTREG_BUSY_TIMEOUT")
        let list = try await cli.run("list", "--format", "csv")
        list.expect(status: 0, stdout: ["first"], stdoutLacks: ["second"])
    }

    @Test func aBadBusyTimeoutIsAUsageError() async throws {
        let result = try await CLI().run("list", environment: ["PORTREG_BUSY_TIMEOUT": "soon"])
        result.expectFailure(64, "PORTREG_BUSY_TIMEOUT")
    }

    /// A command nobody can find in the README does not exist for its users.
    /// The command an alias stands for (`release` → `remove`).
    static func canonical(_ name: String) -> String {
        commands.first { $0.aliases.contains(name) }?.name ?? name
    }

    @Test(arguments: subcommands.filter { !aliases.contains($0) })
    func everySubcommandIsShownInTheReadme(_ name: String) throws {
        let readme = try String(contentsOfFile: Repository.root + "/README.md", encoding: .utf8)
        #expect(readme.contains("portreg \(name)"), "README.md never shows `portreg \(name)`")
    }

    @Test func versionPrintsAVersion() async throws {
        let cli = try CLI()
        let result = try await cli.run("--version")
        result.expect(status: 0, stderrIsEmpty: true)
        // "0.2.0 (d4936b3)": the release, then the commit built (VersionTests).
        let version = result.stdout.split(separator: " ").first.map(String.init) ?? ""
        #expect(
            version.split(separator: ".").count == 3 && version.split(separator: ".").allSatisfy { Int($0) != nil },
            "\(result)")
        #expect(!cli.exists(cli.database))
    }

    @Test func noArgumentsPrintsTheOverview() async throws {
        let cli = try CLI()
        let result = try await cli.run([])
        result.expect(status: 0, stdout: ["USAGE: portreg", "lookup", "reserve", "doctor"])
    }

    @Test func anUnknownSubcommandIsAUsageError() async throws {
        let cli = try CLI()
        let result = try await cli.run("bogus")
        result.expectFailure(64, "bogus")
    }
}
