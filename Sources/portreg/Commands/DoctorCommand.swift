import ArgumentParser
import PortRegistry

struct DoctorCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "doctor",
        abstract: "Check the database: portreg's version, path, schema version, integrity and counts.",
        discussion: """
            Runs SQLite's integrity_check and foreign_key_check, and checks that the port-range \
            index (an R*Tree kept by portreg) mirrors the rows and that every row is in range. \
            Each problem is printed with what to do about it (stdout in every format, and \
            stderr); exits 1 when any is found.

            Example:
              portreg doctor --db ./registry.db
            """
    )

    @OptionGroup var options: GlobalOptions

    func run() throws {
        try ExitStatus.run {
            // Read-write, though it changes nothing: SQLite's integrity_check skips CHECK
            // constraints on a read-only connection. A current registry still gets no write.
            let report = try options.openRegistry(for: .writing).doctor()
            var table = ResultTable([.init(key: "check", title: "CHECK"), .init(key: "value", title: "VALUE")])
            // Which build answers, as `portreg --version` says: a report names what produced it.
            table.append([.text("portreg_version"), .text(Portreg.configuration.version)])
            table.append([.text("database"), .text(report.path)])
            table.append([.text("sqlite"), .text(report.sqliteVersion)])
            table.append([.text("schema_version"), .int(report.schemaVersion)])
            table.append([.text("journal_mode"), .text(report.journalMode)])
            table.append([.text("integrity"), .text(report.integrity.joined(separator: "; "))])
            table.append([
                .text("foreign_keys"),
                .text(report.foreignKeyProblems == 0 ? "ok" : "\(report.foreignKeyProblems) problems"),
            ])
            table.append([
                .text("port_index"),
                .text(
                    report.spanProblems == 0 ? "ok" : "\(report.spanProblems) rows out of step (re-import to rebuild)"),
            ])
            table.append([.text("catalog_rows"), .int(report.catalogRows)])
            table.append([.text("assignments"), .int(report.assignments)])
            table.append([.text("expired_leases"), .int(report.expiredLeases)])
            if let server = report.server {
                // The assignments live on a PostgreSQL server; `database` is the catalog's file.
                table.append([.text("server"), .text(server)])
                table.append([.text("server_version"), .text(report.serverVersion ?? "")])
                table.append([.text("server_schema_version"), .int(report.serverSchemaVersion ?? 0)])
            }
            if options.format == .json {
                let findings = report.findings.map { finding -> JSONValue in
                    .object([("problem", .string(finding.problem)), ("fix", .string(finding.fix))])
                }
                let document = JSONValue.object(
                    table.rows.map { ($0[0].plain, $0[1].json) } + [("findings", .array(findings))])
                OutputStream.standardOutput.write(document.text(newline: true))
            } else {
                for finding in report.findings {
                    table.append([.text("problem"), .text(finding.problem)])
                    table.append([.text("fix"), .text(finding.fix)])
                }
                table.write(options.format)
            }
            if !report.isHealthy {
                OutputStream.standardOutput.flush()
                for finding in report.findings { Diagnostics.error("\(finding.problem); to fix: \(finding.fix)") }
                throw ExitStatus.findings
            }
        }
    }
}
