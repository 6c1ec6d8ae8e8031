import Foundation
import PortregTestSupport
import Testing

import Glibc

/// Runs a command through `python3` with the command's standard output on a pseudo-terminal
/// of `columns` columns, so that terminal-only behaviour (widths, colour) is tested for real.
enum PseudoTerminal {
    static let python: String? = {
        let path = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin"
        return (path.split(separator: ":").map { "\($0)/python3" } + ["/usr/bin/python3"]).first {
            access($0, X_OK) == 0
        }
    }()
    static var isAvailable: Bool { python != nil }
    static let skipMessage: Comment = "python3 not found: skipping the pseudo-terminal tests"

    static let script = """
        import fcntl, os, pty, struct, sys, termios
        columns = int(sys.argv[1])
        pid, fd = pty.fork()
        if pid == 0:
            fcntl.ioctl(1, termios.TIOCSWINSZ, struct.pack("HHHH", 24, columns, 0, 0))
            os.execv(sys.argv[2], sys.argv[2:])
        out = b""
        while True:
            try:
                chunk = os.read(fd, 65536)
            except OSError:
                break
            if not chunk:
                break
            out += chunk
        _, status = os.waitpid(pid, 0)
        sys.stdout.buffer.write(out.replace(b"\\r\\n", b"\\n"))
        sys.exit(os.waitstatus_to_exitcode(status))
        """

    static func run(
        _ cli: CLI, columns: Int, _ arguments: [String], environment: [String: String?] = [:]
    ) throws -> (status: Int32, stdout: String) {
        let binary = try #require(PortregBinary.path)
        let process = Process()
        process.executableURL = URL(fileURLWithPath: try #require(python))
        process.arguments = ["-c", script, String(columns), binary] + arguments
        var variables = ProcessInfo.processInfo.environment
        variables["PORTREG_DB"] = cli.database
        variables["HOME"] = cli.path("home")
        variables["NO_COLOR"] = "1"
        variables["COLUMNS"] = nil
        for (name, value) in environment { variables[name] = value }
        process.environment = variables.compactMapValues { $0 }
        let output = Pipe()
        process.standardOutput = output
        process.standardInput = FileHandle.nullDevice
        try process.run()
        let data = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return (process.terminationStatus, String(decoding: data, as: UTF8.self))
    }
}

/// Characters shown, escape sequences left out.
func visibleWidth(_ line: Substring) -> Int {
    var count = 0
    var escaping = false
    for character in line {
        if escaping {
            if character == "m" { escaping = false }
        } else if character == "\u{1B}" {
            escaping = true
        } else {
            count += 1
        }
    }
    return count
}

/// A registry with owners, a block, a lease, a collision and hostile text in an owner.
func teamRegistry() async throws -> CLI {
    let cli = try CLI()
    for arguments in [
        ["add", "billing", "8080", "--owner", "team-pay", "--note", "payments API"],
        ["add", "shop", "8080", "--owner", "team-<shop>&", "--force"],
        ["add", "grpc-workers", "20000-20999", "--owner", "team-pay"],
        ["add", "statsd", "8125/udp", "--owner", "team-obs"],
        ["add", "grafana", "3000", "--owner", "team-obs"],
    ] {
        let result = try await cli.run(arguments)
        result.expect(status: 0)
    }
    return cli
}

@Suite("map")
struct MapCLITests {
    @Test func svgIsWellFormedWithTitlesLegendAndRedCollisions() async throws {
        let cli = try await teamRegistry()
        let result = try await cli.run("map", "-o", "ports.svg")
        result.expect(status: 0, stdoutIsEmpty: true, stderrIsEmpty: true)
        let svg = String(decoding: try cli.bytes(of: cli.path("ports.svg")), as: UTF8.self)
        #expect(svg.hasPrefix("<?xml") && svg.hasSuffix("</svg>\n"))
        for fragment in [
            "<title>billing 8080/tcp · owner team-pay · payments API · COLLIDES with shop</title>",
            "<title>shop 8080/tcp · owner team-&lt;shop&gt;&amp; · COLLIDES with billing</title>",
            "<title>grpc-workers 20000-20999/tcp · owner team-pay</title>",
            "<title>statsd 8125/udp · owner team-obs</title>", ">system ports 0–1023</text>", ">collision</text>",
            ">team-pay</text>", "registry \(cli.database)", "fill=\"#d62728\" stroke=\"#7a0c0c\"",
        ] {
            #expect(svg.contains(fragment), "lacks \(fragment)")
        }
        #expect(!svg.contains("<script") && !svg.contains("href="))
        // Well-formed XML, checked by a parser that is not ours.
        if let python = PseudoTerminal.python {
            let process = Process()
            process.executableURL = URL(fileURLWithPath: python)
            process.arguments = [
                "-c",
                """
                import sys, xml.etree.ElementTree as E
                root = E.parse(sys.argv[1]).getroot()
                ns = "{http://www.w3.org/2000/svg}"
                print(len(root.findall(f".//{ns}rect[@class='claim']/{ns}title")))
                """,
                cli.path("ports.svg"),
            ]
            let output = Pipe()
            process.standardOutput = output
            try process.run()
            let text = String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
            process.waitUntilExit()
            #expect(process.terminationStatus == 0, "not well-formed XML")
            #expect(text == "5\n", "one titled rectangle per assignment: \(text)")
        }
    }

    @Test func outputReplacesAFileAtomicallyAndAMissingFolderFails() async throws {
        let cli = try await teamRegistry()
        try cli.write("ports.svg", "old")
        let result = try await cli.run("map", "-o", "ports.svg", "--range", "8000-8999")
        result.expect(status: 0, stdoutIsEmpty: true)
        let svg = String(decoding: try cli.bytes(of: cli.path("ports.svg")), as: UTF8.self)
        #expect(svg.contains("Port map 8000–8999") && !svg.contains("grpc-workers"))
        let leftovers = try FileManager.default.contentsOfDirectory(atPath: cli.directory.path).filter {
            $0.contains(".tmp-")
        }
        #expect(leftovers.isEmpty)
        let failed = try await cli.run("map", "-o", "no/such/folder/ports.svg")
        failed.expectFailure(73, "no/such/folder/ports.svg")
    }

    @Test(arguments: [40, 80, 132])
    func terminalRenderingFitsColumnsWhenPiped(_ columns: Int) async throws {
        let cli = try await teamRegistry()
        let result = try await cli.run(["map"], environment: ["COLUMNS": String(columns)])
        result.expect(status: 0, stdout: ["Port map 0–65535", "collision"], stderrIsEmpty: true)
        for line in result.stdout.split(separator: "\n") {
            #expect(visibleWidth(line) <= columns, "\(visibleWidth(line)) > \(columns): \(line)")
        }
        #expect(result.lines.contains { $0.hasPrefix("20000 ") && $0.contains("grpc-workers") })
    }

    @Test(.enabled(if: PseudoTerminal.isAvailable, PseudoTerminal.skipMessage))
    func colourOnATerminalOnlyAndNeverWithNoColor() async throws {
        let cli = try await teamRegistry()
        let coloured = try PseudoTerminal.run(cli, columns: 100, ["map"], environment: ["NO_COLOR": nil])
        #expect(coloured.status == 0)
        #expect(coloured.stdout.contains("\u{1B}[38;5;"), "\(coloured.stdout)")
        #expect(coloured.stdout.contains("█"))
        for line in coloured.stdout.split(separator: "\n") {
            #expect(visibleWidth(line) <= 100, "\(line)")
        }
        let plain = try PseudoTerminal.run(cli, columns: 100, ["map"])
        #expect(plain.status == 0 && !plain.stdout.contains("\u{1B}[") && plain.stdout.contains("Port map"))
    }

    @Test func jsonAndCSVGiveTheBlocksBehindThePicture() async throws {
        let cli = try await teamRegistry()
        let json = try await cli.run("--db", cli.database, "--format", "json", "map", "--range", "8000-8999")
        json.expect(status: 0, stderrIsEmpty: true)
        let blocks = try json.jsonObjects()
        #expect(blocks.count == 1000, "one port a cell for 1,000 ports")
        let at8080 = try #require(blocks.first { $0["port"] as? Int == 8080 })
        #expect(at8080["assigned"] as? Int == 1 && at8080["colliding"] as? Int == 1)
        #expect(at8080["services"] as? String == "billing shop")
        #expect(blocks.first { $0["port"] as? Int == 8125 }?["services"] as? String == "statsd")
        let csv = try await cli.run("map", "--format", "csv")
        csv.expect(status: 0)
        #expect(
            csv.csv.first == [
                "port", "port_end", "system", "ephemeral", "registered", "assigned", "colliding", "services",
            ])
        #expect(csv.csvRows.first?["system"] == "20" && csv.csvRows.last?["port_end"] == "65535")
        let both = try await cli.run("map", "-o", "x.svg", "--format", "json")
        both.expectFailure(64, "-o", "--format json")
        #expect(!cli.exists(cli.path("x.svg")))
    }

    @Test func aBadRangeIsBadUsage() async throws {
        let cli = try CLI()
        let result = try await cli.run("map", "--range", "9000-8000")
        result.expectFailure(64)
        #expect(!cli.exists(cli.database), "refused before the database is opened")
    }
}

@Suite("export services and env")
struct SystemExportCLITests {
    @Test func servicesHasOneLinePerPortAndSkipsExpiredLeases() async throws {
        let cli = try CLI()
        for arguments in [
            ["add", "billing", "8080", "--owner", "team-pay", "--note", "payments\nAPI"],
            ["add", "grpc", "20000-20002", "--host", "staging"],
            ["add", "statsd", "8125/udp"],
        ] {
            try await cli.run(arguments).expect(status: 0)
        }
        try await cli.run(
            "import", "-", stdin: registryHeader + "\nold,7000,tcp,*,*,,,2020-01-01T00:00:00Z,2020-01-02T00:00:00Z\n"
        )
        .expect(status: 0)
        let result = try await cli.run("export", "--format", "services")
        result.expect(status: 0, stderrIsEmpty: true)
        #expect(
            result.lines == [
                "# portreg assignments in services(5) format: portreg export --format services",
                "billing 8080/tcp  # team-pay; payments API",
                "statsd 8125/udp",
                "grpc 20000/tcp  # host staging",
                "grpc 20001/tcp  # host staging",
                "grpc 20002/tcp  # host staging",
            ])
        let again = try await cli.run("export", "--format", "services", "-o", "services")
        again.expect(status: 0, stdoutIsEmpty: true)
        #expect(try cli.bytes(of: cli.path("services")) == result.stdoutBytes, "deterministic")
    }

    @Test func envHasPortAndPortEnd() async throws {
        let cli = try CLI()
        for arguments in [
            ["add", "billing-api", "9400"], ["add", "grpc-workers", "20713-20716"], ["add", "dns", "53/udp"],
            ["add", "dns", "53/tcp"],
        ] {
            try await cli.run(arguments).expect(status: 0)
        }
        let result = try await cli.run("export", "--format", "env")
        result.expect(status: 0, stderrIsEmpty: true)
        #expect(
            result.lines == [
                "# portreg assignments as environment variables: portreg export --format env",
                "DNS_PORT=53", "DNS_UDP_PORT=53", "BILLING_API_PORT=9400", "GRPC_WORKERS_PORT=20713",
                "GRPC_WORKERS_PORT_END=20716",
            ])
        // The file works as shell input.
        try cli.write("ports.env", result.stdout)
        let shell = Process()
        shell.executableURL = URL(fileURLWithPath: "/bin/sh")
        shell.arguments = ["-c", "set -a; . \"$1\"; echo $GRPC_WORKERS_PORT_END", "sh", cli.path("ports.env")]
        let output = Pipe()
        shell.standardOutput = output
        try shell.run()
        let echoed = String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        shell.waitUntilExit()
        #expect(echoed == "20716\n")
    }

    @Test func envRefusesTwoServicesWithOneName() async throws {
        let cli = try CLI()
        try await cli.run("add", "billing-api", "9400").expect(status: 0)
        try await cli.run("add", "billing.api", "9401").expect(status: 0)
        let result = try await cli.run("export", "--format", "env", "-o", "ports.env")
        result.expectFailure(1, "billing-api and billing.api both export as BILLING_API_PORT")
        #expect(!cli.exists(cli.path("ports.env")), "nothing written")
    }

    @Test func theCatalogHasNoServicesOrEnvFormat() async throws {
        let cli = try CLI()
        let result = try await cli.run("export", "--kind", "catalog", "--format", "services")
        result.expectFailure(64, "--format services exports assignments only")
    }
}

@Suite("one row per registration")
struct RegistrationCLITests {
    let servicesFixture = """
        # a services(5) file of our own
        postgresql\t5432/tcp\tpostgres\t# PostgreSQL Database
        redis\t6379/tcp
        teamproto\t7777/tcp
        """

    @Test func lookupShowsARegistrationOnceWithItsSources() async throws {
        let cli = try CLI()
        try cli.write("services", servicesFixture)
        try await cli.run("import", "services").expect(status: 0)
        let table = try await cli.run("lookup", "5432")
        table.expect(status: 0, stderrIsEmpty: true)
        let rows = table.lines.dropFirst()
        #expect(rows.count == 2, "\(table)")
        #expect(rows.contains { $0.contains("postgresql") && $0.contains("tcp") && $0.contains("iana,system") })
        #expect(rows.contains { $0.contains("postgresql") && $0.contains("udp") && $0.contains(" iana ") })
        let json = try await cli.run("lookup", "5432", "--format", "json")
        let objects = try json.jsonObjects()
        #expect(objects.count == 2)
        let tcp = try #require(objects.first { $0["protocol"] as? String == "tcp" })
        #expect(tcp["source"] as? String == "iana,system")
        #expect((tcp["description"] as? String)?.isEmpty == false)
        let only = try await cli.run("lookup", "teamproto", "--format", "csv")
        #expect(only.csvRows.map { $0["source"] } == ["system"])
    }

    @Test func searchRanksOneRowPerRegistration() async throws {
        let cli = try CLI()
        try cli.write("services", servicesFixture)
        try await cli.run("import", "services").expect(status: 0)
        let result = try await cli.run("search", "redis", "--limit", "2", "--format", "csv")
        result.expect(status: 0, stderrIsEmpty: true)
        #expect(result.csvRows.count == 2, "\(result)")
        #expect(result.csvRows.first?["service"] == "redis" && result.csvRows.first?["source"] == "iana,system")
        #expect(result.csvRows.first?["description"]?.isEmpty == false)
        #expect(Set(result.csvRows.compactMap { $0["service"] }).count == 2, "no registration twice")
    }

    @Test(.enabled(if: SharedData.isAvailable, SharedData.skipMessage))
    func realServicesFileGivesPostgresqlOncePerProtocol() async throws {
        let cli = try CLI()
        try await cli.run("import", SharedData.iana).expect(status: 0)
        try await cli.run("import", SharedData.services).expect(status: 0)
        let result = try await cli.run("lookup", "5432", "--format", "csv")
        result.expect(status: 0)
        let postgres = result.csvRows.filter { $0["service"] == "postgresql" }
        #expect(postgres.map { $0["protocol"] ?? "" }.sorted() == ["tcp", "udp"], "\(result)")
        #expect(postgres.contains { $0["source"] == "iana,system" }, "\(result)")
        #expect(postgres.allSatisfy { !($0["description"] ?? "").isEmpty })
    }
}

@Suite("tables fit the terminal")
struct TableWidthTests {
    @Test(.enabled(if: PseudoTerminal.isAvailable, PseudoTerminal.skipMessage))
    func aTerminalCutsTheDescriptionAndAPipeKeepsItWhole() async throws {
        let cli = try CLI()
        let note = String(repeating: "a long note about this service ", count: 6)
        try await cli.run("add", "billing", "8080", "--note", note).expect(status: 0)
        for columns in [64, 80, 100] {
            let narrow = try PseudoTerminal.run(cli, columns: columns, ["list"])
            #expect(narrow.status == 0)
            let lines = narrow.stdout.split(separator: "\n")
            #expect(lines.count == 2, "\(narrow.stdout)")
            for line in lines { #expect(visibleWidth(line) <= columns, "\(visibleWidth(line)) > \(columns): \(line)") }
            #expect(lines.last?.hasSuffix("…") == true, "\(narrow.stdout)")
        }
        let wide = try PseudoTerminal.run(cli, columns: 400, ["list"])
        #expect(wide.stdout.contains(note.trimmingCharacters(in: .whitespaces)), "room enough: the whole note")
        let piped = try await cli.run("list")
        piped.expect(status: 0, stdout: [note.trimmingCharacters(in: .whitespaces)])
    }
}

@Suite("completion")
struct CompletionCLITests {
    @Test func theCallbackListsAssignedServiceNames() async throws {
        let cli = try CLI()
        for (service, port) in [("billing", "9100"), ("billing-api", "9200"), ("grafana", "3000")] {
            try await cli.run("add", service, port).expect(status: 0)
        }
        let remove = try await cli.run(
            "---completion", "remove", "--", "positional@0", "2", "3", "portreg", "remove", "bil")
        remove.expect(status: 0, stderrIsEmpty: true)
        #expect(remove.lines == ["billing", "billing-api"])
        let list = try await cli.run("---completion", "list", "--", "--service", "2", "0", "portreg", "list", "")
        #expect(list.lines == ["billing", "billing-api", "grafana"])
        let lookup = try await cli.run(
            "---completion", "lookup", "--", "positional@0", "2", "4", "portreg", "lookup", "post")
        #expect(lookup.lines.contains("postgresql"), "catalog names too: \(lookup)")
    }

    @Test func aMissingDatabaseCompletesNothingAndStaysMissing() async throws {
        let cli = try CLI()
        let result = try await cli.run(
            "---completion", "remove", "--", "positional@0", "2", "0", "portreg", "remove", "")
        result.expect(status: 0, stdoutIsEmpty: true)
        #expect(!cli.exists(cli.database))
    }

    /// fish and zsh complete only in their interactive line editors, so these type into a
    /// real shell on a pseudo-terminal: `portreg remove g<TAB>` (twice for zsh's list).
    /// The interactive shell named `shell`, where it is installed.
    static func installed(_ shell: String) -> String? {
        (["/usr/bin/", "/bin/", "/usr/local/bin/", "/opt/homebrew/bin/"] as [String]).map { $0 + shell }
            .first { access($0, X_OK) == 0 }
    }

    @Test(
        .enabled(if: installed("fish") != nil, "fish is not installed: the fish completion is not tried"),
        .enabled(if: PseudoTerminal.isAvailable, PseudoTerminal.skipMessage))
    func fishCompletesServiceNames() async throws { try await interactiveShellCompletesServiceNames("fish") }

    @Test(
        .enabled(if: installed("zsh") != nil, "zsh is not installed: the zsh completion is not tried"),
        .enabled(if: PseudoTerminal.isAvailable, PseudoTerminal.skipMessage))
    func zshCompletesServiceNames() async throws { try await interactiveShellCompletesServiceNames("zsh") }

    func interactiveShellCompletesServiceNames(_ shell: String) async throws {
        let path = try #require(Self.installed(shell))
        let python = try #require(PseudoTerminal.python)
        let cli = try CLI()
        try await cli.run("add", "grafana", "3000").expect(status: 0)
        try await cli.run("add", "grpc-workers", "20000-20009").expect(status: 0)
        let script = try await cli.run("--generate-completion-script", shell)
        script.expect(status: 0)
        let file = try cli.write(shell == "zsh" ? "_portreg" : "portreg.fish", script.stdout)
        let (arguments, setup) =
            shell == "zsh"
            ? ([path, "-f", "-i"], "autoload -U compinit && compinit -u && source \(file)")
            : ([path, "--no-config", "-i", "-C", "source \(file)"], "")
        let driver = """
            import os, pty, select, sys, time
            setup, typed, expected, argv = sys.argv[1], sys.argv[2], sys.argv[3], sys.argv[4:]
            pid, fd = pty.fork()
            if pid == 0:
                os.execv(argv[0], argv)
            def read_until(done, limit):
                out = b""
                end = time.time() + limit
                quiet = None
                while time.time() < end:
                    ready, _, _ = select.select([fd], [], [], 0.2)
                    if ready:
                        try:
                            chunk = os.read(fd, 65536)
                        except OSError:
                            break
                        out += chunk
                        quiet = time.time()
                    if done(out, quiet):
                        break
                return out
            settled = lambda out, quiet: quiet is not None and time.time() - quiet > 0.5
            read_until(settled, 20)
            if setup:
                os.write(fd, setup.encode() + b"\\r")
                read_until(settled, 20)
            os.write(fd, typed.encode() + b"\\t")
            out = read_until(lambda out, quiet: expected.encode() in out, 5)
            if expected.encode() not in out:
                os.write(fd, b"\\t")
                out += read_until(lambda out, quiet: expected.encode() in out, 20)
            os.write(fd, b"\\x03exit\\r")
            os.kill(pid, 9)
            sys.stdout.write(out.decode("utf-8", "replace"))
            """
        let binary = try #require(PortregBinary.path)
        let process = Process()
        process.executableURL = URL(fileURLWithPath: python)
        process.arguments = ["-c", driver, setup, "portreg remove g", "grpc-workers"] + arguments
        var environment = ProcessInfo.processInfo.environment
        environment["PATH"] =
            URL(fileURLWithPath: binary).deletingLastPathComponent().path + ":" + (environment["PATH"] ?? "")
        environment["PORTREG_DB"] = cli.database
        environment["HOME"] = cli.path("home")
        environment["ZDOTDIR"] = cli.path("home")
        environment["XDG_CONFIG_HOME"] = cli.path("home/.config")
        environment["XDG_DATA_HOME"] = cli.path("home/.local/share")
        process.environment = environment
        process.currentDirectoryURL = URL(fileURLWithPath: cli.directory.path)
        let output = Pipe()
        process.standardOutput = output
        try process.run()
        let screen = String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        #expect(screen.contains("grafana") && screen.contains("grpc-workers"), "\(shell) showed: \(screen)")
    }

    @Test func bashCompletesServiceNamesThroughTheGeneratedScript() async throws {
        let cli = try CLI()
        try await cli.run("add", "grafana", "3000").expect(status: 0)
        try await cli.run("add", "grpc-workers", "20000-20009").expect(status: 0)
        for shell in ["zsh", "fish"] {
            let script = try await cli.run("--generate-completion-script", shell)
            script.expect(status: 0, stdout: ["---completion remove -- positional@0"])
        }
        let script = try await cli.run("--generate-completion-script", "bash")
        script.expect(status: 0, stdout: ["---completion remove -- positional@0"])
        try cli.write("portreg.bash", script.stdout)
        let binary = try #require(PortregBinary.path)
        let bash = Process()
        bash.executableURL = URL(fileURLWithPath: "/bin/bash")
        bash.arguments = [
            "-c",
            """
            source portreg.bash
            COMP_WORDS=(portreg remove g); COMP_CWORD=2; COMP_LINE="portreg remove g"; COMP_POINT=${#COMP_LINE}
            _portreg portreg g remove
            printf '%s\\n' "${COMPREPLY[@]}"
            """,
        ]
        var environment = ProcessInfo.processInfo.environment
        environment["PATH"] =
            URL(fileURLWithPath: binary).deletingLastPathComponent().path + ":" + (environment["PATH"] ?? "")
        environment["PORTREG_DB"] = cli.database
        bash.environment = environment
        bash.currentDirectoryURL = URL(fileURLWithPath: cli.directory.path)
        let output = Pipe()
        bash.standardOutput = output
        try bash.run()
        let completions = String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        bash.waitUntilExit()
        #expect(completions == "grafana\ngrpc-workers\n")
    }
}
