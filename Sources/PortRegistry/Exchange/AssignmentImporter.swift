/// How a registry CSV is merged into the assignments.
public struct AssignmentImportOptions: Sendable {
    /// Delete every assignment first, so the file becomes the registry.
    public var replace = false
    /// Do everything, report, and roll back.
    public var dryRun = false
    /// Record collisions instead of refusing the file.
    public var force = false

    public init(replace: Bool = false, dryRun: Bool = false, force: Bool = false) {
        self.replace = replace
        self.dryRun = dryRun
        self.force = force
    }
}

public struct AssignmentImportReport: Sendable {
    public var rows = 0
    public var added = 0
    /// Rows whose claim already existed; owner, note and expiry were taken from the file.
    public var updated = 0
    /// With `--replace`: assignments that existed and are not in the file, deleted.
    public var removed = 0
    public var collisions: [Collision] = []
    public var dryRun = false
}

/// Imports a registry CSV (SPEC.md) in one transaction: a bad row exits 65 naming its line,
/// a collision exits 1 naming both holders, and either way nothing is imported. Rows stream
/// from the reader; memory stays bounded however long the file.
public enum AssignmentImporter {
    /// `reader` must be positioned after the header.
    public static func run(_ reader: inout CSVReader, into registry: Registry, options: AssignmentImportOptions) throws
        -> AssignmentImportReport
    {
        var report = AssignmentImportReport(dryRun: options.dryRun)
        reader.computesDigest = false
        let database = registry.database
        do {
            try registry.write {
                let store = AssignmentStore(database: database)
                let now = try store.now()
                let firstNewID = (try database.scalarInt("SELECT coalesce(max(id), 0) FROM assignment") ?? 0) + 1
                var updatedIDs = Set<Int>()
                let upsert = try database.cached(
                    """
                    INSERT INTO assignment (service, port_low, port_high, protocol, host, bind, owner, note, created_at, expires_at)
                    VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, coalesce(nullif(?9, ''), ?11), ?10)
                    ON CONFLICT (port_low, port_high, protocol, host, service, bind) DO UPDATE SET
                        owner = excluded.owner, note = excluded.note, expires_at = excluded.expires_at
                    """)
                // No RETURNING: it gives every INSERT an ephemeral table (measured: a third of
                // the import's time). A new row takes a rowid above every earlier one and moves
                // last_insert_rowid there; an update leaves it where it was.
                var highestID = firstNewID - 1
                let updatedID = try database.cached(
                    """
                    SELECT id FROM assignment WHERE port_low = ?1 AND port_high = ?2 AND protocol = ?3 AND host = ?4
                        AND service = ?5 AND bind = ?6
                    """)
                func insert(_ assignment: Assignment) throws {
                    upsert.reset()
                    try upsert.bind(1, assignment.service)
                    try upsert.bind(2, assignment.ports.low)
                    try upsert.bind(3, assignment.ports.high)
                    try upsert.bind(4, assignment.transport.rawValue)
                    try upsert.bind(5, assignment.host.name)
                    try upsert.bind(6, assignment.bind.text)
                    try upsert.bind(7, assignment.owner)
                    try upsert.bind(8, assignment.note)
                    try upsert.bind(9, assignment.createdAt)
                    try upsert.bind(10, assignment.expiresAt)
                    try upsert.bind(11, now)
                    try upsert.execute()
                    report.rows += 1
                    if database.lastInsertedRowID > highestID {
                        highestID = database.lastInsertedRowID
                        report.added += 1
                    } else if let id = try updatedID.scalar([
                        assignment.ports.low, assignment.ports.high, assignment.transport.rawValue,
                        assignment.host.name,
                        assignment.service, assignment.bind.text,
                    ]) {
                        if case .integer(let id) = id { updatedIDs.insert(id) }
                    }
                }
                // Rows are read and validated on a second thread while this one inserts.
                let input = Handoff(value: reader)
                try BatchPipeline<Assignment>.run(
                    producer: { emit in
                        var reader = input.value
                        var batch: [Assignment] = []
                        batch.reserveCapacity(2048)
                        while let record = try reader.next() {
                            if record.fields.count == 1 && record.fields[0].isEmpty { continue }
                            batch.append(try RegistryCSV.assignment(record, file: reader.name))
                            if batch.count == 2048 {
                                guard emit(batch) else { return }
                                batch.removeAll(keepingCapacity: true)
                            }
                        }
                        if !batch.isEmpty { _ = emit(batch) }
                    },
                    consume: { batch in
                        for assignment in batch { try insert(assignment) }
                    })
                report.updated = updatedIDs.count { $0 < firstNewID }
                if options.replace {
                    // The file is the registry: what existed before and was not in it goes.
                    try database.execute(
                        "CREATE TEMP TABLE IF NOT EXISTS import_kept (id INTEGER PRIMARY KEY); DELETE FROM temp.import_kept;"
                    )
                    let keep = try database.cached("INSERT INTO temp.import_kept (id) VALUES (?1)")
                    for id in updatedIDs where id < firstNewID { try keep.run(id) }
                    try database.cached(
                        "DELETE FROM assignment WHERE id < ?1 AND id NOT IN (SELECT id FROM temp.import_kept)"
                    ).run(firstNewID)
                    report.removed = database.changes
                    try database.execute(
                        """
                        DELETE FROM assignment_span WHERE id NOT IN (SELECT id FROM assignment);
                        DROP TABLE temp.import_kept;
                        """)
                }
                try database.cached(
                    """
                    INSERT INTO assignment_span (id, low, high) SELECT id, port_low, port_high FROM assignment WHERE id >= ?1 AND port_high > port_low
                    """
                ).run(firstNewID)
                report.collisions = try CollisionFinder(database: database).collisions(now: now) { id in
                    id >= firstNewID || updatedIDs.contains(id)
                }
                if !report.collisions.isEmpty && !options.force {
                    throw RegistryError(.refused, AssignmentImporter.describe(report.collisions, file: reader.name))
                }
                if options.dryRun { throw DryRun() }
            }
        } catch is DryRun {
            return report
        }
        return report
    }

    private struct DryRun: Error {}

    static func describe(_ collisions: [Collision], file: String) -> String {
        let shown = collisions.prefix(5).map { collision in
            "\(collision.ports)/\(collision.first.transport.rawValue): \(collision.second.service) collides with \(collision.first.service)"
                + (collision.first.host == collision.second.host
                    ? "" : " (hosts \(collision.first.host), \(collision.second.host))")
        }
        let more = collisions.count > 5 ? "; and \(collisions.count - 5) more" : ""
        return
            "\(file): \(collisions.count) collision\(collisions.count == 1 ? "" : "s"), nothing imported (use --force to record them anyway): "
            + shown.joined(separator: "; ") + more
    }
}
