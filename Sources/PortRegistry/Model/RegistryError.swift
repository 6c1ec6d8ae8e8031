/// A failure a user can act on: a `Diagnostic` of severity error, thrown. The CLI turns
/// `kind` into the exit code from SPEC.md and prints it with its location first.
package struct RegistryError: Error, CustomStringConvertible, Sendable {
    package typealias Kind = Diagnostic.Kind

    package let diagnostic: Diagnostic

    package init(_ kind: Kind, _ message: String, at location: SourceLocation? = nil) {
        diagnostic = Diagnostic(.error, kind, message, at: location)
    }

    package var kind: Kind { diagnostic.kind }
    /// The message without its location.
    package var message: String { diagnostic.message }
    package var location: SourceLocation? { diagnostic.location }

    /// A data error at `file:line`, in the form editors and CI annotate.
    package static func data(file: String, line: Int?, _ message: String) -> RegistryError {
        RegistryError(.dataFormat, message, at: SourceLocation(file: file, line: line))
    }

    /// `file:line: message`.
    package var description: String { diagnostic.description }
}
