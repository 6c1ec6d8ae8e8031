import Testing

/// The library has its own `SourceLocation` (where a finding is); in these tests the name
/// means the Testing one that `#_sourceLocation` fills. Library locations are spelt
/// `PortRegistry.SourceLocation`.
typealias SourceLocation = Testing.SourceLocation
