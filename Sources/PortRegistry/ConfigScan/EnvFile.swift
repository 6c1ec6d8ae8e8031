import PortRegistryFormats
import PortRegistryModel

/// A `.env` file as Compose reads it: `KEY=VALUE` lines, `export KEY=VALUE`, `#` comments
/// (whole lines, or after whitespace in an unquoted value), single-quoted values taken
/// literally, double-quoted values with `\n`, `\t`, `\"`, `\\` escapes and line breaks, and
/// `${VAR}` references to variables defined earlier (unquoted and double-quoted values).
package struct EnvFile: Sendable {
    package struct Entry: Equatable, Sendable {
        package var key: String
        package var value: String
        package var line: Int
    }

    package var entries: [Entry] = []

    /// Why reading stopped early: a value past `valueLimit`, or all values past `totalLimit`
    /// (a few hundred bytes whose lines double the previous value would expand to gigabytes).
    /// The entries before `line` are kept.
    package struct Problem: Equatable, Sendable {
        package var line: Int
        package var message: String
    }

    package var problem: Problem?

    /// The most one value may hold after interpolation: 64 KiB (the bound of
    /// `ComposeInterpolation.outputLimit`).
    package static let valueLimit = ComposeInterpolation.outputLimit
    /// The most all values of one file may hold together: 1 MiB.
    package static let totalLimit = 1 << 20

    /// The values, later lines winning.
    package var variables: [String: String] {
        var result: [String: String] = [:]
        for entry in entries { result[entry.key] = entry.value }
        return result
    }

    /// Parses `text`; `inherited` are variables a reference may use besides earlier lines
    /// (the process environment under `--use-env`). Lines that are not assignments are skipped,
    /// as Compose's loader skips them.
    package init(text: String, inherited: [String: String] = [:]) {
        var known = inherited
        var total = 0
        let lines = text.lines()
        var index = 0
        while index < lines.count {
            let number = index + 1
            var line = lines[index]
            index += 1
            line = line.drop { $0 == " " || $0 == "\t" }
            if line.isEmpty || line.hasPrefix("#") { continue }
            if line.hasPrefix("export ") { line = line.dropFirst(7).drop { $0 == " " || $0 == "\t" } }
            guard let equals = line.firstIndex(of: "=") else { continue }
            let key = String(line[..<equals]).trimmingCharacters(in: " \t")
            guard !key.isEmpty, key.unicodeScalars.allSatisfy({ $0.isASCIIName }) else { continue }
            var rest = line[line.index(after: equals)...].drop { $0 == " " || $0 == "\t" }
            var value: String
            var bound: String?
            if let quote = rest.first, quote == "'" || quote == "\"" {
                rest = rest.dropFirst()
                var collected = ""
                var closed = false
                var escaped = false
                while true {
                    for character in rest {
                        if quote == "\"" && escaped {
                            switch character {
                            case "n": collected.append("\n")
                            case "t": collected.append("\t")
                            case "r": collected.append("\r")
                            default: collected.append(character)
                            }
                            escaped = false
                        } else if quote == "\"" && character == "\\" {
                            escaped = true
                        } else if character == quote {
                            closed = true
                            break
                        } else {
                            collected.append(character)
                        }
                    }
                    if closed || index >= lines.count { break }
                    collected.append("\n")
                    rest = lines[index]
                    index += 1
                }
                value = collected
                if quote == "\"" { (value, bound) = Self.interpolated(value, known) }
            } else {
                if let comment = rest.indexOfComment { rest = rest[..<comment] }
                value = String(rest).trimmingCharacters(in: " \t")
                (value, bound) = Self.interpolated(value, known)
            }
            if bound == nil && value.utf8.count > Self.valueLimit { bound = "a value longer than 64 KiB" }
            total += value.utf8.count
            if let failure = bound ?? (total > Self.totalLimit ? "the values of this file pass 1 MiB" : nil) {
                problem = Problem(line: number, message: "\(failure); the rest of the file is not read")
                break
            }
            known[key] = value
            entries.append(Entry(key: key, value: value, line: number))
        }
    }
}

extension EnvFile {
    /// `text` interpolated with `variables`; a template that is not one stays as written (as
    /// Compose's loader keeps it), and one that expands past the bound gives its reason.
    static func interpolated(_ text: String, _ variables: [String: String]) -> (String, String?) {
        do {
            return (try ComposeInterpolation(variables: variables).interpolate(text).text, nil)
        } catch {
            if error.isPastOutputLimit { return ("", "a value longer than 64 KiB once interpolated") }
            return (text, nil)
        }
    }

    /// The `parse` error of a `.env` whose values pass the bounds, at the line where reading
    /// stopped; nil when it has none.
    package static func boundFinding(path: String, text: String) -> Finding? {
        guard let problem = EnvFile(text: text).problem else { return nil }
        return Finding(
            severity: .error, kind: .parse, message: problem.message,
            places: [Finding.Place(location: SourceLocation(file: path, line: problem.line))])
    }
}

extension Unicode.Scalar {
    package var isASCIIName: Bool {
        self == "_" || self == "." || self == "-" || ("a"..."z").contains(self) || ("A"..."Z").contains(self)
            || ("0"..."9").contains(self)
    }
}

extension StringProtocol {
    /// The lines of the text, split at LF and CRLF, without their line ends (a last line
    /// without one included). Split by Unicode scalars: `"\r\n"` is one `Character`, so a
    /// split at `Character("\n")` never splits a CRLF file.
    package func lines() -> [Substring] {
        let text = Substring(self)
        let scalars = text.unicodeScalars
        var result: [Substring] = []
        var start = scalars.startIndex
        var index = start
        func line(to end: Substring.Index) -> Substring {
            // LF and CR always start a grapheme, so both bounds are Character boundaries.
            if end > start, scalars[scalars.index(before: end)] == "\r" {
                return text[start..<scalars.index(before: end)]
            }
            return text[start..<end]
        }
        while index < scalars.endIndex {
            if scalars[index] == "\n" {
                result.append(line(to: index))
                start = scalars.index(after: index)
            }
            index = scalars.index(after: index)
        }
        result.append(line(to: scalars.endIndex))
        return result
    }

    package func trimmingCharacters(in set: String) -> String {
        var slice = Substring(self)
        while let first = slice.first, set.contains(first) { slice = slice.dropFirst() }
        while let last = slice.last, set.contains(last) { slice = slice.dropLast() }
        return String(slice)
    }

    /// A ` #` (whitespace, then `#`) that starts a comment in an unquoted value.
    package var indexOfComment: Index? {
        var previous: Character = "x"
        for index in indices {
            if self[index] == "#" && (previous == " " || previous == "\t") { return index }
            previous = self[index]
        }
        return nil
    }
}
