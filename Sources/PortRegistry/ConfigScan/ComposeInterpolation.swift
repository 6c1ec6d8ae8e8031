/// Compose's variable interpolation, as the Compose specification defines it: `$VAR`, `${VAR}`,
/// `${VAR:-default}` / `${VAR-default}` (default when unset or empty / when unset),
/// `${VAR:?message}` / `${VAR?message}` (required), `${VAR:+other}` / `${VAR+other}`
/// (replacement when set), `$$` for a literal `$`, and defaults that interpolate in turn
/// (`${A:-${B:-8080}}`).
///
/// A variable that is unset where no default applies becomes the empty string, as in Compose
/// (which warns); a required variable that is missing is reported, not thrown: `check` must go
/// on and report everything else, and an unpublished port is a warning (SPEC).
package struct ComposeInterpolation: Sendable {
    /// Variables in force: the project's `.env` (or `--env-file`), and the process environment
    /// only when the user asked for it.
    package var variables: [String: String]

    package init(variables: [String: String]) { self.variables = variables }

    package struct Result: Equatable, Sendable {
        package var text: String
        /// Variables used without a value or default, in order of use.
        package var unset: [String] = []
        /// Messages of `${VAR:?message}` whose variable had no value.
        package var missingRequired: [String] = []
        /// Variables that are set to the empty string and were used as they are (`${VAR}`,
        /// `$VAR`, `${VAR-d}`), in order of use: SPEC's "a variable left empty".
        package var empty: [String] = []
        /// Variables that had a value where they were used: a finding about the entry depends
        /// on where those values come from (`.env.example`).
        package var used: [String] = []
    }

    package struct InvalidTemplate: Error, Equatable, Sendable {
        package var message: String
        /// The text would grow past `outputLimit`.
        package var isPastOutputLimit = false
    }

    /// The most one interpolated text may hold: 64 KiB. A text made of references expands to
    /// at most this, however often it repeats a long value (cost bounded by the input).
    package static let outputLimit = 64 << 10

    package func interpolate(_ text: String) throws(InvalidTemplate) -> Result {
        guard text.utf8.contains(UInt8(ascii: "$")) else { return Result(text: text) }
        var result = Result(text: "")
        var scalars = Array(text.unicodeScalars)[...]
        result.text = try expand(&scalars, untilBrace: false, result: &result, source: text, depth: 0)
        return result
    }

    /// The text in a message: long values cut, so a hostile file cannot flood the report.
    package static func shown(_ source: String) -> String {
        source.count > 80 ? String(source.prefix(79)) + "…" : source
    }

    private static func isNameStart(_ scalar: Unicode.Scalar) -> Bool {
        scalar == "_" || ("a"..."z").contains(scalar) || ("A"..."Z").contains(scalar)
    }

    private static func isName(_ scalar: Unicode.Scalar) -> Bool {
        isNameStart(scalar) || ("0"..."9").contains(scalar)
    }

    /// Expands text up to the end, or up to the `}` that closes the current `${…}` when
    /// `untilBrace` (the brace is consumed).
    private func expand(
        _ input: inout ArraySlice<Unicode.Scalar>, untilBrace: Bool, result: inout Result, source: String, depth: Int
    ) throws(InvalidTemplate) -> String {
        // Defaults nest as deep as the text allows; a bound keeps a hostile file off the stack.
        guard depth < 32 else {
            throw InvalidTemplate(
                message: "invalid interpolation format in '\(Self.shown(source))': nested more than 32 levels")
        }
        var out = String.UnicodeScalarView()
        var produced = 0
        func append(_ text: String) throws(InvalidTemplate) {
            produced += text.unicodeScalars.count
            guard produced <= Self.outputLimit else {
                throw InvalidTemplate(
                    message: "interpolation of '\(Self.shown(source))' passes 64 KiB", isPastOutputLimit: true)
            }
            out.append(contentsOf: text.unicodeScalars)
        }
        while let scalar = input.first {
            if untilBrace && scalar == "}" {
                input.removeFirst()
                return String(out)
            }
            input.removeFirst()
            guard scalar == "$" else {
                out.append(scalar)
                continue
            }
            guard let next = input.first else {
                throw InvalidTemplate(
                    message: "invalid interpolation format in '\(Self.shown(source))': a lone '$' (write $$)")
            }
            if next == "$" {
                input.removeFirst()
                out.append("$")
            } else if next == "{" {
                input.removeFirst()
                try append(try braced(&input, result: &result, source: source, depth: depth))
            } else if Self.isNameStart(next) {
                var name = ""
                while let character = input.first, Self.isName(character) {
                    name.unicodeScalars.append(character)
                    input.removeFirst()
                }
                if let value = variables[name] {
                    result.used.append(name)
                    if value.isEmpty { result.empty.append(name) }
                    try append(value)
                } else {
                    result.unset.append(name)
                }
            } else {
                throw InvalidTemplate(
                    message: "invalid interpolation format in '\(Self.shown(source))': '$\(next)' (write $$)")
            }
        }
        if untilBrace {
            throw InvalidTemplate(
                message: "invalid interpolation format in '\(Self.shown(source))': '${' without its '}'")
        }
        return String(out)
    }

    private func braced(
        _ input: inout ArraySlice<Unicode.Scalar>, result: inout Result, source: String, depth: Int
    ) throws(InvalidTemplate) -> String {
        var name = ""
        while let character = input.first, Self.isName(character) {
            name.unicodeScalars.append(character)
            input.removeFirst()
        }
        guard let first = name.unicodeScalars.first, Self.isNameStart(first), let next = input.first else {
            throw InvalidTemplate(
                message:
                    "invalid interpolation format in '\(Self.shown(source))': a variable name is expected after '${'")
        }
        let value = variables[name]
        if value != nil { result.used.append(name) }
        if next == "}" {
            input.removeFirst()
            if value == nil { result.unset.append(name) }
            if value == "" { result.empty.append(name) }
            return value ?? ""
        }
        var colon = false
        if next == ":" {
            colon = true
            input.removeFirst()
        }
        guard let operation = input.first, operation == "-" || operation == "?" || operation == "+" else {
            throw InvalidTemplate(
                message:
                    "invalid interpolation format in '\(Self.shown(source))': use ${\(name)}, ${\(name):-default} or ${\(name):?message}"
            )
        }
        input.removeFirst()
        let present = colon ? !(value ?? "").isEmpty : value != nil
        // The word after the operator is expanded only when it is used, as in a shell: an
        // unset variable inside an unused default is no concern.
        var inner = Result(text: "")
        let word = try expand(&input, untilBrace: true, result: &inner, source: source, depth: depth + 1)
        switch operation {
        case "-":
            if present {
                if value == "" { result.empty.append(name) }
                return value ?? ""
            }
            result.unset += inner.unset
            result.missingRequired += inner.missingRequired
            result.used += inner.used
            return word
        case "?":
            if present { return value ?? "" }
            result.missingRequired.append(
                word.isEmpty
                    ? "required variable \(name) is missing a value"
                    : "required variable \(name) is missing a value: \(word)")
            return ""
        default:
            guard present else { return "" }
            result.unset += inner.unset
            result.missingRequired += inner.missingRequired
            return word
        }
    }
}
