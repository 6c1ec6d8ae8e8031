/// A failure a user can act on. The CLI turns `kind` into the exit code from SPEC.md.
public struct RegistryError: Error, CustomStringConvertible, Sendable {
    public enum Kind: Sendable, Equatable {
        /// The command ran and found what it reports: nothing matched, a collision, a refusal (1).
        case refused
        /// Bad arguments (64).
        case usage
        /// Malformed input data: the message names file and line (65).
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

    public let kind: Kind
    public let message: String

    public init(_ kind: Kind, _ message: String) {
        self.kind = kind
        self.message = message
    }

    /// A data error at `file:line`, in the form editors and CI annotate.
    public static func data(file: String, line: Int?, _ message: String) -> RegistryError {
        let location = line.map { "\(file):\($0)" } ?? file
        return RegistryError(.dataFormat, "\(location): \(message)")
    }

    public var description: String { message }
}

extension RegistryError {
    /// Wraps a SQLite failure: busy becomes `.busy`, anything else `.io`.
    public init(_ error: DatabaseError, path: String) {
        if error.isBusy {
            self.init(
                .busy,
                "\(path): database is busy: another process held its write lock past the busy timeout (PORTREG_BUSY_TIMEOUT, default 30000 ms); try again"
            )
        } else {
            self.init(.io, "\(path): \(error)")
        }
    }
}
