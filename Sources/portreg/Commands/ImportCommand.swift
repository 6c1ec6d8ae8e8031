import ArgumentParser
import PortRegistry
import PortRegistryCatalog
import PortRegistryConflicts
import PortRegistryExchange
import PortRegistryFormats
import PortRegistryModel

import Glibc

struct ImportCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "import",
        abstract: "Import a catalog (IANA CSV, /etc/services) or a registry CSV of assignments.",
        discussion: """
            The kind is read from the file: IANA's CSV header replaces the iana catalog \
            source (or --source common); a services(5) file replaces the system source; the \
            registry header (service,port,protocol,host,bind,owner,note,created_at,expires_at) \
            merges assignments, or with --replace makes the file the whole registry. One \
            transaction: a malformed row exits 65 naming its line and nothing changes; \
            colliding assignments exit 1 unless --force. - reads standard input.

            An assignment import counts rows added, updated (owner, note or expiry really \
            changed), unchanged and removed (--replace): re-importing an export says 0 \
            updated. A catalog import counts rows added, removed and changed, and warns about \
            each assignment whose port the new release registers to another service \
            (newly_registered in json). --verbose lists every change on stderr \
            (+ added, ~ updated, - removed), dry run or not.

            Examples:
              portreg import service-names-port-numbers.csv
              portreg import /etc/services
              portreg import registry.csv --replace --dry-run
              portreg import ports.csv --dry-run --verbose
            """
    )

    @OptionGroup var options: GlobalOptions

    @Argument(help: "The file to import, or - for standard input.")
    var file: String

    @Option(help: "Catalog source an IANA-format CSV fills: iana (default) or common; an export names its own.")
    var source: CatalogSource?

    @Flag(help: "Registry CSV: delete every assignment not in the file.")
    var replace = false

    @Flag(help: "Registry CSV: record collisions instead of refusing the file.")
    var force = false

    @Flag(help: "Report what would change and change nothing.")
    var dryRun = false

    @Flag(name: .shortAndLong, help: "List each change on stderr: + added, ~ updated, - removed.")
    var verbose = false

    func run() throws {
        try ExitStatus.run {
            // Only the head is read before the format is known: `import /dev/zero` or
            // `yes | import -` fail at once instead of filling the memory.
            var input = try InputFile(path: file)
            switch try ImportFormat.of(head: input.head, file: input.displayName, source: source) {
            case .assignments: try importAssignments(&input)
            case .catalog(let source): try importCatalog(&input, source: source)
            case .services: try importServices(&input)
            }
        }
    }

    func importCatalog(_ input: inout InputFile, source: CatalogSource) throws {
        let report = try Registry.importCatalog(
            try input.reader(), source: source, origin: input.origin, dryRun: dryRun, at: options.database.location)
        write(report)
    }

    func importServices(_ input: inout InputFile) throws {
        let text = try input.text()
        let report = try options.openRegistry(for: .writing).importServices(
            text, file: input.displayName, origin: input.origin, dryRun: dryRun)
        write(report)
    }

    func write(_ report: CatalogImportReport) {
        if verbose {
            for change in report.changes { ChangeLines.write(ChangeLines.line(change, source: report.source)) }
        }
        for newly in report.newlyRegistered {
            let a = newly.assignment
            Diagnostics.warning(
                "\(ChangeLines.claim(a)) (assigned) is now registered to \(PortAdvisor.names(newly.registeredTo)) in \(report.source.rawValue)\(a.ports.isSinglePort ? "" : " at \(newly.port)")"
            )
        }
        let newlyJSON = JSONValue.array(
            report.newlyRegistered.map { newly in
                .object([
                    ("service", .string(newly.assignment.service)), ("port", .int(newly.port)),
                    ("protocol", .string(newly.assignment.transport.rawValue)),
                    ("registered_to", .array(newly.registeredTo.map(JSONValue.string))),
                ])
            })
        let newlyText = report.newlyRegistered.map {
            "\($0.assignment.service) \($0.port)/\($0.assignment.transport.rawValue): \($0.registeredTo.joined(separator: " "))"
        }.joined(separator: "; ")
        var table = ResultTable([
            .init(key: "source", title: "SOURCE"), .init(key: "rows", title: "ROWS"),
            .init(key: "added", title: "ADDED"),
            .init(key: "removed", title: "REMOVED"), .init(key: "changed", title: "CHANGED"),
            .init(key: "skipped", title: "SKIPPED"),
            .init(key: "release_date", title: "RELEASE"), .init(key: "sha256", title: "SHA256"),
            .init(key: "dry_run", title: "DRY RUN", inTable: dryRun),
            .init(key: "newly_registered", title: "NEWLY REGISTERED", inTable: false),
        ])
        table.append([
            .text(report.source.rawValue), .int(report.rows), .int(report.added), .int(report.removed),
            .int(report.changed),
            .int(report.skipped), .optional(report.releaseDate), .optional(report.sha256), .bool(dryRun),
            .json(newlyJSON, text: newlyText),
        ])
        table.writeReport(options.format)
    }

    func importAssignments(_ input: inout InputFile) throws {
        var reader = try input.reader()
        _ = try reader.next()
        let report = try options.openRegistry(for: .writing).importAssignments(
            &reader, options: AssignmentImportOptions(replace: replace, dryRun: dryRun, force: force),
            changes: verbose ? { ChangeLines.write(ChangeLines.line($0)) } : nil)
        for collision in report.collisions {
            Diagnostics.warning(
                "\(dryRun ? "would be recorded" : "recorded") despite collision: \(collision.ports)/\(collision.first.transport.rawValue) \(collision.first.service) and \(collision.second.service)"
            )
        }
        var table = ResultTable([
            .init(key: "kind", title: "KIND"), .init(key: "rows", title: "ROWS"), .init(key: "added", title: "ADDED"),
            .init(key: "updated", title: "UPDATED"), .init(key: "unchanged", title: "UNCHANGED"),
            .init(key: "removed", title: "REMOVED"),
            .init(key: "collisions", title: "COLLISIONS"), .init(key: "dry_run", title: "DRY RUN", inTable: dryRun),
        ])
        table.append([
            .text("assignments"), .int(report.rows), .int(report.added), .int(report.updated),
            .int(report.unchanged), .int(report.removed),
            .int(report.collisions.count), .bool(dryRun),
        ])
        table.writeReport(options.format)
    }
}

extension CatalogSource: ExpressibleByArgument {}

/// A file to import. Only a regular file is opened more than once (to sniff its kind, then
/// to read it): standard input, a pipe, a FIFO, `/dev/stdin` or a `<(…)` substitution can
/// be read only once, so its head is read to sniff it, and the rest (at most
/// `TextFile.wholeFileLimit`) only once the format is known.
struct InputFile {
    let path: String
    /// The first `TextFile.headLimit` bytes, as text: what the format is sniffed on.
    let head: String
    private let stream: TextFile.Stream?

    init(path: String) throws {
        self.path = path
        if path == "-" || !InputFile.isRegularFile(path) {
            let stream = try TextFile.Stream(path: path)
            self.stream = stream
            head = stream.head
        } else {
            stream = nil
            head = try TextFile.head(path).text
        }
    }

    /// Whether `path` names a regular file (through links); false for anything else, and
    /// for a path that cannot be examined (reading it then reports why).
    static func isRegularFile(_ path: String) -> Bool {
        var info = stat()
        return stat(path, &info) == 0 && (info.st_mode & S_IFMT) == S_IFREG
    }

    var displayName: String { path == "-" ? "<stdin>" : path }
    var origin: String { path == "-" ? "-" : path }

    func reader() throws -> CSVReader {
        if let stream { return CSVReader(text: try stream.text(), name: displayName) }
        return try CSVReader(path: path)
    }

    /// The whole file as text (services files are small; more than
    /// `TextFile.wholeFileLimit` is refused, 65).
    func text() throws -> String {
        if let stream { return try stream.text() }
        return try TextFile.read(path)
    }
}
