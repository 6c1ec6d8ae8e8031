/// A moment to the second, in UTC, as the registry stores it: RFC 3339 text
/// `YYYY-MM-DDTHH:MM:SSZ`. Text of this one shape compares in time order, which the SQL
/// (`expires_at > ?`) relies on; the time itself always comes from a `RegistryClock` and is
/// bound as a parameter, never computed inside SQL.
package struct Timestamp: Hashable, Sendable, Comparable, CustomStringConvertible {
    /// Seconds since 1970-01-01T00:00:00Z.
    package let secondsSinceEpoch: Int

    /// The latest moment SQLite's and our text can hold: 9999-12-31T23:59:59Z.
    package static let latest = Timestamp(secondsSinceEpoch: 253_402_300_799)

    package init(secondsSinceEpoch: Int) {
        self.secondsSinceEpoch = min(max(secondsSinceEpoch, 0), 253_402_300_799)
    }

    /// Parses the stored shape; nil for anything else (see `isValid`).
    package init?(parsing text: String) {
        guard let fields = Timestamp.fields(text) else { return nil }
        let days = Timestamp.days(year: fields.year, month: fields.month, day: fields.day)
        self.init(secondsSinceEpoch: days * 86_400 + fields.hour * 3600 + fields.minute * 60 + min(fields.second, 59))
    }

    /// RFC 3339 UTC, e.g. `2026-11-27T10:00:00Z`.
    package var text: String {
        let days = secondsSinceEpoch / 86_400
        let second = secondsSinceEpoch % 86_400
        let (year, month, day) = Timestamp.civil(days: days)
        func two(_ value: Int) -> String { value < 10 ? "0\(value)" : String(value) }
        let yearText = String(year)
        return String(repeating: "0", count: max(0, 4 - yearText.count)) + yearText + "-" + two(month) + "-"
            + two(day) + "T" + two(second / 3600) + ":" + two(second % 3600 / 60) + ":" + two(second % 60) + "Z"
    }

    package var description: String { text }

    /// `seconds` later, stopping at `latest`.
    package func adding(seconds: Int) -> Timestamp {
        Timestamp(secondsSinceEpoch: secondsSinceEpoch + seconds)
    }

    package static func < (lhs: Self, rhs: Self) -> Bool { lhs.secondsSinceEpoch < rhs.secondsSinceEpoch }

    /// True for a well-formed UTC timestamp with a real calendar date.
    package static func isValid(_ text: String) -> Bool { fields(text) != nil }

    private static func fields(_ text: String) -> (
        year: Int, month: Int, day: Int, hour: Int, minute: Int, second: Int
    )? {
        let bytes = Array(text.utf8)
        guard bytes.count == 20, bytes[4] == UInt8(ascii: "-"), bytes[7] == UInt8(ascii: "-"),
            bytes[10] == UInt8(ascii: "T"), bytes[13] == UInt8(ascii: ":"), bytes[16] == UInt8(ascii: ":"),
            bytes[19] == UInt8(ascii: "Z")
        else { return nil }
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
        else { return nil }
        let leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0
        let days = [31, leap ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][month - 1]
        guard (1...days).contains(day) else { return nil }
        return (year, month, day, hour, minute, second)
    }

    /// Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's days_from_civil).
    private static func days(year: Int, month: Int, day: Int) -> Int {
        let y = month <= 2 ? year - 1 : year
        let era = (y >= 0 ? y : y - 399) / 400
        let yearOfEra = y - era * 400
        let dayOfYear = (153 * (month + (month > 2 ? -3 : 9)) + 2) / 5 + day - 1
        let dayOfEra = yearOfEra * 365 + yearOfEra / 4 - yearOfEra / 100 + dayOfYear
        return era * 146_097 + dayOfEra - 719_468
    }

    /// The date of a day count since 1970-01-01 (civil_from_days).
    private static func civil(days: Int) -> (year: Int, month: Int, day: Int) {
        let z = days + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let dayOfEra = z - era * 146_097
        let yearOfEra = (dayOfEra - dayOfEra / 1460 + dayOfEra / 36_524 - dayOfEra / 146_096) / 365
        let dayOfYear = dayOfEra - (365 * yearOfEra + yearOfEra / 4 - yearOfEra / 100)
        let mp = (5 * dayOfYear + 2) / 153
        let day = dayOfYear - (153 * mp + 2) / 5 + 1
        let month = mp < 10 ? mp + 3 : mp - 9
        return (yearOfEra + era * 400 + (month <= 2 ? 1 : 0), month, day)
    }
}
