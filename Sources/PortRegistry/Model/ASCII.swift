/// Text helpers on ASCII, the one copy of each: names, protocols, hosts and CSV headers are
/// ASCII, and working on bytes avoids Unicode-aware work that would change nothing.
extension StringProtocol {
    /// Without leading and trailing spaces, tabs, CRs and LFs.
    func trimmingASCIIWhitespace() -> String {
        var slice = Substring(self)
        while let first = slice.first, first == " " || first == "\t" || first == "\r" || first == "\n" {
            slice.removeFirst()
        }
        while let last = slice.last, last == " " || last == "\t" || last == "\r" || last == "\n" { slice.removeLast() }
        return String(slice)
    }

    /// True when some byte is an ASCII capital or not ASCII at all: only then can
    /// `lowercased()` change the text.
    var mayHaveUppercase: Bool {
        utf8.contains(where: { ($0 >= 0x41 && $0 <= 0x5A) || $0 >= 0x80 })
    }
}

/// `text.lowercased()`, without the allocation when `text` has no upper-case ASCII and no
/// non-ASCII byte (nearly every catalog name and host).
func lowercasedIfNeeded(_ text: String) -> String {
    text.mayHaveUppercase ? text.lowercased() : text
}
