import Foundation
import SwiftCSV

/// swiftcsv/SwiftCSV: whole file into a String, then parsed into an array of rows.
func swiftcsvEnumerated(_ path: String, keep: Bool) throws -> (count: Int, fields: Int, rows: [[String]]) {
    let text = try String(contentsOfFile: path, encoding: .utf8)
    let csv = try CSV<Enumerated>(string: text, delimiter: .comma, loadColumns: false)
    var count = 0, fields = 0
    for row in csv.rows {
        count += 1
        fields += row.count
    }
    return (count, fields, keep ? csv.rows : [])
}

func swiftcsvNamed(_ path: String) throws -> (count: Int, fields: Int) {
    let text = try String(contentsOfFile: path, encoding: .utf8)
    let csv = try CSV<Named>(string: text, delimiter: .comma, loadColumns: false)
    var count = 0, fields = 0
    for row in csv.rows {
        count += 1
        fields += row.count
    }
    return (count, fields)
}

/// The default convenience initializer (guesses the delimiter, loads columns).
func swiftcsvDefault(_ path: String) throws -> Int {
    let text = try String(contentsOfFile: path, encoding: .utf8)
    let csv = try CSV<Enumerated>(string: text)
    return csv.rows.count
}

func swiftcsvParse(text: String) throws -> [[String]] {
    // Enumerated treats line 1 as header; prepend a dummy header so every input line is a row.
    let csv = try CSV<Enumerated>(string: "h\r\n" + text, delimiter: .comma, loadColumns: false)
    return csv.rows
}
