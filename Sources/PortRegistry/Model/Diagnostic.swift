/// How serious a finding is. Errors fail a command (exit 1, or the code of the error's kind);
/// warnings are printed and do not change the exit status.
public enum Severity: String, Hashable, Sendable, Comparable {
    case error, warning, note

    public static func < (lhs: Self, rhs: Self) -> Bool {
        let order: [Severity] = [.error, .warning, .note]
        return order.firstIndex(of: lhs)! < order.firstIndex(of: rhs)!
    }
}

/// Where in a file something was found: `file:line[:column]`, as compilers and editors print it.
/// `file` is the path as the user gave it (relative paths stay relative).
public struct SourceLocation: Hashable, Sendable, Comparable, CustomStringConvertible {
    public var file: String
    public var line: Int?
    public var column: Int?

    public init(file: String, line: Int? = nil, column: Int? = nil) {
        self.file = file
        self.line = line
        self.column = column
    }

    public var description: String {
        var text = file
        if let line {
            text += ":\(line)"
            if let column { text += ":\(column)" }
        }
        return text
    }

    public static func < (lhs: Self, rhs: Self) -> Bool {
        (lhs.file, lhs.line ?? 0, lhs.column ?? 0) < (rhs.file, rhs.line ?? 0, rhs.column ?? 0)
    }
}
