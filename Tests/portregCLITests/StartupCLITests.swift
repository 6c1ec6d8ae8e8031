import Foundation
import PortregTestSupport
import Testing

/// `strace`, when installed (.ci/run installs it): the tool these tests watch system calls with.
enum SystemCallTrace {
    static let path: String? = ["/usr/bin/strace", "/bin/strace"].first {
        FileManager.default.isExecutableFile(atPath: $0)
    }
    static let reason: Comment = "strace is not installed (apt-get install -y strace; .ci/run installs it)"
}

/// SPEC "Storage": the first use creates, migrates and seeds the database; after that, a
/// command that changes nothing writes nothing: no journal, no `-wal`/`-shm`, no checkpoint.
@Suite("a start-up that writes nothing")
struct StartupCLITests {
    /// The commands that only read the registry.
    static let readers: [[String]] = [
        ["lookup", "5432"], ["search", "postgres"], ["list"], ["conflicts"], ["free", "--no-probe"],
        ["export"], ["catalog"], ["scan"], ["map"],
    ]

    /// The write calls of a traced run that touch the registry or a file beside it.
    /// `readWriteOpen` accepts an `O_RDWR` open of the registry itself (doctor's), not a write.
    static func writes(of arguments: [String], cli: CLI, strace: String, readWriteOpen: Bool = false) async throws
        -> [String]
    {
        let trace = cli.path("trace.txt")
        let result = try await cli.run(
            arguments,
            via: [
                strace, "-f", "-qq", "-o", trace, "-e",
                "trace=pwrite64,pwritev,write,ftruncate,unlink,unlinkat,fchown,fchmod,rename,openat,mkdir",
                PortregBinary.path ?? "portreg",
            ] + arguments)
        #expect(result.status == 0 || result.status == 1, "\(result)")
        let lines = try String(contentsOfFile: trace, encoding: .utf8).split(separator: "\n").map(String.init)
        unlink(trace)
        // File descriptors that name the registry or its side files.
        var registryDescriptors: Set<String> = []
        var found: [String] = []
        for line in lines {
            if line.contains("openat("), line.contains(cli.database) {
                let sideFile = !line.contains("\(cli.database)\"")
                let writable = line.contains("O_RDWR") || line.contains("O_WRONLY") || line.contains("O_CREAT")
                if sideFile || (writable && !readWriteOpen) {
                    found.append(line)
                }
                if let fd = line.split(separator: "=").last?.trimmingCharacters(in: .whitespaces) {
                    registryDescriptors.insert(fd)
                }
            } else if line.contains(cli.database) {
                found.append(line)  // unlink, rename, mkdir of the registry or a side file
            } else if let call = line.split(separator: " ").dropFirst().first,
                ["pwrite64(", "pwritev(", "write(", "ftruncate(", "fchown(", "fchmod("].contains(where: {
                    call.hasPrefix($0)
                }),
                let open = call.firstIndex(of: "("),
                let comma = call.firstIndex(of: ","),
                registryDescriptors.contains(String(call[call.index(after: open)..<comma]))
            {
                found.append(line)
            }
        }
        return found
    }

    @Test(
        "a read-only command makes no write call on an existing registry",
        .enabled(if: SystemCallTrace.path != nil, SystemCallTrace.reason), arguments: readers)
    func aReadOnlyCommandWritesNothing(_ arguments: [String]) async throws {
        let cli = try CLI()
        try await cli.run("add", "billing", "19001").expect(status: 0)
        let writes = try await Self.writes(of: arguments, cli: cli, strace: SystemCallTrace.path!)
        #expect(writes.isEmpty, "\(arguments.joined(separator: " ")) wrote:\n\(writes.joined(separator: "\n"))")
        for suffix in ["-wal", "-shm", "-journal"] { #expect(!cli.exists(cli.database + suffix), "\(suffix)") }
    }

    /// doctor opens the file read-write, because SQLite's integrity_check verifies CHECK
    /// constraints only on such a connection; it still writes nothing to a current registry.
    @Test(.enabled(if: SystemCallTrace.path != nil, SystemCallTrace.reason))
    func doctorMakesNoWriteCall() async throws {
        let cli = try CLI()
        try await cli.run("add", "billing", "19001").expect(status: 0)
        let writes = try await Self.writes(of: ["doctor"], cli: cli, strace: SystemCallTrace.path!, readWriteOpen: true)
        #expect(writes.isEmpty, "doctor wrote:\n\(writes.joined(separator: "\n"))")
    }

    @Test(
        "the first use still creates, migrates and seeds",
        .enabled(if: SystemCallTrace.path != nil, SystemCallTrace.reason))
    func theFirstUseStillCreatesTheRegistry() async throws {
        let cli = try CLI()
        let writes = try await Self.writes(of: ["lookup", "5432"], cli: cli, strace: SystemCallTrace.path!)
        #expect(!writes.isEmpty, "creating the registry writes it")
        try await cli.run("lookup", "5432").expect(status: 0, stdout: ["postgresql"])
    }

    /// A registry an older portreg left in WAL mode: its next use switches it to a rollback
    /// journal (the switch is a write), and from then on reads write nothing.
    @Test(
        .enabled(if: SystemCallTrace.path != nil, SystemCallTrace.reason),
        .enabled(if: SQLiteShell.isAvailable, "no /usr/bin/sqlite3 to put the registry in WAL mode"))
    func aRegistryInWALModeIsSwitchedOnceThenReadsWriteNothing() async throws {
        let cli = try CLI()
        try await cli.run("add", "billing", "19001").expect(status: 0)
        try await cli.run(["-cmd", "PRAGMA journal_mode = WAL", cli.database, "SELECT 1"], via: [SQLiteShell.path])
            .expect(status: 0)
        try await cli.run("lookup", "19001").expect(status: 0, stdout: ["billing"])
        let writes = try await Self.writes(of: ["lookup", "19001"], cli: cli, strace: SystemCallTrace.path!)
        #expect(writes.isEmpty, "\(writes.joined(separator: "\n"))")
    }
}

/// SPEC "Shared registry on PostgreSQL": a libpq keyword string is a connection, never a
/// file name (a file named with its password, which `doctor` would print).
@Suite("--db with a libpq keyword string")
struct KeywordConnectionStringCLITests {
    @Test func aKeywordStringIsAServerNotAFile() async throws {
        let cli = try CLI()
        let connection = "host=\(cli.path("no-server")) dbname=ports password=hunter2secret connect_timeout=1"
        let result = try await cli.run(["doctor", "--db", connection], environment: ["PORTREG_BUSY_TIMEOUT": "500"])
        #expect(result.status == 75, "\(result)")
        #expect(result.stderr.contains("password=***"), "\(result)")
        #expect(!result.stderr.contains("hunter2secret") && !result.stdout.contains("hunter2secret"), "\(result)")
        let files = try FileManager.default.contentsOfDirectory(atPath: cli.directory.path)
        #expect(!files.contains { $0.contains("dbname") || $0.contains("hunter2") }, "\(files)")
    }

    @Test func aKeywordThatLibpqDoesNotKnowIsBadUsage() async throws {
        let cli = try CLI()
        let result = try await cli.run("lookup", "80", "--db", "hots=db password=hunter2secret")
        result.expect(status: 64, stderr: ["'hots' is not a libpq keyword", "./hots="])
        #expect(!result.stderr.contains("hunter2secret"))
        #expect(
            try FileManager.default.contentsOfDirectory(atPath: cli.directory.path).allSatisfy { !$0.contains("hots") })
        // The way to a file of that name.
        try await cli.run("lookup", "80", "--db", "./hots=db").expect(status: 0)
    }
}
