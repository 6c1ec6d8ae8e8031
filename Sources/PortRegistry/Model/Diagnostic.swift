/// How serious a finding is. Errors fail a command (exit 1, or the code of the error's kind);
/// warnings are printed and do not change the exit status.
package enum Severity: String, Hashable, Sendable, Comparable {
    case error, warning, note

    package static func < (lhs: Self, rhs: Self) -> Bool {
        let order: [Severity] = [.error, .warning, .note]
        return order.firstIndex(of: lhs)! < order.firstIndex(of: rhs)!
    }
}

/// Where in a file something was found: `file:line[:column]`, as compilers and editors print it.
/// `file` is the path as the user gave it (relative paths stay relative).
package struct SourceLocation: Hashable, Sendable, Comparable, CustomStringConvertible {
    package var file: String
    package var line: Int?
    package var column: Int?

    package init(file: String, line: Int? = nil, column: Int? = nil) {
        self.file = file
        self.line = line
        self.column = column
    }

    package var description: String {
        var text = file
        if let line {
            text += ":\(line)"
            if let column { text += ":\(column)" }
        }
        return text
    }

    package static func < (lhs: Self, rhs: Self) -> Bool {
        (lhs.file, lhs.line ?? 0, lhs.column ?? 0) < (rhs.file, rhs.line ?? 0, rhs.column ?? 0)
    }
}

/// An error or a finding as a value: what happened, how serious it is, where, and which kind
/// of failure it is (the kind alone decides the exit code, in the executable's one mapping).
/// Printed location first, as compilers do: `ports.csv:3: error: invalid port '0'`.
package struct Diagnostic: Hashable, Sendable, CustomStringConvertible {
    /// What kind of failure; SPEC.md's exit code follows from it.
    package enum Kind: Sendable, Hashable {
        /// The command ran and found what it reports: nothing matched, a collision, a refusal (1).
        case refused
        /// Bad arguments (64).
        case usage
        /// Malformed input data: the location names file and line (65).
        case dataFormat
        /// An input file is missing or unreadable (66).
        case inputMissing
        /// The database cannot be created or opened, or is newer than this binary (73).
        case cannotCreate
        /// A read or write failed (74).
        case io
        /// Another process held the database past the busy timeout (75).
        case busy
    }

    package var severity: Severity
    package var kind: Kind
    package var message: String
    package var location: SourceLocation?

    package init(_ severity: Severity = .error, _ kind: Kind, _ message: String, at location: SourceLocation? = nil) {
        self.severity = severity
        self.kind = kind
        self.message = message
        self.location = location
    }

    /// `file:line: message`, or the message alone when there is no location.
    package var description: String { location.map { "\($0): \(message)" } ?? message }
}
