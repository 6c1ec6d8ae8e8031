/// A port or a block of consecutive ports, `low...high`, both within 0–65535.
package struct PortRange: Hashable, Sendable, Comparable, CustomStringConvertible {
    package let low: Int
    package let high: Int

    package static let all = PortRange(uncheckedLow: 0, high: 65535)

    package init?(low: Int, high: Int) {
        guard 0 <= low, low <= high, high <= 65535 else { return nil }
        self.low = low
        self.high = high
    }

    package init?(port: Int) { self.init(low: port, high: port) }

    package init(uncheckedLow low: Int, high: Int) {
        self.low = low
        self.high = high
    }

    /// Ports read back from a database: checked, since a row written with the schema's checks
    /// bypassed (or by another program) must give a message, not a trap or a loop over
    /// millions of ports later. `row` names it ("assignment 12").
    package static func stored(_ low: Int, _ high: Int, row: @autoclosure () -> String) throws(RegistryError)
        -> PortRange
    {
        guard let range = PortRange(low: low, high: high) else {
            throw RegistryError(
                .io,
                "\(row()): ports \(low)-\(high) are out of range: the database was changed outside portreg; run `portreg doctor`"
            )
        }
        return range
    }

    /// Parses `8080` or `6000-6063`; nil for anything else.
    package init?(parsing text: some StringProtocol) {
        // Byte by byte: this runs once per row of a million-row import.
        var low = 0
        var high = 0
        var sawDigit = false
        var significant = 0
        var sawDash = false
        for byte in text.utf8 {
            if byte >= 0x30 && byte <= 0x39 {
                sawDigit = true
                // Leading zeros do not count towards the five digits ("00080" is 80).
                if (sawDash ? high : low) > 0 || byte != 0x30 { significant += 1 }
                guard significant <= 5 else { return nil }
                if sawDash { high = high * 10 + Int(byte - 0x30) } else { low = low * 10 + Int(byte - 0x30) }
            } else if byte == 0x2D && !sawDash && sawDigit {
                sawDash = true
                sawDigit = false
                significant = 0
            } else {
                return nil
            }
        }
        guard sawDigit else { return nil }
        self.init(low: low, high: sawDash ? high : low)
    }

    package var count: Int { high - low + 1 }
    package var isSinglePort: Bool { low == high }

    package func contains(_ port: Int) -> Bool { low <= port && port <= high }

    package func overlaps(_ other: PortRange) -> Bool { low <= other.high && other.low <= high }

    package var description: String { isSinglePort ? String(low) : "\(low)-\(high)" }

    package static func < (lhs: Self, rhs: Self) -> Bool {
        (lhs.low, lhs.high) < (rhs.low, rhs.high)
    }

    /// `spans` merged where they overlap or touch, sorted: the ports they cover, each once
    /// (a cost per span, never per port).
    package static func union(_ spans: [PortRange]) -> [PortRange] {
        var merged: [PortRange] = []
        for span in spans.sorted() {
            if let last = merged.last, span.low <= last.high + 1 {
                merged[merged.count - 1] = PortRange(uncheckedLow: last.low, high: max(last.high, span.high))
            } else {
                merged.append(span)
            }
        }
        return merged
    }
}
