import ArgumentParser
import PortRegistry
import PortRegistryCatalog
import PortRegistryFormats
import PortRegistryModel

struct ExportCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "export",
        abstract: "Write the assignments (registry CSV) or a catalog source, in a stable order.",
        discussion: """
            Assignments come sorted by port, protocol, host and service, so a committed \
            export diffs cleanly, and export, import, export is byte-identical. The catalog \
            comes as IANA's CSV (12 columns, CRLF), in file order, one source at a time. \
            -o writes the file atomically (a temporary file, then rename); -o - or \
            /dev/stdout (/dev/fd/N) writes to that descriptor. --format services \
            writes services(5) lines, one per port of a block (billing 8080/tcp  # team-pay); \
            --format env writes BILLING_PORT=8080, and NAME_PORT_END for a block's last port \
            (expired leases are left out of both).

            Examples:
              portreg export -o ports.csv
              portreg export --format services -o team.services
              portreg export --format env -o ports.env
              portreg export --kind catalog --source common --format json
            """
    )

    enum Kind: String, ExpressibleByArgument, CaseIterable { case assignments, catalog }
    enum Format: String, ExpressibleByArgument, CaseIterable { case csv, json, services, env }

    @OptionGroup var database: DatabaseOption

    @Option(help: "What to export: assignments or catalog.")
    var kind: Kind = .assignments

    @Option(help: "Output format: csv or json; for assignments also services (services(5) lines) or env (NAME_PORT=N).")
    var format: Format = .csv

    @Option(help: "Catalog source to export: iana, common or system.")
    var source: CatalogSource = .iana

    @Option(name: .shortAndLong, help: "Write to this file instead of standard output.")
    var output: String?

    func validate() throws {
        if output == "" { throw ValidationError("-o needs a file name (or - for standard output)") }
        if kind == .catalog && (format == .services || format == .env) {
            throw ValidationError("--format \(format.rawValue) exports assignments only; use --kind assignments")
        }
    }

    func run() throws {
        try ExitStatus.run {
            let registry = try database.openRegistry(for: .reading)
            if let output {
                if registry.isDatabaseFile(output) {
                    throw RegistryError(
                        .cannotCreate,
                        "\(output): is the registry database (or its -wal/-shm) being exported; write the export elsewhere"
                    )
                }
                try TextFile.writeAtomically(output) { descriptor in
                    let stream = OutputStream(descriptor: descriptor)
                    try write(registry, to: stream)
                    stream.flush()
                    if let failure = stream.failure { throw RegistryError(.io, "\(output): \(failure)") }
                }
            } else {
                try write(registry, to: .standardOutput)
            }
        }
    }

    func write(_ registry: Registry, to out: OutputStream) throws {
        do {
            switch (kind, format) {
            case (.assignments, .csv):
                try registry.exportAssignmentsCSV { out.write(bytes: $0) }
            case (.assignments, .json):
                var array = JSONValue.LinesWriter(to: out)
                try registry.exportAssignments { assignment in
                    array.append(.object(Rows.assignmentPairs(assignment).map { ($0, $1.json) }))
                }
                array.finish()
            case (.assignments, .services):
                try registry.exportServices { out.writeLine($0) }
            case (.assignments, .env):
                try registry.exportEnvironment { out.writeLine($0) }
            case (.catalog, .services), (.catalog, .env):
                throw RegistryError(
                    .usage, "--format \(format.rawValue) exports assignments only; the catalog exports as csv or json")
            case (.catalog, .csv):
                // A source other than iana is named in an extra column, so that importing
                // the file fills that source again instead of replacing iana.
                let named = source == .iana ? [] : [source.rawValue]
                out.write(CSVFormat.record(IANAHeader.columns + (named.isEmpty ? [] : [IANAHeader.sourceColumn])))
                for entry in try registry.catalogRows(of: source) {
                    out.write(CSVFormat.record(IANAHeader.fields(of: entry) + named))
                }
            case (.catalog, .json):
                var array = JSONValue.LinesWriter(to: out)
                for entry in try registry.catalogRows(of: source) {
                    array.append(
                        .object([
                            ("service", .optional(entry.service)), ("port", .optional(entry.ports?.low)),
                            ("port_end", .optional(entry.ports?.high)),
                            ("protocol", .optional(entry.transport?.rawValue)),
                            ("description", .string(entry.description)), ("source", .string(entry.source.rawValue)),
                            ("aliases", .string(entry.aliases.joined(separator: " "))),
                            ("assignee", .string(entry.assignee)), ("contact", .string(entry.contact)),
                            ("registration_date", .string(entry.registrationDate)),
                            ("modification_date", .string(entry.modificationDate)),
                            ("reference", .string(entry.reference)), ("service_code", .string(entry.serviceCode)),
                            ("unauthorized_use", .string(entry.unauthorizedUse)), ("notes", .string(entry.notes)),
                        ]))
                }
                array.finish()
            }
        }
    }
}
