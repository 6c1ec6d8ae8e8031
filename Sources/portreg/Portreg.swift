import ArgumentParser
import PortRegistry

@main
enum Entry {
    /// swift-argument-parser's `main`, except that what it prints (usage errors echo
    /// arguments, help, completion scripts) goes through `TerminalText` first.
    static func main() {
        do {
            var command = try Portreg.parseAsRoot(GlobalOptions.hoisted(Array(CommandLine.arguments.dropFirst())))
            try command.run()
        } catch {
            let text = TerminalText.visible(Portreg.fullMessage(for: error), lineBreaks: .kept)
            let code = Portreg.exitCode(for: error)
            if !text.isEmpty {
                let stream = code == .success ? OutputStream.standardOutput : OutputStream.standardError
                stream.writeLine(text)
                stream.flush()
            }
            Portreg.exit(withError: code == .success ? nil : ExitCode(code.rawValue))
        }
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
        version: "0.1.0",
        subcommands: [
            LookupCommand.self, SearchCommand.self,
            AddCommand.self, ReserveCommand.self, RemoveCommand.self, ListCommand.self,
            ConflictsCommand.self, FreeCommand.self, ScanCommand.self,
            ImportCommand.self, ExportCommand.self, CatalogCommand.self, DoctorCommand.self,
        ]
    )
}

/// `--db` and `--format`, on every command.
struct GlobalOptions: ParsableArguments {
    @Option(name: .long, help: "The registry database (default: $PORTREG_DB, else $XDG_DATA_HOME/portreg/registry.db).")
    var db: String?

    @Option(name: .long, help: "Output format: table, json or csv.")
    var format: OutputFormat = .table

    func openRegistry() throws -> Registry { try GlobalOptions.openRegistry(db: db) }

    /// Opens the registry named by `--db`, the environment or the default path.
    static func openRegistry(db: String?) throws -> Registry {
        let environment = DatabaseLocation.processEnvironment
        return try Registry.open(
            path: DatabaseLocation.resolve(explicit: db, environment: environment),
            busyTimeoutMilliseconds: try DatabaseLocation.busyTimeout(environment: environment))
    }

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

/// Diagnostics on stderr, `portreg: warning: …`.
enum Diagnostics {
    static func warning(_ message: String) {
        let err = OutputStream.standardError
        err.writeLine("portreg: \(Style.yellow("warning", on: err)): \(TerminalText.visible(message))")
        err.flush()
    }

    static func note(_ message: String) {
        let err = OutputStream.standardError
        err.writeLine("portreg: \(TerminalText.visible(message))")
        err.flush()
    }

    static func error(_ message: String) {
        let err = OutputStream.standardError
        err.writeLine("portreg: \(Style.red("error", on: err)): \(TerminalText.visible(message))")
        err.flush()
    }
}

/// The single place where library errors become messages and SPEC.md exit codes.
enum ExitStatus {
    static func code(for kind: RegistryError.Kind) -> Int32 {
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
            Diagnostics.error(error.message)
            throw ExitCode(code(for: error.kind))
        } catch let error as DatabaseError {
            OutputStream.standardOutput.flush()
            let kind: RegistryError.Kind = error.isBusy ? .busy : .io
            Diagnostics.error(
                error.isBusy
                    ? "database is busy: another process held its write lock past the busy timeout (PORTREG_BUSY_TIMEOUT); try again"
                    : error.description)
            throw ExitCode(code(for: kind))
        }
    }

    /// Ends a command that ran but reports a finding (nothing matched, a collision): exit 1.
    static let findings = ExitCode(1)
}
