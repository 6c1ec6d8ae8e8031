import ArgumentParser
import PortRegistry

struct ListCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "list",
        abstract: "List the assignments, by port.",
        discussion: """
            Expired leases are hidden unless --all.

            Examples:
              portreg list
              portreg list --host prod-eu --owner team-pay --format csv
            """
    )

    @OptionGroup var options: GlobalOptions

    @Option(help: "Only this service.", completion: ServiceCompletion.assigned)
    var service: String?

    @Option(help: "Only this host scope (* for the every-host ones).")
    var host: String?

    @Option(help: "Only this owner.")
    var owner: String?

    @Flag(help: "Include expired leases.")
    var all = false

    func run() throws {
        try ExitStatus.run {
            var table = ResultTable(Rows.assignmentColumns)
            let filter = AssignmentFilter(service: service, host: host, owner: owner, includeExpired: all)
            try options.openRegistry().list(filter) { table.append(Rows.assignmentCells($0)) }
            table.write(options.format)
        }
    }
}
