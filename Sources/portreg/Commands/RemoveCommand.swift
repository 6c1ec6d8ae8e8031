import ArgumentParser
import PortRegistry
import PortRegistryModel

struct RemoveCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "remove",
        abstract: "Delete a service's assignments (all of them, or those holding PORT).",
        discussion: """
            Prints what was removed. Exits 1 when nothing matched. --expired removes every \
            expired lease instead (in one transaction; none expired is not an error).

            Examples:
              portreg remove billing
              portreg release billing 8080 --host staging
              portreg remove --expired
            """,
        aliases: ["release"]
    )

    @OptionGroup var options: GlobalOptions

    @Argument(help: "Service name.", completion: ServiceCompletion.assigned)
    var service: String?

    @Argument(
        help: "Only the assignments holding this PORT or LO-HI (optionally /proto).", transform: PortArgument.argument)
    var port: PortArgument?

    @Option(help: "Only the assignments of this host scope (* for the every-host ones).", transform: HostScope.argument)
    var host: HostScope?

    @Flag(help: "Remove every expired lease (instead of a service's assignments).")
    var expired = false

    func validate() throws {
        if expired && (service != nil || port != nil || host != nil) {
            throw ValidationError("--expired removes every expired lease: give no SERVICE, PORT or --host with it")
        }
        if !expired && service == nil { throw ValidationError("Missing expected argument '<service>'") }
    }

    func run() throws {
        try ExitStatus.run {
            guard let service else {
                let removed = try options.openRegistry(for: .writing).removeExpired()
                var table = ResultTable(Rows.assignmentColumns)
                for assignment in removed { table.append(Rows.assignmentCells(assignment)) }
                if removed.isEmpty && options.format == .table {
                    Diagnostics.note("no expired leases")
                } else {
                    table.write(options.format)
                }
                return
            }
            let removed = try options.openRegistry(for: .writing).remove(
                service: service, ports: port?.ports, transport: port?.transport, host: host)
            guard !removed.isEmpty else {
                throw RegistryError(
                    .refused,
                    "no assignment of \(service)\(port.map { " holding \($0.text)" } ?? "")\(host.map { " on host \($0)" } ?? "") to remove"
                )
            }
            var table = ResultTable(Rows.assignmentColumns)
            for assignment in removed { table.append(Rows.assignmentCells(assignment)) }
            table.write(options.format)
        }
    }
}
