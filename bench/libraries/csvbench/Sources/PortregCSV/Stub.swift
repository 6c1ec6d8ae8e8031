/// Stub so RegistryError.swift compiles outside portreg.
public struct DatabaseError: Error, CustomStringConvertible {
    public var isBusy: Bool
    public var description: String { "db" }
}
