import PortregTestSupport
import Foundation
import Testing

import Glibc

/// Regression tests for issue 13 (hardening, round two): each repro of the issue, run on the
/// built binary.
@Suite struct Hardening3Tests {
    /// Runs `script` with `sh -c` in the test's folder, `$P` the portreg binary.
    static func shell(_ cli: CLI, _ script: String, timeout: Duration = .seconds(60)) async throws -> CLIResult {
        guard let binary = PortregBinary.path else { throw CLIError("portreg binary not found") }
        return try await cli.run(
            [script], environment: ["P": binary], timeout: timeout, via: ["/bin/sh", "-c", script])
    }

    // MARK: #1 a password printed in clear

    static let malformedURIs = [
        "postgresql://ports:Secr3tPW@[::1/portreg", "postgresql://ports:Secr3tPW@[]/portreg",
        "postgresql://ports:Secr3tPW@[::1]x/portreg", "postgresql://ports:Secr3tPW%ZZ@db/portreg",
        "postgresql://ports:Secr3tPW%00@db/portreg", "postgresql://ports:Secr3tPW@db:notaport/portreg",
        "postgresql://ports:Sec/r3tPW@db/portreg", "postgres://db/portreg?password=Secr3tPW&bogus=1",
        "postgres://db/portreg?password=Secr3tPW&sslmode=nonsense",
        "postgres://db/portreg?pass%77ord=Secr3tPW&bogus=1",
    ]

    @Test(arguments: malformedURIs)
    func aMalformedURIIsUsageAndNeverShowsThePassword(uri: String) async throws {
        let cli = try CLI()
        for environment: [String: String?] in [
            ["PORTREG_BUSY_TIMEOUT": "200"], ["PORTREG_DB": uri, "PORTREG_BUSY_TIMEOUT": "200"],
        ] {
            let arguments = environment["PORTREG_DB"] == nil ? ["--db", uri, "list"] : ["list"]
            let result = try await cli.run(arguments, environment: environment)
            result.expect(status: 64, stderr: ["invalid"], stderrLacks: ["Secr3t", "r3tPW", "%ZZ", "%00"])
            #expect(!result.stdout.contains("Secr3t"))
        }
    }

    // MARK: #2 a file lost

    @Test func exportToStandardOutputAppendsInsteadOfReplacingTheFile() async throws {
        let cli = try CLI()
        try await cli.run("add", "web", "9000").expect(status: 0)
        let script = """
            echo prefix > app.txt; "$P" export -o /dev/stdout >> app.txt || exit 9
            { echo a; "$P" export -o /dev/stdout; echo b; } > f || exit 9
            for name in - /dev/fd/1 /proc/self/fd/1; do "$P" export -o "$name" > "out$(echo "$name" | tr / _)" || exit 9; done
            echo before > g; "$P" export -o /dev/fd/3 3>> g || exit 9
            """
        try await Self.shell(cli, script).expect(status: 0)
        let app = String(decoding: try cli.bytes(of: cli.path("app.txt")), as: UTF8.self)
        #expect(app.hasPrefix("prefix\nservice,port,"), "\(app)")
        let f = String(decoding: try cli.bytes(of: cli.path("f")), as: UTF8.self)
        #expect(f.hasPrefix("a\nservice,port,") && f.hasSuffix("\nb\n"), "\(f)")
        for name in ["out-", "out_dev_fd_1", "out_proc_self_fd_1"] {
            let text = String(decoding: try cli.bytes(of: cli.path(name)), as: UTF8.self)
            #expect(text.hasPrefix("service,port,") && text.contains("web,9000,tcp"), "\(name): \(text)")
        }
        let g = String(decoding: try cli.bytes(of: cli.path("g")), as: UTF8.self)
        #expect(g.hasPrefix("before\nservice,port,"), "\(g)")
        let leftovers = try FileManager.default.contentsOfDirectory(atPath: cli.directory.path).filter {
            $0.contains(".tmp-")
        }
        #expect(leftovers.isEmpty, "\(leftovers)")
    }

    // MARK: #3 unbounded input

    @Test func importSniffsTheFirstLineBeforeReadingAnEndlessStream() async throws {
        let cli = try CLI()
        for script in ["\"$P\" import /dev/zero", "yes 'x,1' | \"$P\" import -"] {
            // Reading the stream would never end (the run is killed: 137, not 65).
            let result = try await Self.shell(cli, script, timeout: .seconds(120))
            result.expect(status: 65, stderr: [":1: error: not a known format"])
        }
    }

    @Test func aStreamLargerThanTheLimitIs65() async throws {
        let cli = try CLI()
        let script = """
            { echo 'service,port,protocol,host,bind,owner,note,created_at,expires_at'; yes 'x,1,tcp,*,*,,,,'; } | "$P" import -
            """
        let result = try await Self.shell(cli, script, timeout: .seconds(50))
        result.expect(status: 65, stderr: ["<stdin>", "more than 256 MiB", "nothing was imported"])
        #expect(!(try await cli.exported()).contains("x,1,tcp"))
    }

    // MARK: #5 look-alike hosts

    @Test func invisibleCodePointsAreRefusedInHostsAndEscapedInMessages() async throws {
        let cli = try CLI()
        for invisible in ["\u{200B}", "\u{200C}", "\u{200D}", "\u{2060}", "\u{FEFF}", "\u{00AD}"] {
            let result = try await cli.run("add", "x", "9105", "--host", "prod\(invisible)")
            let escaped = "\\u{" + String(invisible.unicodeScalars.first!.value, radix: 16, uppercase: true) + "}"
            result.expect(status: 64, stderr: ["prod\(escaped)"], stderrLacks: [invisible])
        }
        let service = try await cli.run("add", "bill\u{200B}ing", "9106")
        service.expect(status: 64, stderr: ["invalid service name 'bill\\u{200B}ing'"], stderrLacks: ["\u{200B}"])
        let csv = try cli.write(
            "hosts.csv",
            "service,port,protocol,host,bind,owner,note,created_at,expires_at\nx,9105,tcp,prod\u{200B},*,,,,\n")
        try await cli.run("import", csv).expect(status: 65, stderr: ["hosts.csv:2:"], stderrLacks: ["\u{200B}"])
        try await cli.run("add", "y", "9105", "--host", "prod").expect(status: 0)
    }

    // MARK: #6 temporary files left behind

    @Test(arguments: [SIGTERM, SIGHUP, SIGINT, SIGPIPE])
    func aSignalDuringExportRemovesTheTemporaryFile(signal: Int32) async throws {
        let cli = try CLI()
        var csv = "service,port,protocol,host,bind,owner,note,created_at,expires_at\n"
        for index in 0..<20_000 { csv += "s\(index),\(1024 + index),tcp,*,*,,,,\n" }
        try await cli.run("import", try cli.write("big.csv", csv)).expect(status: 0)
        try cli.write("ports.json", "kept\n")
        // The export runs in the background, with the four signals unblocked and at their
        // default action as in a terminal (the test runner's children inherit signals
        // blocked, and sh ignores SIGINT in background jobs); once its temporary file shows,
        // the signal.
        let script = """
            python3 -c 'import os, signal, sys
            signal.pthread_sigmask(signal.SIG_SETMASK, [])
            for s in (1, 2, 13, 15): signal.signal(s, signal.SIG_DFL)
            os.execv(sys.argv[1], sys.argv[1:])' "$P" export --format json -o ports.json & pid=$!
            end=$(( $(date +%s) + 90 ))
            while ! ls -A | grep -q '^\\.ports\\.json\\.tmp-'; do
                [ "$(head -c 4 ports.json)" = kept ] || { echo "the export ended before the signal"; exit 3; }
                [ "$(date +%s)" -lt $end ] || { echo "no temporary file showed"; exit 4; }
            done
            kill -\(signal) $pid; wait $pid; echo "status $?"
            """
        // The shell too starts with nothing blocked: dash's `wait` sleeps until SIGCHLD.
        guard let binary = PortregBinary.path else { throw CLIError("portreg binary not found") }
        let reset = """
            import os, signal, sys
            signal.pthread_sigmask(signal.SIG_SETMASK, [])
            os.execv("/bin/sh", ["sh", "-c", sys.argv[1]])
            """
        let result = try await cli.run(
            [script], environment: ["P": binary], timeout: .seconds(150),
            via: ["/usr/bin/env", "python3", "-c", reset, script])
        #expect(result.stdout.contains("status \(128 + signal)"), "\(result)")
        let names = try FileManager.default.contentsOfDirectory(atPath: cli.directory.path)
        #expect(!names.contains { $0.contains(".tmp-") }, "\(names)")
        #expect(String(decoding: try cli.bytes(of: cli.path("ports.json")), as: UTF8.self) == "kept\n")
    }

    // MARK: #8 small ones

    @Test func smallUsageErrors() async throws {
        let cli = try CLI()
        try await cli.run("export", "-o", "").expect(status: 64, stderr: ["-o needs a file name"])
        try await cli.run("reserve", "a", "--count", "-1").expect(
            status: 64, stderr: ["--count must be positive"], stderrLacks: ["Missing value"])
        try await cli.run("reserve", "a", "--ttl", "-5m").expect(
            status: 64, stderr: ["--ttl must be positive"], stderrLacks: ["Missing value"])
        try await cli.run("free", "--count", "-1").expect(status: 64, stderr: ["--count must be 1-4096"])
    }

    // MARK: merge counts (issue 16): a claim named twice counts the same on both backends

    @Test(arguments: Backend.available)
    func aClaimNamedTwiceCountsEveryRowOnBothBackends(backend: Backend) async throws {
        let cli = try CLI(backend)
        try await cli.run("add", "old", "9200", "--owner", "x").expect(status: 0)
        let csv = try cli.write(
            "twice.csv",
            """
            service,port,protocol,host,bind,owner,note,created_at,expires_at
            web,9000,tcp,*,*,a,,,
            web,9000,tcp,*,*,b,,,
            web,9000,tcp,*,*,b,,,
            old,9200,tcp,*,*,x,,,
            old,9200,tcp,*,*,y,,,

            """)
        for dryRun in [true, false] {
            let result = try await cli.run(["import", csv, "--format", "json"] + (dryRun ? ["--dry-run"] : []))
            result.expect(status: 0)
            let report = try #require(try result.jsonObjects().first)
            #expect(report["rows"] as? Int == 5)
            #expect(report["added"] as? Int == 1, "\(backend) \(report)")
            #expect(report["updated"] as? Int == 2, "\(backend) \(report)")
            #expect(report["unchanged"] as? Int == 2, "\(backend) \(report)")
        }
    }
}

/// Issue 13 on a PostgreSQL server: a read-only one, and the server's own timeouts.
@Suite("PostgreSQL hardening", .enabled(if: PostgresSchema.isConfigured, PostgresSchema.skipMessage))
struct Hardening3ServerTests {
    /// A login role with `default_transaction_read_only = on`, allowed to use `schema`.
    static func readOnlyRole(for schema: PostgresSchema) throws -> String {
        let role = "ro_" + schema.name
        try PostgresSchema.psql(
            """
            CREATE ROLE \(role) LOGIN; ALTER ROLE \(role) SET default_transaction_read_only = on;
            GRANT USAGE ON SCHEMA \(schema.name) TO \(role);
            GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA \(schema.name) TO \(role);
            GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA \(schema.name) TO \(role);
            """)
        return role
    }

    @Test func aReadOnlyServerRefusesWritesWith73AndDryRunsStillWork() async throws {
        let cli = try CLI(.postgres)
        let schema = try #require(cli.schema)
        try await cli.run("add", "web", "9000").expect(status: 0)
        let role = try Self.readOnlyRole(for: schema)
        defer { _ = try? PostgresSchema.psql("DROP OWNED BY \(role); DROP ROLE \(role)") }
        let readOnly = schema.url.replacingOccurrences(of: "://postgres@", with: "://\(role)@")
        #expect(readOnly != schema.url)
        let environment: [String: String?] = ["PORTREG_DB": readOnly]
        try await cli.run(["list"], environment: environment).expect(status: 0, stdout: ["web"])
        let csv = try cli.write(
            "more.csv", "service,port,protocol,host,bind,owner,note,created_at,expires_at\napi,9100,tcp,*,*,,,,\n")
        for arguments in [
            ["add", "api", "9100"], ["remove", "web"], ["import", csv], ["reserve", "x", "--no-probe"],
        ] {
            try await cli.run(arguments, environment: environment).expect(
                status: 73, stderr: ["the registry is read-only for this user", "nothing was changed"],
                stderrLacks: ["INSERT", "DELETE", "SELECT", "while executing"])
        }
        let dryRun = try await cli.run(["import", csv, "--dry-run", "--format", "json"], environment: environment)
        dryRun.expect(status: 0)
        #expect(try dryRun.jsonObjects().first?["added"] as? Int == 1)
        try await cli.run("list").expect(status: 0, stdout: ["web"], stdoutLacks: ["api"])
    }

    @Test func aStatementTimeoutIsNamed() async throws {
        let cli = try CLI(.postgres)
        try await cli.run("add", "web", "9000").expect(status: 0)
        let url = cli.database + "%20-cstatement_timeout%3D1"
        let result = try await cli.run(["add", "api", "9100"], environment: ["PORTREG_DB": url])
        result.expect(status: 75, stderr: ["statement_timeout"], stderrLacks: ["busy timeout (", "INSERT"])
    }

    @Test func anIdleInTransactionTimeoutIsNamed() async throws {
        let cli = try CLI(.postgres)
        var csv = "service,port,protocol,host,bind,owner,note,created_at,expires_at\n"
        for index in 0..<3_000 { csv += "s\(index),\(20_000 + index),tcp,*,*,,,,\n" }
        let file = try cli.write("many.csv", csv)
        let url = cli.database + "%20-cidle_in_transaction_session_timeout%3D1"
        let result = try await cli.run(["import", file], environment: ["PORTREG_DB": url])
        if result.status != 0 {
            result.expect(
                status: 75, stderr: ["idle_in_transaction_session_timeout"], stderrLacks: ["try again"])
        }
        // Raised, the same import goes through: the file is parsed before the transaction.
        let raised = cli.database + "%20-cidle_in_transaction_session_timeout%3D5000"
        try await cli.run(["import", file], environment: ["PORTREG_DB": raised]).expect(status: 0)
    }
}
