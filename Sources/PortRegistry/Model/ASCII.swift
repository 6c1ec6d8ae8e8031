/// Text helpers, the one copy of each. Names, protocols, hosts and CSV headers are mostly
/// ASCII: checking bytes first avoids Unicode-aware work that would change nothing.
extension StringProtocol {
    /// True when some byte is an ASCII capital or not ASCII at all: only then can
    /// `lowercased()` change the text.
    @inlinable package var mayHaveUppercase: Bool {
        utf8.contains(where: { ($0 >= 0x41 && $0 <= 0x5A) || $0 >= 0x80 })
    }
}

/// `text.lowercased()`, without the allocation when `text` has no upper-case ASCII and no
/// non-ASCII byte (nearly every catalog name and host).
@inlinable package func lowercasedIfNeeded(_ text: String) -> String {
    text.mayHaveUppercase ? text.lowercased() : text
}

extension StringProtocol where UTF8View: BidirectionalCollection {
    /// Without leading and trailing whitespace (`Character.isWhitespace`). The one trim of
    /// the library: almost every field of a catalog import has nothing to trim, so its ends
    /// are checked as bytes first and the text is returned without a copy.
    @inlinable package func trimmed() -> String {
        let utf8 = self.utf8
        guard let head = utf8.first, let tail = utf8.last else { return String(self) }
        if head > 0x20, head < 0x7F, tail > 0x20, tail < 0x7F { return String(self) }
        guard let first = firstIndex(where: { !$0.isWhitespace }) else { return "" }
        let last = lastIndex(where: { !$0.isWhitespace })!
        return String(self[first...last])
    }
}
