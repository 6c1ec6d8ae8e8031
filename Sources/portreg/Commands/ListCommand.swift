import ArgumentParser
import PortRegistry
import PortRegistryFormats
import PortRegistryModel

struct ListCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "list",
        abstract: "List the assignments, by port.",
        discussion: """
            Expired leases are hidden unless --all. --format csv writes the registry CSV \
            (the same bytes as export for the same rows), so a filtered list can be imported \
            elsewhere. An empty result says so on stderr.

            Examples:
              portreg list
              portreg list --host prod-eu --owner team-pay --format csv > team-pay.csv
            """
    )

    @OptionGroup var options: GlobalOptions

    @Option(help: "Only this service.", completion: ServiceCompletion.assigned)
    var service: String?

    @Option(help: "Only this host scope (* for the every-host ones).", transform: HostScope.argument)
    var host: HostScope?

    @Option(help: "Only this owner.")
    var owner: String?

    @Flag(help: "Include expired leases.")
    var all = false

    func run() throws {
        try ExitStatus.run {
            let filter = AssignmentFilter(service: service, host: host?.name, owner: owner, includeExpired: all)
            let registry = try options.openRegistry(for: .reading)
            var count = 0
            if options.format == .csv {
                let out = OutputStream.standardOutput
                out.write(CSVFormat.record(RegistryCSV.header, terminator: "\n"))
                try registry.list(filter) { assignment in
                    out.write(RegistryCSV.line(assignment))
                    count += 1
                }
            } else {
                var table = ResultTable(Rows.assignmentColumns)
                try registry.list(filter) { table.append(Rows.assignmentCells($0)) }
                count = table.rows.count
                if count > 0 || options.format == .json { table.write(options.format) }
            }
            if count == 0 {
                let filtered = service != nil || host != nil || owner != nil
                Diagnostics.note(
                    filtered
                        ? "no assignments match"
                        : "no assignments\(all ? "" : " (expired leases are hidden; --all shows them)")")
            }
        }
    }
}
