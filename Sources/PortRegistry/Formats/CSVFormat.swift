/// Writing CSV that `CSVReader` (and spreadsheets, and Python's csv module) read back unchanged.
///
/// Fields are quoted only when they must be, so that exports stay readable and diff cleanly.
package enum CSVFormat {
    /// `s`, quoted (with doubled quotes) iff it contains a comma, a quote, CR or LF, or starts or
    /// ends with a space or tab, which some readers would trim.
    package static func field(_ s: String) -> String {
        var text = s
        var bytes: [UInt8] = []
        text.withUTF8 { append($0, to: &bytes) }
        return String(decoding: bytes, as: UTF8.self)
    }

    /// Appends one field's UTF-8 bytes to `line`, quoted by the rule of `field(_:)`. The one
    /// implementation of the quoting rule; the registry export calls it on SQLite's buffers.
    package static func append(_ bytes: UnsafeBufferPointer<UInt8>, to line: inout [UInt8]) {
        var needsQuotes = bytes.contains { $0 == 0x2C || $0 == 0x22 || $0 == 0x0D || $0 == 0x0A }
        if !needsQuotes, let first = bytes.first, let last = bytes.last {
            needsQuotes = first == 0x20 || first == 0x09 || last == 0x20 || last == 0x09
        }
        guard needsQuotes else {
            line.append(contentsOf: bytes)
            return
        }
        line.append(0x22)
        for byte in bytes {
            if byte == 0x22 { line.append(0x22) }
            line.append(byte)
        }
        line.append(0x22)
    }

    /// One record, terminator included. A record of one empty field is written as `""`, because
    /// an empty line would read back as no record at all.
    package static func record(_ fields: [String], terminator: String = "\r\n") -> String {
        if fields.count == 1, fields[0].isEmpty { return "\"\"" + terminator }
        var line = ""
        for (index, value) in fields.enumerated() {
            if index > 0 { line += "," }
            line += field(value)
        }
        line += terminator
        return line
    }
}
