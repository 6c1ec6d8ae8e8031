/// What `portreg doctor` reports.
public struct HealthReport: Sendable {
    public var path: String
    public var sqliteVersion: String
    public var schemaVersion: Int
    public var journalMode: String
    /// "ok", or SQLite's list of problems.
    public var integrity: [String]
    public var foreignKeyProblems: Int
    public var catalogRows: Int
    public var assignments: Int
    public var expiredLeases: Int

    public var isHealthy: Bool { integrity == ["ok"] && foreignKeyProblems == 0 }
}

public struct HealthCheck {
    let registry: Registry

    public init(registry: Registry) { self.registry = registry }

    public func run() throws -> HealthReport {
        let database = registry.database
        let integrity = try database.prepare("PRAGMA integrity_check").rows { $0.text(0) }
        let foreignKeys = try database.prepare("PRAGMA foreign_key_check").rows { _ in 1 }.count
        let assignments = AssignmentStore(database: database)
        let now = try assignments.now()
        return HealthReport(
            path: registry.path, sqliteVersion: Database.libraryVersion, schemaVersion: registry.schemaVersion,
            journalMode: try database.scalarText("PRAGMA journal_mode") ?? "",
            integrity: integrity, foreignKeyProblems: foreignKeys,
            catalogRows: try CatalogStore(database: database).count(), assignments: try assignments.count(),
            expiredLeases: try database.scalarInt("SELECT count(*) FROM assignment WHERE expires_at <= ?1", now) ?? 0)
    }
}
