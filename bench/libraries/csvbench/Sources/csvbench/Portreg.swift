import PortregCSV

/// portreg's hand-written reader: 64 KiB chunks, SHA-256 in the same pass, physical line numbers.
func portregParse(_ path: String, keep: Bool) throws -> (count: Int, fields: Int, rows: [[String]], lines: [Int], sha: String) {
    var reader = try CSVReader(path: path)
    _ = try reader.next()  // header
    var count = 0, fields = 0
    var rows: [[String]] = []
    var lines: [Int] = []
    while let record = try reader.next() {
        count += 1
        fields += record.fields.count
        if keep { rows.append(record.fields); lines.append(record.line) }
    }
    return (count, fields, rows, lines, reader.sha256)
}

func portregParse(text: String) -> String {
    var reader = CSVReader(text: text, name: "bad.csv")
    var rows: [[String]] = []
    do {
        while let r = try reader.next() { rows.append(r.fields) }
        return "ok \(rows)"
    } catch {
        return "error: \(error)"
    }
}
