/// Where an assignment applies: `*` (every host the team uses) or one named host or environment.
package struct HostScope: Hashable, Sendable, CustomStringConvertible {
    package let name: String
    package static let everywhere = HostScope(uncheckedName: "*")

    private init(uncheckedName: String) { self.name = uncheckedName }

    /// Host names compare case-insensitively; spaces, control characters and
    /// default-ignorable code points (U+200B, U+2060, U+FEFF…: invisible, so `prod\u{200B}`
    /// would print as `prod` and never collide with it) are refused.
    /// Non-ASCII names are lowercased and put in Unicode normal form C, so that names that
    /// differ only in normal form (`\u{FC}` and `u\u{308}`) are one name, byte for byte, in
    /// SQL as in Swift.
    package init?(parsing raw: String) {
        if raw == "*" {
            self = .everywhere
            return
        }
        let utf8 = raw.utf8
        guard !utf8.isEmpty, utf8.count <= 253, utf8.allSatisfy({ $0 > 0x20 && $0 != 0x2C && $0 != 0x7F }) else {
            return nil
        }
        if utf8.contains(where: { $0 >= 0x80 }), raw.unicodeScalars.contains(where: \.isDefaultIgnorable) {
            return nil
        }
        // Lowercase (and normalise) only when needed: most names already are.
        let lowered = lowercasedIfNeeded(raw)
        self.name =
            utf8.contains(where: { $0 >= 0x80 }) ? String(decoding: lowered._nfcCodeUnits, as: UTF8.self) : lowered
        // Lowercasing can lengthen a name ("İ" is 2 bytes, "i̇" 3): the stored name must
        // itself be valid, or reading it back from the database would fail.
        guard name.utf8.count <= 253 else { return nil }
    }

    /// A host name read back from the database: parsed, or kept as stored when a rule
    /// added since refuses it (a row is never silently widened to `*`).
    package init(stored name: String) { self = HostScope(parsing: name) ?? HostScope(uncheckedName: name) }

    package var isEverywhere: Bool { name == "*" }

    package func overlaps(_ other: HostScope) -> Bool { isEverywhere || other.isEverywhere || name == other.name }

    package var description: String { name }
}
