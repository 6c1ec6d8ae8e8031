/// What `portreg doctor` reports.
public struct HealthReport: Sendable {
    public var path: String
    public var sqliteVersion: String
    public var schemaVersion: Int
    public var journalMode: String
    /// "ok", or SQLite's list of problems.
    public var integrity: [String]
    public var foreignKeyProblems: Int
    /// Rows whose R*Tree span is missing or stale (catalog and assignments together).
    public var spanProblems: Int
    public var catalogRows: Int
    public var assignments: Int
    public var expiredLeases: Int

    public var isHealthy: Bool { integrity == ["ok"] && foreignKeyProblems == 0 && spanProblems == 0 }
}

public struct HealthCheck {
    let registry: Registry

    public init(registry: Registry) { self.registry = registry }

    public func run() throws -> HealthReport {
        let database = registry.database
        let integrity = try database.prepare("PRAGMA integrity_check").rows { $0.text(0) }
        let foreignKeys = try database.prepare("PRAGMA foreign_key_check").rows { _ in 1 }.count
        // The span tables are kept by code, not triggers: check that they mirror the rows.
        let spans =
            try database.scalarInt(
                """
                SELECT (SELECT count(*) FROM catalog_entry e LEFT JOIN catalog_span s ON s.id = e.id
                        WHERE e.port_high > e.port_low AND (s.id IS NULL OR s.low <> e.port_low OR s.high <> e.port_high))
                     + (SELECT count(*) FROM catalog_span s LEFT JOIN catalog_entry e ON e.id = s.id
                        WHERE e.id IS NULL OR e.port_high = e.port_low)
                     + (SELECT count(*) FROM assignment a LEFT JOIN assignment_span s ON s.id = a.id
                        WHERE a.port_high > a.port_low AND (s.id IS NULL OR s.low <> a.port_low OR s.high <> a.port_high))
                     + (SELECT count(*) FROM assignment_span s LEFT JOIN assignment a ON a.id = s.id
                        WHERE a.id IS NULL OR a.port_high = a.port_low)
                """) ?? 0
        let assignments = AssignmentStore(database: database)
        let now = try assignments.now()
        return HealthReport(
            path: registry.path, sqliteVersion: Database.libraryVersion, schemaVersion: registry.schemaVersion,
            journalMode: try database.scalarText("PRAGMA journal_mode") ?? "",
            integrity: integrity, foreignKeyProblems: foreignKeys, spanProblems: spans,
            catalogRows: try CatalogStore(database: database).count(), assignments: try assignments.count(),
            expiredLeases: try database.scalarInt("SELECT count(*) FROM assignment WHERE expires_at <= ?1", now) ?? 0)
    }
}
