import ArgumentParser
import PortRegistry
import PortRegistryFormats
import PortRegistryModel

/// How results are written: `table` for people, `json` and `csv` for scripts.
enum OutputFormat: String, ExpressibleByArgument, CaseIterable {
    case table, json, csv
}

/// One cell: JSON keeps numbers as numbers and absent values as null.
enum Cell: Equatable {
    case text(String)
    case int(Int)
    case bool(Bool)
    /// A port span: its first port in json and csv (with `port_end` beside it), `LO-HI` in tables.
    case ports(PortRange)
    /// A JSON value (an array, an object) in json, `text` in table and csv.
    case json(JSONValue, text: String)
    case null

    static func optional(_ value: String?) -> Cell { value.map(Cell.text) ?? .null }
    static func optional(_ value: Int?) -> Cell { value.map(Cell.int) ?? .null }

    var plain: String {
        switch self {
        case .text(let text): text
        case .int(let number): String(number)
        case .bool(let flag): flag ? "true" : "false"
        case .ports(let ports): String(ports.low)
        case .json(_, let text): text
        case .null: ""
        }
    }

    var tableText: String {
        if case .ports(let ports) = self { return ports.description }
        return plain
    }
}

/// The one shape every command's results take before rendering: named columns and rows.
/// Keys are the stable JSON keys and CSV header names; titles are for the table.
struct ResultTable {
    struct Column {
        let key: String
        let title: String
        /// Shown in `table` format (long fields such as notes can be left to json/csv).
        var inTable = true
    }

    var columns: [Column]
    var rows: [[Cell]] = []

    init(_ columns: [Column]) { self.columns = columns }

    mutating func append(_ row: [Cell]) {
        precondition(row.count == columns.count, "row has \(row.count) cells for \(columns.count) columns")
        rows.append(row)
    }

    func write(_ format: OutputFormat, to out: OutputStream = .standardOutput) {
        switch format {
        case .table: writeTable(to: out)
        case .csv: writeCSV(to: out)
        case .json: writeJSON(to: out)
        }
    }

    func writeCSV(to out: OutputStream) {
        out.write(CSVFormat.record(columns.map(\.key), terminator: "\n"))
        for row in rows { out.write(CSVFormat.record(row.map(\.plain), terminator: "\n")) }
    }

    /// A one-row report as one JSON object rather than an array (SPEC: `import --format json`
    /// prints one object); table and CSV as `write` does.
    func writeReport(_ format: OutputFormat, to out: OutputStream = .standardOutput) {
        guard format == .json, rows.count == 1 else { return write(format, to: out) }
        out.write(JSONValue.object(zip(columns, rows[0]).map { ($0.key, $1.json) }).text(newline: true))
    }

    func writeJSON(to out: OutputStream) {
        var array = JSONValue.LinesWriter(to: out)
        for row in rows { array.append(.object(zip(columns, row).map { ($0.key, $1.json) })) }
        array.finish()
    }

    /// Aligned columns; multi-line text is folded to one line. On a terminal the table fits
    /// its width: the widest free-text column (description, note, message…) is cut with "…";
    /// piped output keeps every cell whole.
    func writeTable(to out: OutputStream, width: Int? = nil) {
        let shown = columns.indices.filter { columns[$0].inTable }
        guard !shown.isEmpty, !rows.isEmpty else { return }
        var cells = rows.map { row in shown.map { ResultTable.display(row[$0].tableText, limit: .max) } }
        var widths = shown.map { columns[$0].title.count }
        for row in cells {
            for (column, text) in row.enumerated() { widths[column] = max(widths[column], text.count) }
        }
        if let width = width ?? (out.isTerminal ? Terminal.width(of: out.descriptor) : nil) {
            let fitted = ResultTable.fit(
                widths, titles: shown.map { columns[$0].title }, keys: shown.map { columns[$0].key }, into: width)
            for (column, limit) in fitted.enumerated() where limit < widths[column] {
                for row in cells.indices { cells[row][column] = ResultTable.display(cells[row][column], limit: limit) }
            }
            widths = fitted
        }
        func line(_ values: [String]) -> String {
            var text = ""
            for (column, value) in values.enumerated() {
                if column == values.count - 1 {
                    text += value
                } else {
                    text += value + String(repeating: " ", count: widths[column] - value.count + 2)
                }
            }
            while text.last == " " { text.removeLast() }
            return text
        }
        out.writeLine(Style.bold(line(shown.map { columns[$0].title }), on: out))
        for row in cells { out.writeLine(line(row)) }
    }

    /// Columns a table may cut to fit a terminal, in tiers: free text first, then names.
    static let shrinkable: [Set<String>] = [["description", "note", "message"], ["owner", "origin", "sha256"]]

    /// Column widths that fit `width` (two spaces between columns): the widest column of the
    /// first tier gives up characters first, down to its title's width or 8, then the next
    /// widest, then the second tier's.
    static func fit(_ widths: [Int], titles: [String], keys: [String], into width: Int) -> [Int] {
        var widths = widths
        var excess = widths.reduce(0, +) + 2 * (widths.count - 1) - width
        for tier in shrinkable where excess > 0 {
            while excess > 0 {
                let candidates = widths.indices.filter {
                    tier.contains(keys[$0]) && widths[$0] > max(8, titles[$0].count)
                }
                guard let widest = candidates.max(by: { widths[$0] < widths[$1] }) else { break }
                let others = candidates.filter { $0 != widest }.map { widths[$0] }.max() ?? 0
                let floor = max(8, titles[widest].count, min(others, widths[widest]))
                let cut = min(excess, max(1, widths[widest] - floor))
                widths[widest] -= cut
                excess -= cut
            }
        }
        return widths
    }

    static func display(_ text: String, limit: Int) -> String {
        var folded =
            text.contains(where: { $0.isNewline || $0 == "\t" })
            ? text.split(whereSeparator: { $0.isNewline || $0 == "\t" }).joined(separator: " ")
            : text
        folded = TerminalText.visible(folded)
        if folded.count > limit { folded = String(folded.prefix(limit - 1)) + "…" }
        return folded
    }
}

/// A minimal JSON writer: ordered keys (stable output for scripts and diffs), strings escaped
/// per RFC 8259. Hand-written because JSONEncoder sorts or scrambles keys and builds the
/// whole document in memory.
extension Cell {
    /// The cell as a JSON value: a port span is its first port (`port_end` is a column of its own).
    var json: JSONValue {
        switch self {
        case .text(let text): .string(text)
        case .int(let number): .int(number)
        case .bool(let flag): .bool(flag)
        case .ports(let ports): .int(ports.low)
        case .json(let value, _): value
        case .null: .null
        }
    }
}
