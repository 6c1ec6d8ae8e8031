import ArgumentParser
import PortRegistry
import PortRegistryModel

@main
enum Entry {
    /// swift-argument-parser's `main`, except that what it prints (usage errors echo
    /// arguments, help, completion scripts) goes through `TerminalText` first.
    static func main() {
        StandardStreams.reserve()
        let arguments = GlobalOptions.hoisted(Array(CommandLine.arguments.dropFirst()))
        if arguments == ["--version"] { printVersion() }
        if let first = arguments.first, let message = Portreg.unknownCommand(first) {
            Diagnostics.error(message, kind: .usage)
            // The usage lines, as after every other usage error.
            OutputStream.standardError.writeLine("Usage: portreg <subcommand>")
            OutputStream.standardError.writeLine("  See 'portreg --help' for more information.")
            OutputStream.standardError.flush()
            Portreg.exit(withError: ExitCode(ExitStatus.code(for: .usage)))
        }
        do {
            var command = try Portreg.parseAsRoot(arguments)
            try command.run()
        } catch {
            ExitStatus.exit(withParserError: error)
        }
    }

    /// `portreg --version`, the text argument-parser prints for it, without building its
    /// argument sets first: those cost 5.7 M of the 9.6 M instructions the process ran
    /// (docs/BENCHMARKS.md, "Start-up").
    static func printVersion() -> Never {
        let out = OutputStream.standardOutput
        out.writeLine(Portreg.configuration.version)
        out.flush()
        if let failure = out.failure {
            Diagnostics.error("cannot write output: \(failure)", kind: .io)
            Portreg.exit(withError: ExitCode(ExitStatus.code(for: .io)))
        }
        Portreg.exit(withError: nil)
    }
}

struct Portreg: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "portreg",
        abstract: "A port registry for teams: the port catalog and your own assignments in one SQLite file.",
        discussion: """
            The database is --db PATH, else $PORTREG_DB, else $XDG_DATA_HOME/portreg/registry.db, \
            else ~/.local/share/portreg/registry.db. It is created and seeded on first use.

            Shell completions: portreg --generate-completion-script bash|zsh|fish

            Examples:
              portreg lookup 5432 x11 53/udp
              portreg add billing 8080 --owner team-pay
              portreg reserve search-api --range 20000-20999
              portreg conflicts
            """,
        // "0.3.0 (d4936b3)": the release and the commit built (BuildCommitPlugin). The same string
        // is SARIF's tool.driver.version, doctor's portreg_version and the Debian package's.
        version: "0.3.0 (\(BuildCommit.description))",
        subcommands: [
            LookupCommand.self, SearchCommand.self,
            AddCommand.self, ReserveCommand.self, RemoveCommand.self, ListCommand.self,
            ConflictsCommand.self, CheckCommand.self, FreeCommand.self, ScanCommand.self,
            ImportCommand.self, ExportCommand.self, CatalogCommand.self, DoctorCommand.self, MapCommand.self,
            EditCommand.self, MoveCommand.self,
        ]
    )
}

extension Portreg {
    /// `unknown command 'chek' (did you mean 'check'?)` when `word` is not an option and names
    /// no command or alias; nil when it does.
    static func unknownCommand(_ word: String) -> String? {
        guard !word.hasPrefix("-") else { return nil }
        var names = ["help"]
        for command in configuration.subcommands {
            names += [command.configuration.commandName ?? ""] + command.configuration.aliases
        }
        guard !names.contains(word) else { return nil }
        let scored = names.map { (name: $0, distance: editDistance($0, word)) }
        let closest = scored.min { ($0.distance, $0.name) < ($1.distance, $1.name) }
        if let closest, closest.distance <= max(1, word.count / 3) {
            return "unknown command '\(word)' (did you mean '\(closest.name)'?)"
        }
        return "unknown command '\(word)'"
    }

    /// Levenshtein distance over Unicode scalars (command names are short).
    static func editDistance(_ a: String, _ b: String) -> Int {
        let left = Array(a.unicodeScalars)
        let right = Array(b.unicodeScalars)
        var previous = Array(0...right.count)
        for (i, x) in left.enumerated() {
            var current = [i + 1] + Array(repeating: 0, count: right.count)
            for (j, y) in right.enumerated() {
                current[j + 1] = min(previous[j + 1] + 1, current[j] + 1, previous[j] + (x == y ? 0 : 1))
            }
            previous = current
        }
        return previous[right.count]
    }
}

/// `--db`, declared once: every command takes it through `GlobalOptions`, or (`check` and
/// `export`, which have formats of their own) through this group directly.
struct DatabaseOption: ParsableArguments {
    @Option(
        name: .long,
        help:
            "The registry: a SQLite file, or a postgres:// URI (default: $PORTREG_DB, else $XDG_DATA_HOME/portreg/registry.db)."
    )
    var db: String?

    /// Opens the registry named by `--db`, the environment or the default path; `.reading`
    /// for a command that changes nothing (it then writes nothing, SPEC "Storage").
    func openRegistry(for purpose: RegistryPurpose) throws -> Registry { try Registry.open(location, for: purpose) }

    /// `--db` with the process environment it is resolved in.
    var location: RegistryLocation { RegistryLocation(db: db) }
}

/// `--db` and `--format`, on every command.
struct GlobalOptions: ParsableArguments {
    @OptionGroup var database: DatabaseOption

    @Option(name: .long, help: "Output format: table, json or csv.")
    var format: OutputFormat = .table

    /// Opens the registry named by `--db`, the environment or the default path.
    func openRegistry(for purpose: RegistryPurpose) throws -> Registry { try database.openRegistry(for: purpose) }

    /// `portreg --db x.db lookup 80` means `portreg lookup --db x.db 80`: options given before
    /// the subcommand are moved after it, so both orders work.
    static func hoisted(_ arguments: [String]) -> [String] {
        var leading: [String] = []
        var index = 0
        while index < arguments.count {
            let argument = arguments[index]
            if argument == "--db" || argument == "--format", index + 1 < arguments.count {
                leading += [argument, arguments[index + 1]]
                index += 2
            } else if argument.hasPrefix("--db=") || argument.hasPrefix("--format=") {
                leading.append(argument)
                index += 1
            } else {
                break
            }
        }
        guard !leading.isEmpty, index < arguments.count, !arguments[index].hasPrefix("-") else { return arguments }
        return [arguments[index]] + leading + arguments[(index + 1)...]
    }
}

/// The one printer of diagnostics, on stderr. Location first when there is one, as
/// compilers and swift-format write it (`ports.csv:3: error: …`); otherwise the program's
/// name (`portreg: error: …`). A note has no severity word: `portreg: 2 collisions`.
enum Diagnostics {
    static func print(_ diagnostic: Diagnostic) {
        let err = OutputStream.standardError
        // Escaped before the colours are added: file names and messages echo input.
        let prefix = TerminalText.visible(diagnostic.location.map { "\($0)" } ?? "portreg")
        let label: String
        switch diagnostic.severity {
        case .error: label = Style.red("error", on: err) + ": "
        case .warning: label = Style.yellow("warning", on: err) + ": "
        case .note: label = ""
        }
        err.writeLine("\(prefix): \(label)\(TerminalText.visible(diagnostic.message))")
        err.flush()
    }

    static func warning(_ message: String) { print(Diagnostic(.warning, .refused, message)) }

    static func note(_ message: String) { print(Diagnostic(.note, .refused, message)) }

    static func error(_ message: String, kind: Diagnostic.Kind = .refused) {
        print(Diagnostic(.error, kind, message))
    }
}

/// The single place where library errors become messages and SPEC.md exit codes.
enum ExitStatus {
    static func code(for kind: Diagnostic.Kind) -> Int32 {
        switch kind {
        case .refused: 1
        case .usage: 64
        case .dataFormat: 65
        case .inputMissing: 66
        case .cannotCreate: 73
        case .io: 74
        case .busy: 75
        }
    }

    /// Runs a command body: prints any error once, on stderr, and exits with its code.
    /// Output already buffered is flushed first, so stdout and stderr stay in order.
    static func run(_ body: () throws -> Void) throws {
        do {
            try body()
            OutputStream.standardOutput.flush()
            if let failure = OutputStream.standardOutput.failure {
                Diagnostics.error("cannot write output: \(failure)")
                throw ExitCode(74)
            }
        } catch let error as RegistryError {
            OutputStream.standardOutput.flush()
            Diagnostics.print(error.diagnostic)
            throw ExitCode(code(for: error.kind))
        } catch {
            // A finding (exit 1) after output: what was written must reach stdout first.
            OutputStream.standardOutput.flush()
            throw error
        }
    }

    /// Ends the process after argument-parser's own outcome: help, version and completions
    /// as it prints them; a usage error in the style of every other diagnostic
    /// (`portreg: error: …`, then the usage lines), exit 64.
    static func exit(withParserError error: any Error) -> Never {
        let code = Portreg.exitCode(for: error)
        guard code == .validationFailure, !(error is ExitCode) else {
            // Help, version, completion scripts: argument-parser's text, echoed arguments
            // included, made safe for a terminal.
            let text = TerminalText.visible(Portreg.fullMessage(for: error), lineBreaks: .kept)
            if !text.isEmpty {
                let stream = code == .success ? OutputStream.standardOutput : OutputStream.standardError
                stream.writeLine(text)
                stream.flush()
                if code == .success, let failure = stream.failure {
                    // `--help >/dev/full`: the text did not arrive, so this is no success.
                    Diagnostics.error("cannot write output: \(failure)", kind: .io)
                    Portreg.exit(withError: ExitCode(ExitStatus.code(for: .io)))
                }
            }
            Portreg.exit(withError: code == .success ? nil : ExitCode(code.rawValue))
        }
        var lines = Portreg.fullMessage(for: error).split(separator: "\n", omittingEmptySubsequences: false)
        if let first = lines.first, first.hasPrefix("Error: ") { lines[0] = first.dropFirst("Error: ".count) }
        OutputStream.standardOutput.flush()
        Diagnostics.error(lines.first.map(String.init) ?? "", kind: .usage)
        let err = OutputStream.standardError
        for line in lines.dropFirst() { err.writeLine(TerminalText.visible(String(line), lineBreaks: .kept)) }
        err.flush()
        Portreg.exit(withError: ExitCode(ExitStatus.code(for: .usage)))
    }

    /// Ends a command that ran but reports a finding (nothing matched, a collision): exit 1.
    static let findings = ExitCode(1)
}
