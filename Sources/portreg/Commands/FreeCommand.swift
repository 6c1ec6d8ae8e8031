import ArgumentParser
import PortRegistry
import PortRegistryAssignments
import PortRegistryModel

struct FreeCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "free",
        abstract: "List free ports or blocks, by the rules reserve uses, without recording anything.",
        discussion: """
            When nothing is free, says what blocked the range and suggests one that reserve \
            would accept (exit 1).

            Examples:
              portreg free --range 8000-8999 --limit 5
              portreg free --count 10 --proto udp --host prod-eu
              portreg free --range 8000-8099 --allow-registered
            """
    )

    @OptionGroup var options: GlobalOptions

    @Option(help: "Ports to look in, LO-HI (default 1024-49151).", transform: PortRange.argument)
    var range: PortRange?

    @Option(name: .customLong("proto"), help: "Protocol: tcp, udp, sctp or dccp.")
    var transport: TransportProtocol = .tcp

    @Option(
        help: "Host scope the ports must be free on (* means on every host). (default: *)",
        transform: HostScope.argument)
    var host: HostScope = .everywhere

    @Option(parsing: .unconditional, help: "Size of each block of consecutive ports.")
    var count = 1

    @Option(help: "Show at most this many.")
    var limit = 20

    @Flag(help: "Do not test-bind ports on this machine.")
    var noProbe = false

    @Flag(help: "Also list ports the catalog registers to other services (iana, common).")
    var allowRegistered = false

    func validate() throws {
        if limit < 1 { throw ValidationError("--limit must be at least 1") }
        if !(1...4096).contains(count) { throw ValidationError("--count must be 1-4096") }
        if let range, range.count < count {
            throw ValidationError("--range \(range) holds \(range.count) ports, fewer than --count \(count)")
        }
    }

    func run() throws {
        try ExitStatus.run {
            var request = ReservationRequest(service: "free")
            request.range = range
            request.transport = transport
            request.host = host
            request.count = count
            request.probe = !noProbe
            request.allowRegistered = allowRegistered
            let registry = try options.openRegistry(for: .reading)
            let blocks = try registry.freeBlocks(request, limit: limit)
            var table = ResultTable([
                .init(key: "port", title: "PORT"), .init(key: "port_end", title: "END", inTable: false),
                .init(key: "protocol", title: "PROTO"),
            ])
            for block in blocks { table.append([.ports(block), .int(block.high), .text(transport.rawValue)]) }
            table.write(options.format)
            if blocks.isEmpty { throw RegistryError(.refused, try registry.freeRefusal(request)) }
        }
    }
}
