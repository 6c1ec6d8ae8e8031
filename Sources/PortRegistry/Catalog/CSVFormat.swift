/// Writing CSV that `CSVReader` (and spreadsheets, and Python's csv module) read back unchanged.
///
/// Fields are quoted only when they must be, so that exports stay readable and diff cleanly.
public enum CSVFormat {
    /// `s`, quoted (with doubled quotes) iff it contains a comma, a quote, CR or LF, or starts or
    /// ends with a space or tab, which some readers would trim.
    public static func field(_ s: String) -> String {
        var needsQuotes = false
        for byte in s.utf8 where byte == 0x2C || byte == 0x22 || byte == 0x0D || byte == 0x0A {
            needsQuotes = true
            break
        }
        if !needsQuotes, let first = s.utf8.first, let last = s.utf8.last {
            needsQuotes = first == 0x20 || first == 0x09 || last == 0x20 || last == 0x09
        }
        guard needsQuotes else { return s }
        var quoted = "\""
        quoted.reserveCapacity(s.utf8.count + 2)
        for character in s.unicodeScalars {
            if character == "\"" { quoted.unicodeScalars.append("\"") }
            quoted.unicodeScalars.append(character)
        }
        quoted.unicodeScalars.append("\"")
        return quoted
    }

    /// One record, terminator included. A record of one empty field is written as `""`, because
    /// an empty line would read back as no record at all.
    public static func record(_ fields: [String], terminator: String = "\r\n") -> String {
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
