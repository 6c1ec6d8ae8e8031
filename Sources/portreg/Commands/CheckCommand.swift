import ArgumentParser
import PortRegistry
import PortRegistryConfigScan
import PortRegistryFormats
import PortRegistryModel
import PortRegistrySystem

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

struct CheckCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "check",
        abstract: "CI gate: report host-port collisions among the service configs of a tree and against the registry.",
        discussion: """
            Reads Docker Compose files and overrides, Kubernetes manifests, Procfiles, \
            standalone .env files and registry CSVs under each PATH, and reports: collisions \
            between services (errors), ports the registry assigns to another service (errors; \
            --assignments FILE.csv compares with a committed registry file instead of the \
            database), and warnings (registered to other software in the catalog, privileged, \
            ephemeral range, a variable that leaves a port unpublished; --strict adds ports the \
            registry does not assign to their service). `# portreg: ignore` on a port's line \
            drops its findings. Exit 0 clean, 1 on any error finding, 65 when a config file \
            could not be parsed (after reporting everything else).

            Examples:
              portreg check .
              portreg check --format github --assignments ports.csv .
              portreg check --format sarif --exclude 'legacy/*' . > portreg.sarif
            """
    )

    @OptionGroup var database: DatabaseOption

    @Option(help: "Output format: text, json, github (workflow commands) or sarif (SARIF 2.1.0).")
    var format: CheckFormat = .text

    @Option(help: "A registry CSV to check against instead of the database's assignments.")
    var assignments: String?

    @Flag(help: "Also warn about ports the registry does not assign to the service that publishes them.")
    var strict = false

    @Option(name: .customLong("exclude"), help: "Skip paths matching this glob (repeatable), e.g. 'legacy/*'.")
    var excludes: [String] = []

    @Option(
        name: .customLong("env-file"),
        help: "Interpolate Compose files with this file instead of each project's .env (repeatable).")
    var envFiles: [String] = []

    @Flag(help: "Let the process environment override .env values in Compose interpolation.")
    var useEnv = false

    @Option(
        help: "The host the configs deploy to, compared with the registry's host scopes (default: *, every host).",
        transform: HostScope.argument)
    var host: HostScope = .everywhere

    @Option(
        name: .customLong("ephemeral-range"),
        help: ArgumentHelp(
            "The deployment host's ephemeral range, warned about: LO-HI, 'host' (this machine's), or 'none'.",
            discussion: "Default 32768-60999, Linux's default, so that every machine prints the same report.",
            valueName: "range"))
    var ephemeralRange: String?

    @Option(
        name: .customLong("node-port-range"),
        help: ArgumentHelp(
            "The cluster's node-port range: a Kubernetes nodePort outside it is an error.",
            discussion: "Default 30000-32767, the API server's --service-node-port-range default.",
            valueName: "LO-HI"))
    var nodePortRange: String?

    @Option(
        name: .customLong("config"),
        help:
            "Settings file (default: .portreg.yaml at the root of a PATH): hosts, exclude, baseline, strict, ephemeral-range, node-port-range."
    )
    var config: String?

    @Option(help: "Report only error findings that this baseline file does not know (exit 1 only for new ones).")
    var baseline: String?

    @Option(
        name: .customLong("write-baseline"),
        help: "Record this run's error findings in FILE (one fingerprint per line, sorted), then exit 0.")
    var writeBaseline: String?

    @Flag(
        help:
            "Print the claims found instead of the findings: file:line, service, port/protocol, bind, scope, where each runs and why an entry publishes nothing."
    )
    var list = false

    @Flag(help: "Also report published ports that a socket on this machine listens on now (kind in-use).")
    var live = false

    @Option(
        name: .customLong("stdin-kind"),
        help: "What '-' (standard input) holds: kubernetes (a multi-document stream, default) or compose.")
    var stdinKind: StdinKind = .kubernetes

    @Option(name: .customLong("stdin-name"), help: "The name findings give standard input (default: <stdin>).")
    var stdinName = "<stdin>"

    @Argument(
        help: "Files or folders to check (default: the current folder); - reads one YAML stream from standard input.")
    var paths: [String] = []

    func validate() throws {
        // The parser of `.portreg.yaml`'s settings of the same names: one rule for both.
        do {
            if let ephemeralRange { _ = try CheckRangeSetting.ephemeral(ephemeralRange) }
        } catch { throw ValidationError("invalid --ephemeral-range: \(error.problem)") }
        do {
            if let nodePortRange { _ = try CheckRangeSetting.nodePorts(nodePortRange) }
        } catch { throw ValidationError("invalid --node-port-range: \(error.problem)") }
    }

    /// `--ephemeral-range`: a fixed range, this machine's (`host`; none when unreadable), or none.
    var ephemeral: PortRange? {
        guard let ephemeralRange else { return CheckOptions.linuxEphemeral }
        return (try? CheckRangeSetting.ephemeral(ephemeralRange)) ?? nil
    }

    func run() throws {
        try ExitStatus.run {
            do { try check() } catch let error as RegistryError {
                // Paths in messages come from the command line and the tree: terminal-safe.
                throw RegistryError(
                    error.kind, TerminalText.visible(error.message),
                    at: error.location.map {
                        SourceLocation(file: TerminalText.visible($0.file), line: $0.line, column: $0.column)
                    })
            }
        }
    }

    private func check() throws {
        let paths = paths.isEmpty ? ["."] : paths
        if let assignments, assignments != "-", access(assignments, F_OK) != 0, errno == ENOENT {
            // The committed registry a CI job checks against: say how it is made.
            throw RegistryError(
                .inputMissing,
                "\(assignments): No such file or directory (write the registry's assignments there with "
                    + "`portreg export -o \(assignments)` and commit it)")
        }
        var options = CheckOptions(
            paths: paths, excludes: excludes, envFiles: envFiles,
            processEnvironment: useEnv ? ProcessEnvironment.all() : nil, strict: strict,
            host: host, ephemeral: ephemeral, assignmentsFile: assignments)
        options.nodePortRange = nodePortRange.flatMap { try? CheckRangeSetting.nodePorts($0) }
        options.baseline = baseline
        options.live = live
        options.stdinKind = stdinKind
        options.stdinName = stdinName
        // .portreg.yaml: the team's settings; the command line wins.
        if let path = CheckConfig.locate(explicit: config, paths: paths) {
            let settings = try CheckConfig.read(path)
            OutputStream.standardError.writeLine("portreg check: settings from \(TerminalText.visible(path))")
            OutputStream.standardError.flush()
            options.hostGlobs = settings.hosts
            let roots = paths.filter { $0 != "-" }.map {
                ConfigFile.isRegularFile($0) ? ConfigFile.directory(of: $0) : $0
            }
            settings.apply(to: &options, root: config == nil ? nil : roots.first)
            if config != nil {
                // `--config FILE` (which may live outside the tree): its globs are relative to
                // each checked PATH (a file's folder).
                options.hostGlobs = roots.flatMap { root in
                    settings.hosts.map { entry in
                        var entry = entry
                        entry.root = root
                        return entry
                    }
                }
            }
            if excludes.isEmpty, let exclude = settings.exclude { options.excludes = exclude }
            if baseline == nil, let known = settings.baseline {
                // A tree's own settings name a baseline of the tree: read like every file of
                // it (no link out, nothing under .git), or refused (64) before anything runs.
                if config == nil, let refusal = SourceTree(paths: paths).refusal(known), refusal != .missing {
                    throw RegistryError(
                        .usage, "baseline \(known) is not read: \(refusal.reason)", at: SourceLocation(file: path))
                }
                options.baseline = known
            }
            if !strict, let strict = settings.strict { options.strict = strict }
            if ephemeralRange == nil, let range = settings.ephemeralRange { options.ephemeral = range }
            if options.nodePortRange == nil { options.nodePortRange = settings.nodePortRange }
        }
        if writeBaseline != nil { options.baseline = nil }
        if list {
            let listing = try Registry.listClaims(options)
            CheckListing.write(listing.claims, files: listing.files, format: format)
            OutputStream.standardOutput.flush()
            // A config that could not be read lists nothing of it: run without --list to see why.
            if listing.unreadable > 0 { throw ExitCode(ExitStatus.code(for: .dataFormat)) }
            return
        }
        let registry = try Registry.openForCheck(explicitPath: database.db, committedAssignments: assignments != nil)
        let report = try registry.check(options)
        // --write-baseline prints only what it wrote (the findings are in the file).
        if writeBaseline == nil { try CheckOutput.write(report, format: format) }
        if let writeBaseline {
            let recorded = CheckBaseline(recording: report)
            try TextFile.writeAtomically(writeBaseline) { descriptor in
                let stream = OutputStream(descriptor: descriptor)
                stream.write(recorded.text)
                stream.flush()
                if let failure = stream.failure { throw RegistryError(.io, "\(writeBaseline): \(failure)") }
            }
            let count = recorded.fingerprints.count
            OutputStream.standardError.writeLine(
                "portreg check: wrote \(count) known finding\(count == 1 ? "" : "s") to \(TerminalText.visible(writeBaseline))"
            )
            OutputStream.standardOutput.flush()
            OutputStream.standardError.flush()
            return
        }
        if report.hasUnparsableFile {
            OutputStream.standardOutput.flush()
            throw ExitCode(ExitStatus.code(for: .dataFormat))
        }
        if report.errors > 0 {
            OutputStream.standardOutput.flush()
            throw ExitStatus.findings
        }
    }
}

/// The whole environment of this process, for `--use-env`.
extension StdinKind: ExpressibleByArgument {}

enum ProcessEnvironment {
    /// The whole process environment (`--use-env`).
    static func all() -> [String: String] {
        var result: [String: String] = [:]
        var cursor = environ
        while let entry = cursor.pointee {
            let text = String(cString: entry)
            if let equals = text.firstIndex(of: "=") {
                result[String(text[..<equals])] = String(text[text.index(after: equals)...])
            }
            cursor += 1
        }
        return result
    }
}
