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
    /// When the assignments are on a PostgreSQL server: its URI (password as `***`), its
    /// version and portreg's schema version there; `path` is then the catalog's file.
    public var server: String?
    public var serverVersion: String?
    public var serverSchemaVersion: Int?

    public var isHealthy: Bool { integrity == ["ok"] && foreignKeyProblems == 0 && spanProblems == 0 }
}

struct HealthCheck {
    let registry: Registry

    func run(in context: StorageContext) throws -> HealthReport {
        let database = registry.database
        let integrity = try database.prepare("PRAGMA integrity_check").rows { $0.text(0) }
        let foreignKeys = try database.prepare("PRAGMA foreign_key_check").rows { _ in 1 }.count
        // The span tables are kept by code, not triggers: check that they mirror the rows.
        let spans = try context.catalog.indexProblems() + context.assignments.indexProblems()
        let counts = try context.assignments.counts(now: context.now)
        return HealthReport(
            path: registry.path, sqliteVersion: Database.libraryVersion, schemaVersion: registry.schemaVersion,
            journalMode: try database.scalarText("PRAGMA journal_mode") ?? "",
            integrity: integrity, foreignKeyProblems: foreignKeys, spanProblems: spans,
            catalogRows: try context.catalog.count(), assignments: counts.total, expiredLeases: counts.expired,
            server: registry.server?.displayURI,
            serverVersion: registry.server.map { "\($0.serverVersion / 10_000).\($0.serverVersion % 10_000)" },
            serverSchemaVersion: registry.server?.schemaVersion)
    }
}
