import ArgumentParser
import PortRegistry

struct MapCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "map",
        abstract: "Draw the port space: system and ephemeral ports, catalog density, assignments, collisions.",
        discussion: """
            Without -o, the map is drawn in the terminal, one character per block of ports, \
            in the terminal's width (or $COLUMNS), coloured unless NO_COLOR is set or the \
            output is not a terminal. With -o FILE, it is written as a self-contained SVG \
            (no script, no external font) with a legend and a tooltip per assignment, \
            atomically, for a browser or a pull request.

            Examples:
              portreg map
              portreg map --range 8000-8999
              portreg map -o ports.svg
            """
    )

    @Option(help: "The registry database (default: $PORTREG_DB, else $XDG_DATA_HOME/portreg/registry.db).")
    var db: String?

    @Option(help: "Ports to draw, LO-HI (default 0-65535).")
    var range: PortRange = .all

    @Option(name: .shortAndLong, help: "Write the map as SVG to this file instead of drawing it in the terminal.")
    var output: String?

    func run() throws {
        try ExitStatus.run {
            let registry = try GlobalOptions.openRegistry(db: db)
            let input = try PortMapInput.read(from: registry, range: range)
            if let output {
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
