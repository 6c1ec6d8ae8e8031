/// RFC 3339 UTC timestamps as stored: `YYYY-MM-DDTHH:MM:SSZ`.
public enum Timestamp {
    /// True for a well-formed UTC timestamp with a real calendar date.
    public static func isValid(_ text: String) -> Bool {
        let bytes = Array(text.utf8)
        guard bytes.count == 20, bytes[4] == UInt8(ascii: "-"), bytes[7] == UInt8(ascii: "-"),
            bytes[10] == UInt8(ascii: "T"), bytes[13] == UInt8(ascii: ":"), bytes[16] == UInt8(ascii: ":"),
            bytes[19] == UInt8(ascii: "Z")
        else { return false }
        func number(_ range: Range<Int>) -> Int? {
            var value = 0
            for index in range {
                let byte = bytes[index]
                guard byte >= 48 && byte <= 57 else { return nil }
                value = value * 10 + Int(byte - 48)
            }
            return value
        }
        guard let year = number(0..<4), let month = number(5..<7), let day = number(8..<10),
            let hour = number(11..<13), let minute = number(14..<16), let second = number(17..<19),
            (1...12).contains(month), hour < 24, minute < 60, second < 61
        else { return false }
        let leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0
        let days = [31, leap ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][month - 1]
        return (1...days).contains(day)
    }
}

/// Lease lengths such as `90s`, `30m`, `2h`, `7d`, `1w`, or combined: `1h30m`.
public enum Duration {
    public static let rule = "a duration is a number with a unit s, m, h, d or w, e.g. 90s, 30m, 2h, 7d, 1h30m"
    /// Ten years: a claim meant to last longer should have no expiry.
    public static let longest = 520 * 604_800

    public static func seconds(parsing text: String) throws -> Int {
        var total = 0
        var number: Int?
        for character in text {
            if let digit = character.wholeNumberValue, character.isASCII {
                number = (number ?? 0) * 10 + digit
                guard number! < 100_000_000 else { throw RegistryError(.usage, "invalid duration '\(text)': too long") }
                continue
            }
            let unit: Int
            switch character {
            case "s": unit = 1
            case "m": unit = 60
            case "h": unit = 3600
            case "d": unit = 86_400
            case "w": unit = 604_800
            default: throw RegistryError(.usage, "invalid duration '\(text)': \(rule)")
            }
            guard let value = number else { throw RegistryError(.usage, "invalid duration '\(text)': \(rule)") }
            total += value * unit
            number = nil
            // Checked as it grows: enough components would overflow Int (a trap).
            guard total <= longest else {
                throw RegistryError(.usage, "invalid duration '\(text)': a lease lasts at most 10 years (520w)")
            }
        }
        guard number == nil, total > 0 else { throw RegistryError(.usage, "invalid duration '\(text)': \(rule)") }
        // Past year 9999 SQLite's strftime gives NULL, which would make the lease permanent.
        guard total <= longest else {
            throw RegistryError(.usage, "invalid duration '\(text)': a lease lasts at most 10 years (520w)")
        }
        return total
    }
}
