import PortRegistryFormats

/// One small JSON value writer for every document the executable prints (`check`'s JSON and
/// SARIF, the tables' `--format json` strings): values are built, then written once, so no
/// document is made by string surgery. Keys keep the order given (stable output for scripts
/// and diffs); strings are escaped per RFC 8259, and DEL, C1 and bidirectional controls as
/// well, so a document shown on a terminal cannot drive it.
indirect enum JSONValue: Equatable {
    case string(String)
    case int(Int)
    case bool(Bool)
    case null
    /// `lines`: one element per line (a report's findings), else all on one line.
    case array([JSONValue], lines: Bool = false)
    /// `lines`: one member per line (a report's top level), else all on one line.
    case object([(String, JSONValue)], lines: Bool = false)

    static func optional(_ value: String?) -> JSONValue { value.map(JSONValue.string) ?? .null }
    static func optional(_ value: Int?) -> JSONValue { value.map(JSONValue.int) ?? .null }

    static func == (a: JSONValue, b: JSONValue) -> Bool { a.text() == b.text() }

    /// An array written element by element as it is produced (an export of a million rows
    /// is never held whole), in the shape of `.array(lines: true)` with a final line feed:
    /// `[`, each element on a line of its own indented by two spaces, `]`.
    struct LinesWriter {
        let out: OutputStream
        private var count = 0

        init(to out: OutputStream) {
            self.out = out
            out.write("[")
        }

        mutating func append(_ element: JSONValue) {
            var text = count == 0 ? "\n  " : ",\n  "
            element.write(to: &text)
            out.write(text)
            count += 1
        }

        func finish() { out.write(count == 0 ? "]\n" : "\n]\n") }
    }

    /// The document as text, with a final line feed when `newline`.
    func text(newline: Bool = false) -> String {
        var out = ""
        write(to: &out)
        if newline { out += "\n" }
        return out
    }

    func write(to out: inout String) {
        switch self {
        case .string(let text): JSONValue.quote(text, to: &out)
        case .int(let number): out += String(number)
        case .bool(let flag): out += flag ? "true" : "false"
        case .null: out += "null"
        case .array(let elements, let lines):
            out += "["
            for (index, element) in elements.enumerated() {
                out += lines ? (index == 0 ? "\n  " : ",\n  ") : (index == 0 ? "" : ", ")
                element.write(to: &out)
            }
            out += lines && !elements.isEmpty ? "\n]" : "]"
        case .object(let members, let lines):
            out += "{"
            for (index, (key, value)) in members.enumerated() {
                if index > 0 { out += lines ? ",\n " : ", " }
                JSONValue.quote(key, to: &out)
                out += ": "
                value.write(to: &out)
            }
            out += "}"
        }
    }

    /// `text` as a JSON string literal.
    static func quote(_ text: String, to out: inout String) {
        out += "\""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            default:
                if TerminalText.isUnsafe(scalar) {
                    let hex = String(scalar.value, radix: 16)
                    out += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
                } else {
                    out.unicodeScalars.append(scalar)
                }
            }
        }
        out += "\""
    }
}
