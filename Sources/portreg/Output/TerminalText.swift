import PortRegistryModel

/// Text from files, the database or the command line, made safe to show on a terminal:
/// every character that could drive the terminal or reorder what is shown is replaced by a
/// visible escape, `\u{1B}` style (hexadecimal scalar value, as in a Swift string literal).
///
/// Escaped: C0 controls (U+0000–U+001F), DEL (U+007F), C1 controls (U+0080–U+009F, which
/// include CSI and OSC on terminals that read 8-bit controls), the bidirectional formatting
/// characters (U+061C, U+200E, U+200F, U+202A–U+202E, U+2066–U+2069: "Trojan Source") and
/// the line and paragraph separators U+2028, U+2029, and every default-ignorable code point
/// (U+200B, U+2060, U+FEFF…, drawn as nothing: `bill\u{200B}ing` must not look like `billing`). Line feed and tab are kept only where
/// they are layout (`lineBreaks: .kept`, for help text); a carriage return never is.
/// Backslashes are not doubled: this is for people to read, and JSON and CSV carry the
/// data exactly.
enum TerminalText {
    enum LineBreaks {
        /// `\n` and `\t` are shown as escapes: one message, one line.
        case escaped
        /// Line feeds and tabs pass through (text that is laid out in lines, such as help).
        case kept
    }

    /// Whether `scalar` must not reach a terminal as it is (the rule lives in the library,
    /// `Unicode.Scalar.isUnsafeOnTerminal`, so that the port map's text follows it too).
    static func isUnsafe(_ scalar: Unicode.Scalar) -> Bool { scalar.isUnsafeOnTerminal }

    /// `text` with every unsafe character escaped; returned unchanged (no copy) when it has none.
    static func visible(_ text: String, lineBreaks: LineBreaks = .escaped) -> String {
        func passes(_ scalar: Unicode.Scalar) -> Bool {
            !isUnsafe(scalar) || (lineBreaks == .kept && (scalar == "\n" || scalar == "\t"))
        }
        // Fast path: printable ASCII and most other text has nothing to escape.
        if text.utf8.allSatisfy({ $0 >= 0x20 && $0 < 0x7F }) { return text }
        if text.unicodeScalars.allSatisfy(passes) { return text }
        var out = ""
        out.reserveCapacity(text.utf8.count + 16)
        for scalar in text.unicodeScalars {
            if passes(scalar) {
                out.unicodeScalars.append(scalar)
            } else {
                out += "\\u{" + String(scalar.value, radix: 16, uppercase: true) + "}"
            }
        }
        return out
    }
}
