import PortRegistryAssignments
import PortRegistryCatalog
import PortRegistryModel
import PortRegistryStorage

/// What `portreg doctor` reports.
package struct HealthReport: Sendable {
    package var path: String
    package var sqliteVersion: String
    package var schemaVersion: Int
    package var journalMode: String
    /// "ok", or SQLite's list of problems.
    package var integrity: [String]
    package var foreignKeyProblems: Int
    /// Rows whose R*Tree span is missing or stale (catalog and assignments together).
    package var spanProblems: Int
    package var catalogRows: Int
    package var assignments: Int
    package var expiredLeases: Int
    /// When the assignments are on a PostgreSQL server: its URI (password as `***`), its
    /// version and portreg's schema version there; `path` is then the catalog's file.
    package var server: String?
    package var serverVersion: String?
    package var serverSchemaVersion: Int?
    /// Every problem found, each with what to do about it.
    package var findings: [HealthFinding] = []

    package var isHealthy: Bool { findings.isEmpty }
}

/// One problem `doctor` found, and the remedy.
package struct HealthFinding: Sendable, Equatable {
    package var problem: String
    package var fix: String
}

struct HealthCheck {
    package let registry: Registry

    static let restore =
        "the file is damaged: restore it from a backup, or save what can be read with `sqlite3 FILE .recover | sqlite3 NEW.db` and use NEW.db"

    /// Each check runs even when an earlier one failed: a damaged file can make one check
    /// fail with an error while another still lists what it found.
    package func run(in context: StorageContext) throws -> HealthReport {
        let database = registry.database
        var findings: [HealthFinding] = []
        func attempt<T>(_ what: String, _ fallback: T, _ body: () throws -> T) -> T {
            do {
                return try body()
            } catch let error as DatabaseError {
                findings.append(
                    HealthFinding(problem: "\(what) could not run: \(error.message)", fix: HealthCheck.restore))
            } catch {
                findings.append(HealthFinding(problem: "\(what) could not run: \(error)", fix: HealthCheck.restore))
            }
            return fallback
        }
        // Rows SQLite produced before failing part-way are kept: they say what is damaged.
        var integrity: [String] = []
        attempt("integrity_check", ()) {
            try database.prepare("PRAGMA integrity_check").forEachRow { integrity.append($0.text(0)) }
        }
        if integrity.isEmpty { integrity = ["not run"] }
        for line in integrity where line != "ok" && line != "not run" {
            let broken = line.hasPrefix("CHECK constraint failed") || line.hasPrefix("NULL value in")
            findings.append(
                HealthFinding(
                    problem: "integrity: \(line)",
                    fix: broken
                        ? "a row breaks the schema's rules (written with its checks bypassed): correct or delete it with sqlite3"
                        : HealthCheck.restore))
        }
        let foreignKeys = attempt("foreign_key_check", [String]()) {
            try database.prepare("PRAGMA foreign_key_check").rows { row in
                // WITHOUT ROWID tables have no rowid to name.
                "\(row.text(0))\(row.optionalInt(1).map { " row \($0)" } ?? "") refers to a missing \(row.text(2)) row"
            }
        }
        for line in foreignKeys {
            findings.append(
                HealthFinding(
                    problem: "foreign key: \(line)",
                    fix: "delete the orphan row with sqlite3, or export the registry and import it with --replace"))
        }
        let invalid = attempt("row check", [String]()) {
            try context.catalog.invalidRows() + context.assignments.invalidRows()
        }
        for line in invalid {
            findings.append(
                HealthFinding(
                    problem: "invalid row: \(line) (written with the schema's checks bypassed)",
                    fix: "delete or correct the row with sqlite3 (portreg refuses to use it)"))
        }
        // The span tables are kept by code, not triggers: check that they mirror the rows.
        let spans = attempt("port index check", 0) {
            try context.catalog.indexProblems() + context.assignments.indexProblems()
        }
        if spans > 0 {
            findings.append(
                HealthFinding(
                    problem: "port index: \(spans) rows out of step with the port-range index",
                    fix:
                        "rebuild it: `portreg export -o saved.csv`, then `portreg import saved.csv --replace` (and re-import the catalog)"
                ))
        }
        let counts = attempt("counts", (total: 0, expired: 0)) { try context.assignments.counts(now: context.now) }
        return HealthReport(
            path: registry.path, sqliteVersion: Database.libraryVersion, schemaVersion: registry.schemaVersion,
            journalMode: attempt("journal mode", "") { try database.scalarText("PRAGMA journal_mode") ?? "" },
            integrity: integrity, foreignKeyProblems: foreignKeys.count, spanProblems: spans,
            catalogRows: attempt("catalog count", 0) { try context.catalog.count() }, assignments: counts.total,
            expiredLeases: counts.expired,
            server: registry.server?.displayURI,
            serverVersion: registry.server.map { "\($0.serverVersion / 10_000).\($0.serverVersion % 10_000)" },
            serverSchemaVersion: registry.server?.schemaVersion, findings: findings)
    }
}
