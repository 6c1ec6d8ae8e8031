import Foundation
import PortregTestSupport
import Testing

import Glibc

/// Runs the built `portreg` binary end to end: arguments, standard input and environment in;
/// standard output, standard error and exit status out.
///
/// Each `CLI` owns a fresh temporary folder (removed when the value goes away) and a database
/// path inside it that does not exist yet, so tests that run in parallel never share a file.
struct CLI: Sendable {
    let directory: TemporaryDirectory
    /// `$PORTREG_DB` for every run (unless the run unsets it).
    let database: String
    /// The PostgreSQL schema holding this test's assignments, for `.postgres` (Backends.swift).
    let schema: PostgresSchema?

    init() throws {
        directory = try TemporaryDirectory(prefix: "portreg-cli")
        database = directory.path + "/registry.db"
        schema = nil
    }

    /// A registry on `backend`: a SQLite file, or a new schema on the test server (the catalog
    /// then in `catalog.db` under the test's `HOME`).
    init(_ backend: Backend) throws {
        directory = try TemporaryDirectory(prefix: "portreg-cli")
        switch backend {
        case .sqlite:
            database = directory.path + "/registry.db"
            schema = nil
        case .postgres:
            let schema = try PostgresSchema()
            database = schema.url
            self.schema = schema
        }
    }

    /// `name` inside this test's folder.
    func path(_ name: String) -> String { directory.path + "/" + name }

    /// Runs `portreg arguments…` in this test's folder with `PORTREG_DB` set to `database`,
    /// `NO_COLOR=1`, `HOME` inside the folder, and `environment` applied last (a nil value
    /// unsets the variable). A run that outlives `timeout` is killed (and shows as status 137).
    /// `via` runs another program instead (such as a shell script that calls portreg), with
    /// `arguments` only shown in messages.
    func run(
        _ arguments: [String], stdin: String? = nil, environment: [String: String?] = [:],
        timeout: Duration = .seconds(60), via command: [String]? = nil
    ) async throws -> CLIResult {
        guard let binary = PortregBinary.path else {
            throw CLIError("portreg binary not found; looked in: \(PortregBinary.candidates.joined(separator: ", "))")
        }
        var variables = ProcessInfo.processInfo.environment
        for name in ["PORTREG_DB", "XDG_DATA_HOME", "NO_COLOR", "HOME"] { variables[name] = nil }
        variables["PORTREG_DB"] = database
        variables["NO_COLOR"] = "1"
        variables["HOME"] = path("home")
        for (name, value) in environment { variables[name] = value }

        let token = UUID().uuidString
        let outPath = path(".run-\(token).out")
        let errPath = path(".run-\(token).err")
        defer {
            unlink(outPath)
            unlink(errPath)
        }
        guard FileManager.default.createFile(atPath: outPath, contents: nil),
            FileManager.default.createFile(atPath: errPath, contents: nil),
            let outHandle = FileHandle(forWritingAtPath: outPath),
            let errHandle = FileHandle(forWritingAtPath: errPath)
        else { throw CLIError("cannot create output files in \(directory.path)") }
        defer {
            try? outHandle.close()
            try? errHandle.close()
        }

        let process = Process()
        process.executableURL = URL(fileURLWithPath: command?.first ?? binary)
        process.arguments = command.map { Array($0.dropFirst()) } ?? arguments
        process.environment = variables.compactMapValues { $0 }
        process.currentDirectoryURL = URL(fileURLWithPath: directory.path)
        process.standardOutput = outHandle
        process.standardError = errHandle
        var inHandle: FileHandle?
        if let stdin {
            let inPath = path(".run-\(token).in")
            guard FileManager.default.createFile(atPath: inPath, contents: Data(stdin.utf8)),
                let handle = FileHandle(forReadingAtPath: inPath)
            else { throw CLIError("cannot create \(inPath)") }
            unlink(inPath)  // the open handle keeps it readable
            inHandle = handle
            process.standardInput = handle
        } else {
            process.standardInput = FileHandle.nullDevice
        }
        defer { try? inHandle?.close() }

        let (exits, exited) = AsyncStream.makeStream(of: Void.self)
        process.terminationHandler = { _ in
            exited.yield()
            exited.finish()
        }
        try process.run()
        let pid = process.processIdentifier
        let watchdog = Task {
            try await Task.sleep(for: timeout)
            kill(pid, SIGKILL)
        }
        for await _ in exits {}
        watchdog.cancel()

        let status: Int32 =
            process.terminationReason == .exit ? process.terminationStatus : 128 + process.terminationStatus
        let out = try Data(contentsOf: URL(fileURLWithPath: outPath))
        let err = try Data(contentsOf: URL(fileURLWithPath: errPath))
        return CLIResult(
            arguments: arguments, status: status, stdoutBytes: [UInt8](out),
            stdout: String(decoding: out, as: UTF8.self), stderr: String(decoding: err, as: UTF8.self))
    }

    func run(_ arguments: String..., stdin: String? = nil, environment: [String: String?] = [:]) async throws
        -> CLIResult
    {
        try await run(arguments, stdin: stdin, environment: environment)
    }

    /// The assignments as `export` writes them (registry CSV), to compare a database before
    /// and after a command that must not change it.
    func exported() async throws -> String {
        let result = try await run("export")
        result.expect(status: 0)
        return result.stdout
    }

    /// Writes `text` to `name` in this test's folder (its folders made first) and returns the path.
    @discardableResult
    func write(_ name: String, _ text: String) throws -> String {
        let file = path(name)
        let folder = URL(fileURLWithPath: file).deletingLastPathComponent()
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        try Data(text.utf8).write(to: URL(fileURLWithPath: file))
        return file
    }

    func bytes(of file: String) throws -> [UInt8] {
        [UInt8](try Data(contentsOf: URL(fileURLWithPath: file)))
    }

    func exists(_ file: String) -> Bool { access(file, F_OK) == 0 }
}

/// What one run of `portreg` produced.
struct CLIResult: Sendable, CustomStringConvertible {
    let arguments: [String]
    let status: Int32
    let stdoutBytes: [UInt8]
    let stdout: String
    let stderr: String

    var description: String {
        "portreg \(arguments.joined(separator: " ")) → exit \(status)\n--- stdout ---\n\(stdout)--- stderr ---\n\(stderr)"
    }

    /// Standard output without a trailing newline, split into lines.
    var lines: [String] {
        stdout.split(separator: "\n", omittingEmptySubsequences: false).map(String.init).dropLastIfEmpty()
    }

    /// `--format csv` output as records (the header first).
    var csv: [[String]] { CSVText.parse(stdout) }

    /// `--format csv` output as dictionaries keyed by the header.
    var csvRows: [[String: String]] {
        let records = csv
        guard let header = records.first else { return [] }
        return records.dropFirst().map { Dictionary(zip(header, $0), uniquingKeysWith: { first, _ in first }) }
    }

    /// `--format json` output.
    func json() throws -> Any {
        try JSONSerialization.jsonObject(with: Data(stdoutBytes), options: [.fragmentsAllowed])
    }

    /// `--format json` output that is an array of objects.
    func jsonObjects(sourceLocation: SourceLocation = #_sourceLocation) throws -> [[String: Any]] {
        let value = try json()
        // A one-object report (`import --format json`) reads as one row.
        if let object = value as? [String: Any] { return [object] }
        return try #require(
            value as? [[String: Any]], "not a JSON array of objects: \(stdout)", sourceLocation: sourceLocation)
    }

    /// Checks the exit status, what stdout and stderr contain and lack, and that no crash
    /// report (stack trace) reached stderr, whatever the status.
    func expect(
        status expected: Int32, stdout stdoutFragments: [String] = [], stderr stderrFragments: [String] = [],
        stdoutLacks: [String] = [], stderrLacks: [String] = [], stdoutIsEmpty: Bool = false,
        stderrIsEmpty: Bool = false,
        sourceLocation: SourceLocation = #_sourceLocation
    ) {
        #expect(status == expected, "expected exit \(expected)\n\(self)", sourceLocation: sourceLocation)
        for fragment in stdoutFragments {
            #expect(stdout.contains(fragment), "stdout lacks \"\(fragment)\"\n\(self)", sourceLocation: sourceLocation)
        }
        for fragment in stderrFragments {
            #expect(stderr.contains(fragment), "stderr lacks \"\(fragment)\"\n\(self)", sourceLocation: sourceLocation)
        }
        for fragment in stdoutLacks {
            #expect(!stdout.contains(fragment), "stdout has \"\(fragment)\"\n\(self)", sourceLocation: sourceLocation)
        }
        for fragment in stderrLacks {
            #expect(!stderr.contains(fragment), "stderr has \"\(fragment)\"\n\(self)", sourceLocation: sourceLocation)
        }
        if stdoutIsEmpty { #expect(stdout.isEmpty, "stdout should be empty\n\(self)", sourceLocation: sourceLocation) }
        if stderrIsEmpty { #expect(stderr.isEmpty, "stderr should be empty\n\(self)", sourceLocation: sourceLocation) }
        expectNoCrashReport(sourceLocation: sourceLocation)
        // NO_COLOR is set and neither stream is a terminal: no escape sequences.
        #expect(
            !stdout.contains("\u{1B}[") && !stderr.contains("\u{1B}["), "colour escape codes\n\(self)",
            sourceLocation: sourceLocation)
    }

    /// A failing command: exact status, a `portreg: …` message on stderr containing every
    /// fragment, and no stack trace.
    func expectFailure(
        _ expected: Int32, _ stderrFragments: String..., stdoutIsEmpty: Bool = true,
        sourceLocation: SourceLocation = #_sourceLocation
    ) {
        expect(status: expected, stderr: stderrFragments, stdoutIsEmpty: stdoutIsEmpty, sourceLocation: sourceLocation)
        #expect(!stderr.isEmpty, "a failure must explain itself on stderr\n\(self)", sourceLocation: sourceLocation)
    }

    func expectNoCrashReport(sourceLocation: SourceLocation = #_sourceLocation) {
        for marker in ["Fatal error", "Stack dump", "Program crashed", "Backtrace", "Current stack trace"] {
            #expect(
                !stderr.contains(marker), "stack trace on stderr (\(marker))\n\(self)", sourceLocation: sourceLocation)
        }
    }
}

struct CLIError: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}

/// Where the `portreg` executable is: the test bundle is built into the same products folder
/// (`.build/debug`, `.build/<triple>/debug` or `<--scratch-path>/debug`), so look beside the
/// running test executable first, then under the package's default `.build`.
/// `PORTREG_BIN` overrides the search.
enum PortregBinary {
    static let candidates: [String] = {
        var folders: [URL] = []
        if let executable = Bundle.main.executableURL { folders.append(executable.deletingLastPathComponent()) }
        folders.append(Bundle.main.bundleURL)
        folders.append(Bundle.main.bundleURL.deletingLastPathComponent())
        for bundle in Bundle.allBundles where bundle.bundlePath.hasSuffix(".xctest") {
            folders.append(bundle.bundleURL.deletingLastPathComponent())
        }
        if let first = CommandLine.arguments.first, first.contains("/") {
            folders.append(URL(fileURLWithPath: first).resolvingSymlinksInPath().deletingLastPathComponent())
        }
        if let link = try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe") {
            folders.append(URL(fileURLWithPath: link).deletingLastPathComponent())
        }
        var paths = folders.map { $0.appendingPathComponent("portreg").path }
        let build = Repository.root + "/.build"
        paths.append(build + "/debug/portreg")
        if let triples = try? FileManager.default.contentsOfDirectory(atPath: build) {
            paths += triples.sorted().map { "\(build)/\($0)/debug/portreg" }
        }
        if let explicit = ProcessInfo.processInfo.environment["PORTREG_BIN"], !explicit.isEmpty {
            paths.insert(explicit, at: 0)
        }
        var seen = Set<String>()
        return paths.filter { seen.insert($0).inserted }
    }()

    static let path: String? = candidates.first { candidate in
        var isDirectory: ObjCBool = false
        return FileManager.default.fileExists(atPath: candidate, isDirectory: &isDirectory) && !isDirectory.boolValue
            && access(candidate, X_OK) == 0
    }
}

/// `/usr/bin/sqlite3`, to edit a database behind portreg's back.
enum SQLiteShell {
    static let path = "/usr/bin/sqlite3"
    static var isAvailable: Bool { access(path, X_OK) == 0 }
    static let skipMessage: Comment = "/usr/bin/sqlite3 not installed: skipping tests that edit a database directly"

    /// Runs `sql` on `database`; throws when sqlite3 fails.
    static func run(_ database: String, _ sql: String) throws -> String {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: path)
        process.arguments = [database, sql]
        let output = Pipe()
        let errors = Pipe()
        process.standardOutput = output
        process.standardError = errors
        process.standardInput = FileHandle.nullDevice
        try process.run()
        let out = output.fileHandleForReading.readDataToEndOfFile()
        let err = errors.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else {
            throw CLIError("sqlite3 \(database) \(sql): \(String(decoding: err, as: UTF8.self))")
        }
        return String(decoding: out, as: UTF8.self)
    }
}

/// RFC 4180 records (quoted fields may hold commas, quotes and newlines), enough to read
/// portreg's `--format csv` and registry CSV.
enum CSVText {
    static func parse(_ text: String) -> [[String]] {
        var records: [[String]] = []
        var record: [String] = []
        var field = ""
        var quoted = false
        var fieldStarted = false
        var characters = Array(text.unicodeScalars)[...]
        while let scalar = characters.popFirst() {
            if quoted {
                if scalar == "\"" {
                    if characters.first == "\"" {
                        field.unicodeScalars.append("\"")
                        characters.removeFirst()
                    } else {
                        quoted = false
                    }
                } else {
                    field.unicodeScalars.append(scalar)
                }
                continue
            }
            switch scalar {
            case "\"" where field.isEmpty:
                quoted = true
                fieldStarted = true
            case ",":
                record.append(field)
                field = ""
                fieldStarted = true
            case "\r" where characters.first == "\n":
                continue
            case "\n":
                record.append(field)
                records.append(record)
                record = []
                field = ""
                fieldStarted = false
            default:
                field.unicodeScalars.append(scalar)
                fieldStarted = true
            }
        }
        if fieldStarted || !record.isEmpty {
            record.append(field)
            records.append(record)
        }
        return records
    }
}

extension Array where Element == String {
    func dropLastIfEmpty() -> [String] {
        last == "" ? Array(dropLast()) : self
    }
}

/// The registry CSV header (SPEC.md).
let registryHeader = "service,port,protocol,host,bind,owner,note,created_at,expires_at"

/// The debug binary's hidden clock: `PORTREG_TEST_CLOCK_OFFSET=N` runs its registry clock N
/// seconds ahead (`RegistryClock.system`), so that a test sees a lease expire without
/// sleeping. A release build ignores the variable.
enum TestClock {
    static let offsetVariable = "PORTREG_TEST_CLOCK_OFFSET"
}
