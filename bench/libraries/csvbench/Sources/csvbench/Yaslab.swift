import CSV
import Foundation

nonisolated(unsafe) var yaslabLastError: String?

/// yaslab/CSV.swift: streams from an InputStream; returns all records (header consumed by the reader).
func yaslabParse(_ path: String, keep: Bool) throws -> (count: Int, fields: Int, rows: [[String]]) {
    guard let stream = InputStream(fileAtPath: path) else { throw CSVError.cannotOpenFile }
    let reader = try CSVReader(stream: stream, hasHeaderRow: true)
    var count = 0, fields = 0
    var rows: [[String]] = []
    while let row = reader.next() {
        count += 1
        fields += row.count
        if keep { rows.append(row) }
    }
    // On Linux, reader.error is CSVError.cannotReadFile after every complete read (see report);
    // it is recorded, not thrown.
    yaslabLastError = reader.error.map { "\($0)" }
    return (count, fields, rows)
}

func yaslabParse(text: String) throws -> [[String]] {
    let reader = try CSVReader(string: text, hasHeaderRow: false)
    var rows: [[String]] = []
    while let row = reader.next() { rows.append(row) }
    if let error = reader.error { throw error }
    return rows
}
