/// A failure a user can act on: a `Diagnostic` of severity error, thrown. The CLI turns
/// `kind` into the exit code from SPEC.md and prints it with its location first.
public struct RegistryError: Error, CustomStringConvertible, Sendable {
    public typealias Kind = Diagnostic.Kind

    public let diagnostic: Diagnostic

    public init(_ kind: Kind, _ message: String, at location: SourceLocation? = nil) {
        diagnostic = Diagnostic(.error, kind, message, at: location)
    }

    public var kind: Kind { diagnostic.kind }
    /// The message without its location.
    public var message: String { diagnostic.message }
    public var location: SourceLocation? { diagnostic.location }

    /// A data error at `file:line`, in the form editors and CI annotate.
    public static func data(file: String, line: Int?, _ message: String) -> RegistryError {
        RegistryError(.dataFormat, message, at: SourceLocation(file: file, line: line))
    }

    /// `file:line: message`.
    public var description: String { diagnostic.description }
}
