import ArgumentParser
import PortRegistry
import PortRegistryFormats
import PortRegistryMap
import PortRegistryModel

struct MapCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "map",
        abstract: "Draw the port space: system and ephemeral ports, catalog density, assignments, collisions.",
        discussion: """
            Without -o, the map is drawn in the terminal, one character per block of ports, \
            in the terminal's width (or $COLUMNS), coloured unless NO_COLOR is set or the \
            output is not a terminal. With -o FILE, it is written as a self-contained SVG \
            (no script, no external font) with a legend and a tooltip per assignment, \
            atomically, for a browser or a pull request. --format json or csv gives the \
            blocks behind the picture (the SVG's cells) for scripts.

            Examples:
              portreg map
              portreg map --range 8000-8999
              portreg map -o ports.svg
              portreg map --range 30000-32767 --format json
            """
    )

    @OptionGroup var options: GlobalOptions

    @Option(help: "Ports to draw, LO-HI. (default: 0-65535)", transform: PortRange.argument)
    var range: PortRange = .all

    @Option(name: .shortAndLong, help: "Write the map as SVG to this file instead of drawing it in the terminal.")
    var output: String?

    func validate() throws {
        if output != nil && options.format != .table {
            throw ValidationError(
                "-o writes the SVG picture; --format \(options.format.rawValue) writes blocks to stdout: use one")
        }
    }

    func run() throws {
        try ExitStatus.run {
            let registry = try options.openRegistry(for: .reading)
            let input = try registry.mapInput(range: range)
            if options.format != .table {
                let map = PortMap(input, range: range, blockSize: PortMapSVG.layout(for: range).blockSize)
                var table = ResultTable([
                    .init(key: "port", title: "PORT"), .init(key: "port_end", title: "END"),
                    .init(key: "system", title: "SYSTEM"), .init(key: "ephemeral", title: "EPHEMERAL"),
                    .init(key: "registered", title: "REGISTERED"), .init(key: "assigned", title: "ASSIGNED"),
                    .init(key: "colliding", title: "COLLIDING"), .init(key: "services", title: "SERVICES"),
                ])
                for block in map.blocks {
                    let services = block.claims.map { map.claims[$0].assignment.service }
                    table.append([
                        .int(block.ports.low), .int(block.ports.high), .int(block.system), .int(block.ephemeral),
                        .int(block.registered), .int(block.assigned), .int(block.colliding),
                        .text(services.joined(separator: " ")),
                    ])
                }
                table.write(options.format)
            } else if let output {
                let svg = PortMapSVG.render(input, range: range)
                try TextFile.writeAtomically(output) { descriptor in
                    let stream = OutputStream(descriptor: descriptor)
                    stream.write(svg)
                    stream.flush()
                    if let failure = stream.failure { throw RegistryError(.io, "\(output): \(failure)") }
                }
            } else {
                let out = OutputStream.standardOutput
                out.write(
                    PortMapText.render(
                        input, range: range, width: Terminal.width(of: 1), colour: Style.enabled(for: out)))
            }
        }
    }
}
