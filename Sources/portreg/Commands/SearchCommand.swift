import PortRegistrySearch
import ArgumentParser
import PortRegistry
import PortRegistryModel

struct SearchCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "search",
        abstract: "Full-text search over service names, descriptions, notes and owners, best first.",
        discussion: """
            Every word must appear (as a word or the start of one). Names weigh more than \
            descriptions. When nothing matches, close names are suggested. Exits 1 when \
            nothing matched.

            Examples:
              portreg search postgres
              portreg search "kerberos admin" --limit 5
            """
    )

    @OptionGroup var options: GlobalOptions

    @Argument(help: "Words to search for.")
    var text: [String]

    @Option(help: "Show at most this many results.")
    var limit: Int = 20

    func validate() throws {
        if limit < 1 { throw ValidationError("--limit must be at least 1") }
    }

    func run() throws {
        try ExitStatus.run {
            let query = text.joined(separator: " ")
            let result = try options.openRegistry(for: .reading).search(query, limit: limit)
            var table = ResultTable(Rows.entryColumns)
            for hit in result.hits {
                switch hit {
                case .catalog(let registration): table.append(Rows.cells(registration))
                case .assignment(let assignment): table.append(Rows.cells(assignment))
                }
            }
            if result.hits.isEmpty {
                let hint =
                    result.suggestions.isEmpty ? "" : "; did you mean \(result.suggestions.joined(separator: ", "))?"
                if options.format != .table { table.write(options.format) }
                throw RegistryError(.refused, "no match for '\(query)'\(hint)")
            }
            table.write(options.format)
        }
    }
}
