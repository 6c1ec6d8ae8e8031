import PortregTestSupport
import Testing

/// A host, a bind address or a port given on the command line is checked once, where
/// argument-parser checks arguments: the same message for every command, exit 64, the usage
/// lines after it, and nothing opened or created.
@Suite("argument checks")
struct ArgumentCheckTests {
    /// Every command that takes a host, with everything else valid.
    static let hostCommands: [(option: String, arguments: [String])] = [
        ("--host", ["add", "web", "8080"]),
        ("--host", ["reserve", "web"]),
        ("--host", ["list"]),
        ("--host", ["remove", "web"]),
        ("--host", ["free"]),
        ("--host", ["scan"]),
        ("--host", ["check", "."]),
        ("--host", ["edit", "web"]),
        ("--in-host", ["edit", "web", "--owner", "x"]),
        ("--host", ["move", "web", "8090"]),
    ]

    static let hostRule = "a host or environment name without spaces or commas, or * for every host"

    @Test(arguments: ["a b", "a,b", ""])
    func everyCommandRefusesABadHostAlike(host: String) async throws {
        let cli = try CLI()
        for (option, arguments) in ArgumentCheckTests.hostCommands {
            let result = try await cli.run(arguments + [option, host])
            let valueName = option.dropFirst(2)
            let expected =
                "portreg: error: The value '\(host)' is invalid for '\(option) <\(valueName)>': \(Self.hostRule)"
            #expect(result.status == 64, "\(result)")
            #expect(result.stderr.split(separator: "\n").first.map(String.init) == expected, "\(result)")
            #expect(result.stderr.contains("Usage: portreg \(arguments[0])"), "\(result)")
            #expect(result.stdout.isEmpty, "\(result)")
        }
        #expect(!cli.exists(cli.database), "a refused argument opens no registry")
    }

    static let bindRule = "an IPv4 or IPv6 address, 0.0.0.0, :: or * (host names are not accepted)"

    @Test func everyCommandRefusesABadBindAlike() async throws {
        let cli = try CLI()
        for arguments in [["add", "web", "8080"], ["reserve", "web"], ["edit", "web"]] {
            let result = try await cli.run(arguments + ["--bind", "localhost"])
            #expect(result.status == 64, "\(result)")
            #expect(
                result.stderr.hasPrefix(
                    "portreg: error: The value 'localhost' is invalid for '--bind <bind>': \(Self.bindRule)\n"),
                "\(result)")
            #expect(result.stderr.contains("Usage: portreg \(arguments[0])"), "\(result)")
        }
    }

    @Test func everyCommandRefusesABadPortAlike() async throws {
        let cli = try CLI()
        let cases: [(arguments: [String], synopsis: String)] = [
            (["add", "web", "0"], "<port>"),
            (["remove", "web", "0"], "<port>"),
            (["edit", "web", "0", "--owner", "x"], "<current>"),
            (["edit", "web", "--port", "0"], "--port <port>"),
            (["move", "web", "0"], "<port>"),
            (["move", "web", "8090", "--from", "0"], "--from <from>"),
        ]
        for (arguments, synopsis) in cases {
            let result = try await cli.run(arguments)
            #expect(result.status == 64, "\(result)")
            #expect(
                result.stderr.hasPrefix(
                    "portreg: error: The value '0' is invalid for '\(synopsis)': \(PortRule.text)\n"),
                "\(result)")
            #expect(result.stderr.contains("Usage: portreg \(arguments[0])"), "\(result)")
        }
        let protocolResult = try await cli.run("add", "web", "80/xyz")
        protocolResult.expect(status: 64)
        #expect(
            protocolResult.stderr.hasPrefix(
                "portreg: error: The value '80/xyz' is invalid for '<port>': \(PortRule.text)\n"), "\(protocolResult)")
    }

    @Test func everyCommandRefusesABadRangeAlike() async throws {
        let cli = try CLI()
        for arguments in [["reserve", "web"], ["free"], ["map"]] {
            let result = try await cli.run(arguments + ["--range", "9000-8000"])
            #expect(result.status == 64, "\(result)")
            #expect(
                result.stderr.hasPrefix(
                    "portreg: error: The value '9000-8000' is invalid for '--range <range>': a port 0-65535, or a range LO-HI with LO <= HI\n"
                ), "\(result)")
            #expect(result.stderr.contains("Usage: portreg \(arguments[0])"), "\(result)")
        }
    }

    /// `--db` is declared once: every command's help says the same, postgres:// included.
    @Test func everyCommandDescribesDBAlike() async throws {
        let cli = try CLI()
        let commands = [
            "lookup", "search", "add", "reserve", "remove", "list", "conflicts", "check", "free", "scan", "import",
            "export", "catalog", "doctor", "map", "edit", "move",
        ]
        var descriptions: [String: [String]] = [:]
        for command in commands {
            let result = try await cli.run(command, "--help")
            result.expect(status: 0)
            let lines = result.stdout.split(separator: "\n").map(String.init)
            guard let start = lines.firstIndex(where: { $0.hasPrefix("  --db <db>") }) else {
                Issue.record("no --db in \(command)'s help\n\(result)")
                continue
            }
            let rest = lines[(start + 1)...].prefix { $0.hasPrefix("   ") }
            descriptions[command] = [lines[start]] + rest
        }
        let first = try #require(descriptions["add"])
        #expect(first.joined(separator: " ").contains("postgres://"), "\(first)")
        for (command, description) in descriptions {
            #expect(description == first, "\(command)'s --db help differs from add's")
        }
    }

    /// A valid host is still normalised as before (case folded), on the way in.
    @Test func aValidHostIsNormalisedOnTheWayIn() async throws {
        let cli = try CLI()
        try await cli.run("add", "web", "8080", "--host", "Prod-EU").expect(status: 0)
        try await cli.run("list", "--host", "PROD-eu", "--format", "csv").expect(
            status: 0, stdout: ["web,8080,tcp,prod-eu"])
    }
}

/// SPEC's port rule, as the CLI states it.
private enum PortRule {
    static let text =
        "a port is 1-65535, a block LO-HI with LO <= HI, optionally followed by /tcp, /udp, /sctp or /dccp"
}
