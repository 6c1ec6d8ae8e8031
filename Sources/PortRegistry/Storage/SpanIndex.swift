import PortRegistryModel

/// The R*Tree that mirrors the blocks (`port_high > port_low`) of one table: `catalog_span`
/// for `catalog_entry`, `assignment_span` for `assignment`. The only code that writes either
/// R*Tree: stores call it after their own writes, inside the same transaction.
///
/// Kept by code rather than triggers: a trigger makes every INSERT of a bulk import keep a
/// statement journal (docs/DECISIONS.md, "One owner for the R*Tree mirrors").
package struct SpanIndex {
    package let database: Database
    /// The R*Tree, e.g. `assignment_span`.
    package let spans: String
    /// The table it mirrors, with `id`, `port_low` and `port_high` columns.
    package let rows: String

    package static func catalog(_ database: Database) -> SpanIndex {
        SpanIndex(database: database, spans: "catalog_span", rows: "catalog_entry")
    }

    package static func assignments(_ database: Database) -> SpanIndex {
        SpanIndex(database: database, spans: "assignment_span", rows: "assignment")
    }

    /// After inserting or updating row `id` with `ports`.
    package func stored(id: Int, ports: PortRange) throws {
        guard !ports.isSinglePort else { return }
        try database.cached("INSERT OR REPLACE INTO \(spans) (id, low, high) VALUES (?1, ?2, ?3)")
            .run(id, ports.low, ports.high)
    }

    /// After deleting row `id` that held `ports`.
    package func deleted(id: Int, ports: PortRange) throws {
        guard !ports.isSinglePort else { return }
        try database.cached("DELETE FROM \(spans) WHERE id = ?1").run(id)
    }

    /// After a bulk insert of every row with `id >= firstID`: one statement, not one per row.
    package func storedAll(fromID firstID: Int) throws {
        try database.cached(
            """
            INSERT INTO \(spans) (id, low, high)
            SELECT id, port_low, port_high FROM \(rows) WHERE id >= ?1 AND port_high > port_low
            """
        ).run(firstID)
    }

    /// Before deleting the rows that `condition` (SQL on the mirrored table, parameters
    /// `values`) selects.
    package func deleting(where condition: String, _ values: any SQLBindable...) throws {
        try database.cached(
            "DELETE FROM \(spans) WHERE id IN (SELECT id FROM \(rows) WHERE \(condition) AND port_high > port_low)"
        ).run(values: values)
    }

    /// After a bulk delete: drops the spans whose row is gone.
    package func deletedOrphans() throws {
        try database.execute("DELETE FROM \(spans) WHERE id NOT IN (SELECT id FROM \(rows))")
    }

    /// Rows whose span is missing or stale, and spans without a block row: 0 when in step.
    package func problems() throws -> Int {
        try database.scalarInt(
            """
            SELECT (SELECT count(*) FROM \(rows) e LEFT JOIN \(spans) s ON s.id = e.id
                    WHERE e.port_high > e.port_low AND (s.id IS NULL OR s.low <> e.port_low OR s.high <> e.port_high))
                 + (SELECT count(*) FROM \(spans) s LEFT JOIN \(rows) e ON e.id = s.id
                    WHERE e.id IS NULL OR e.port_high = e.port_low)
            """) ?? 0
    }
}
