import ArgumentParser
import PortRegistry
import PortRegistryFormats
import PortRegistryModel
import PortRegistrySearch

struct LookupCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "lookup",
        abstract: "Look up ports, ranges or service names in the catalog and the assignments.",
        discussion: """
            A QUERY is a port (80), a port and protocol (53/udp), a range (6000-6010, \
            6000-6010/tcp) or a service name or alias, case-insensitively. A port inside a \
            catalog range matches it: 6005 finds x11. With -, queries are read from standard \
            input, one per line. Queries that match nothing are named on stderr; the exit \
            status is 1 when no query matched at all (Reserved and Unassigned rows are \
            shown but are not matches).

            Examples:
              portreg lookup 5432
              portreg lookup postgresql 53/udp x11 --format json
              cut -d, -f2 ports.csv | portreg lookup -
            """
    )

    @OptionGroup var options: GlobalOptions

    @Argument(
        help: "Ports (80, 53/udp, 6000-6010/tcp) or service names; - reads them from stdin.",
        completion: ServiceCompletion.anyName)
    var queries: [String] = []

    func validate() throws {
        if queries.isEmpty { throw ValidationError("give at least one QUERY, or - to read queries from stdin") }
    }

    func run() throws {
        try ExitStatus.run {
            let registry = try options.openRegistry(for: .reading)
            var table = ResultTable(
                [.init(key: "query", title: "QUERY", inTable: queries.count > 1 || queries == ["-"])]
                    + Rows.entryColumns)
            var unmatched: [String] = []
            var matchedAny = false
            func answer(_ text: String, _ lookup: Lookup) throws {
                // Only the first 20 misses are named on stderr, with suggestions.
                let result = try lookup(try LookupQuery(parsing: text), suggesting: unmatched.count < 20)
                for registration in result.registrations { table.append([.text(text)] + Rows.cells(registration)) }
                for assignment in result.assignments { table.append([.text(text)] + Rows.cells(assignment)) }
                matchedAny = matchedAny || result.matched
                if !result.matched {
                    if let lease = result.expired.last, let expiry = lease.expiresAt {
                        unmatched.append(
                            "\(text): no match: its lease on \(lease.ports)/\(lease.transport.rawValue) expired at \(expiry); add or reserve it again"
                        )
                        return
                    }
                    let hint =
                        result.suggestions.isEmpty
                        ? "" : " (did you mean \(result.suggestions.joined(separator: ", "))?)"
                    unmatched.append("\(text): no match\(hint)")
                }
            }
            // One read transaction for every query: one lock instead of one per statement.
            try registry.lookup { lookup in
                for query in queries {
                    if query == "-" {
                        // Read whole, through the reader that reports a closed or unreadable
                        // stdin (66, 74); readLine() would end silently.
                        var number = 0
                        // "\r\n" is one Character: both ends of line separate.
                        var lines = try TextFile.read("-").split(
                            omittingEmptySubsequences: false, whereSeparator: { $0 == "\n" || $0 == "\r\n" })
                        if lines.last?.isEmpty == true { lines.removeLast() }
                        for raw in lines {
                            let line = String(raw)
                            number += 1
                            if line.allSatisfy({ $0 == " " || $0 == "\t" || $0 == "\r" }) { continue }
                            do {
                                try answer(line, lookup)
                            } catch let error as RegistryError where error.kind == .usage {
                                // A bad query read from stdin is bad input data: name its line.
                                throw RegistryError.data(file: "<stdin>", line: number, error.message)
                            }
                        }
                    } else {
                        try answer(query, lookup)
                    }
                }
            }
            table.write(options.format)
            OutputStream.standardOutput.flush()
            for message in unmatched.prefix(20) { Diagnostics.note(message) }
            if unmatched.count > 20 { Diagnostics.note("… and \(unmatched.count - 20) more queries matched nothing") }
            if !matchedAny { throw ExitStatus.findings }
        }
    }
}
