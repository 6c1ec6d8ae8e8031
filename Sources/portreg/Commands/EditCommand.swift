import ArgumentParser
import PortRegistry
import PortRegistryConflicts
import PortRegistryModel

/// `portreg edit SERVICE [PORT] --port/--owner/--note/...`: change one claim in place.
struct EditCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "edit",
        abstract: "Change a service's claim in place: its port, protocol, host, bind, owner or note.",
        discussion: """
            Picks the one live assignment of SERVICE (narrowed by PORT, PORT/proto or --in-host \
            when it holds several) and changes what the options give, in one transaction, \
            keeping its created time and lease. A new port is checked like add: a collision \
            with another service refuses the change (exit 1, nothing changed) unless --force. \
            Prints the claim as it now is. --owner "" or --note "" clears them.

            Examples:
              portreg edit billing --owner team-pay --note "payments API"
              portreg edit billing 8080 --port 8090
              portreg edit dns 53/udp --host prod --bind 10.0.0.5
            """
    )

    @OptionGroup var options: GlobalOptions

    @Argument(help: "Service name.", completion: ServiceCompletion.assigned)
    var service: String

    @Argument(
        help: "The claim to change, when the service holds several: a PORT or LO-HI it holds (optionally /proto).",
        transform: PortArgument.argument)
    var current: PortArgument?

    @Option(
        name: .customLong("in-host"), help: "The claim to change, by its host scope (* for the every-host ones).",
        transform: HostScope.argument)
    var inHost: HostScope?

    @Option(help: "New port or block, PORT[-END][/PROTO].", transform: PortArgument.argument)
    var port: PortArgument?

    @Option(help: "New host or environment (* means every host).", transform: HostScope.argument)
    var host: HostScope?

    @Option(help: "New bind address: an IPv4 or IPv6 address, 0.0.0.0, :: or *.", transform: BindAddress.argument)
    var bind: BindAddress?

    @Option(help: "New owner (\"\" clears it).")
    var owner: String?

    @Option(help: "New note (\"\" clears it).")
    var note: String?

    @Flag(help: "Record the change even when the new claim collides.")
    var force = false

    func validate() throws {
        if port == nil && host == nil && bind == nil && owner == nil && note == nil {
            throw ValidationError("nothing to change: give --port, --host, --bind, --owner or --note")
        }
    }

    func run() throws {
        try ExitStatus.run {
            var selector = ClaimSelector(service: service)
            selector.howToPick = "portreg edit \(service) PORT[/PROTO] … or --in-host HOST"
            if let current { (selector.ports, selector.transport) = (current.ports, current.transport) }
            selector.host = inHost
            var change = ClaimChange(owner: owner, note: note, force: force)
            if let port { (change.ports, change.transport) = (port.ports, port.transport) }
            change.host = host
            change.bind = bind
            try EditCommand.apply(selector, change, options: options)
        }
    }

    /// Shared by edit and move: one transaction, then warnings and the claim as it now is.
    static func apply(_ selector: ClaimSelector, _ change: ClaimChange, options: GlobalOptions) throws {
        let edit = try options.openRegistry(for: .writing).edit(selector, change)
        if !edit.changed { Diagnostics.note("\(ChangeLines.claim(edit.old)) already is so: nothing changed") }
        for holder in edit.overridden {
            Diagnostics.warning("changed despite collision with \(holder.holderDescription)")
        }
        for advisory in edit.advisories { Diagnostics.warning(advisory.message) }
        var table = ResultTable(Rows.assignmentColumns)
        table.append(Rows.assignmentCells(edit.new))
        table.write(options.format)
    }
}

/// `portreg move SERVICE NEWPORT`: `edit SERVICE --port NEWPORT`, as a Unix user would type it.
struct MoveCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "move",
        abstract: "Move a service's claim to another port (or block), keeping its owner, note and lease.",
        discussion: """
            The same as portreg edit SERVICE --port NEWPORT: one transaction, refused (exit \
            1, nothing changed) when the new port collides with another service unless \
            --force. --from picks the claim when the service holds several.

            Examples:
              portreg move billing 8090
              portreg move billing 9400/udp --from 8080/udp
              portreg mv grpc-workers 20010-20013 --from 20000-20003
            """,
        aliases: ["mv"]
    )

    @OptionGroup var options: GlobalOptions

    @Argument(help: "Service name.", completion: ServiceCompletion.assigned)
    var service: String

    @Argument(help: "New port or block, PORT[-END][/PROTO].", transform: PortArgument.argument)
    var port: PortArgument

    @Option(
        help: "The claim to move, when the service holds several: a PORT or LO-HI it holds (optionally /proto).",
        transform: PortArgument.argument)
    var from: PortArgument?

    @Option(help: "The claim to move, by its host scope (* for the every-host ones).", transform: HostScope.argument)
    var host: HostScope?

    @Flag(help: "Move even when the new port collides.")
    var force = false

    func run() throws {
        try ExitStatus.run {
            var selector = ClaimSelector(service: service)
            selector.howToPick = "--from PORT[/PROTO] or --host HOST"
            if let from { (selector.ports, selector.transport) = (from.ports, from.transport) }
            selector.host = host
            var change = ClaimChange(force: force)
            (change.ports, change.transport) = (port.ports, port.transport)
            try EditCommand.apply(selector, change, options: options)
        }
    }
}
