import ArgumentParser
import PortRegistry
import PortRegistryCatalog
import PortRegistryModel

struct CatalogCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "catalog",
        abstract: "Show the catalog's sources: rows, release date, import time and sha256.",
        discussion: """
            Sources are iana (the IANA registry; the built-in excerpt until you import the \
            full CSV), common (de-facto ports of popular software, built in) and system \
            (/etc/services, once imported).

            Examples:
              portreg catalog
              portreg import service-names-port-numbers.csv && portreg catalog --format json
            """
    )

    @OptionGroup var options: GlobalOptions

    func run() throws {
        try ExitStatus.run {
            let registry = try options.openRegistry(for: .reading)
            var table = ResultTable([
                .init(key: "source", title: "SOURCE"), .init(key: "rows", title: "ROWS"),
                .init(key: "release_date", title: "RELEASE"), .init(key: "imported_at", title: "IMPORTED"),
                .init(key: "origin", title: "FROM"), .init(key: "sha256", title: "SHA256"),
            ])
            for source in try registry.catalogSources() {
                table.append([
                    .text(source.source.rawValue), .int(source.rows), .optional(source.releaseDate),
                    .text(source.importedAt), .text(source.origin), .optional(source.sha256),
                ])
            }
            table.write(options.format)
        }
    }
}
