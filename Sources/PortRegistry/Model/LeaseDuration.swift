/// Lease lengths such as `90s`, `30m`, `2h`, `7d`, `1w`, or combined: `1h30m`.
package enum LeaseDuration {
    package static let rule = "a duration is a number with a unit s, m, h, d or w, e.g. 90s, 30m, 2h, 7d, 1h30m"
    /// Ten years: a claim meant to last longer should have no expiry.
    package static let longest = 520 * 604_800

    package static func seconds(parsing text: String) throws -> Int {
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
        // Past year 9999 an expiry cannot be written as a timestamp (`Timestamp.latest`).
        guard total <= longest else {
            throw RegistryError(.usage, "invalid duration '\(text)': a lease lasts at most 10 years (520w)")
        }
        return total
    }
}
