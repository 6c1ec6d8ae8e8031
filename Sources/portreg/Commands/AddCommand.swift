import ArgumentParser
import PortRegistry
import PortRegistryConflicts
import PortRegistryModel

struct AddCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "add",
        abstract: "Record that a service owns a port or a block of ports.",
        discussion: """
            Refuses (exit 1, naming the holder) a port that another service holds on the same \
            protocol, an overlapping host and an overlapping bind address, unless --force. \
            Warns on stderr when the catalog registers the port to another service, when it is \
            privileged (below 1024), or inside this host's ephemeral range. Adding the same \
            claim again updates its owner, note and lease.

            Examples:
              portreg add billing 8080
              portreg add metrics 9100-9109/udp --host prod-eu --owner team-obs
              portreg add preview 4173 --ttl 2h --bind 127.0.0.1
            """
    )

    @OptionGroup var options: GlobalOptions

    @Argument(help: "Service name: letters, digits, '-', '_' and '.'.", completion: ServiceCompletion.assigned)
    var service: String

    @Argument(
        help: "PORT, LO-HI, optionally /tcp, /udp, /sctp or /dccp (default tcp).", transform: PortArgument.argument)
    var port: PortArgument

    @OptionGroup var attributes: AssignmentOptions

    @Flag(help: "Record the assignment even when it collides.")
    var force = false

    func run() throws {
        try ExitStatus.run {
            let name = try ServiceName.validate(service)
            let candidate = Assignment(
                service: name, ports: port.ports, transport: port.transport ?? .tcp, host: attributes.host,
                bind: attributes.bind, owner: attributes.owner, note: attributes.note)
            let ttl = try attributes.ttlSeconds()
            let claim = try options.openRegistry(for: .writing).add(candidate, ttlSeconds: ttl, force: force)
            for holder in claim.overridden {
                Diagnostics.warning("recorded despite collision with \(holder.holderDescription)")
            }
            for advisory in claim.advisories { Diagnostics.warning(advisory.message) }
            var table = ResultTable(Rows.assignmentColumns)
            table.append(Rows.assignmentCells(claim.assignment))
            table.write(options.format)
        }
    }
}
