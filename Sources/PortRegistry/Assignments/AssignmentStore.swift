import PortRegistryFormats
import PortRegistryModel
import PortRegistryStorage
import PortRegistrySystem

/// The assignments in SQLite: the `assignment` table and its R*Tree of blocks
/// (`assignment_span`, through `SpanIndex`). The one type that holds assignment SQL; the
/// registry reaches it as an `AssignmentStorage`.
package struct AssignmentStore: AssignmentStorage {
    package let database: Database
    package var spans: SpanIndex { .assignments(database) }

    package init(database: Database) { self.database = database }

    /// The columns `assignment(_:)` reads, in its order: the one list of them.
    package static let columns =
        "a.id, a.service, a.port_low, a.port_high, a.protocol, a.host, a.bind, a.owner, a.note, a.created_at, a.expires_at"
    /// Live assignments on protocol ?3 (NULL: any) whose ports overlap ?1...?2 (time ?4), as a table named
    /// `a`: single ports through the UNIQUE index, blocks through the R*Tree.
    package static func overlapping(where condition: String = "1") -> String {
        """
        (SELECT * FROM assignment WHERE port_low BETWEEN ?1 AND ?2 AND port_high = port_low
            AND (?3 IS NULL OR protocol = ?3) AND (expires_at IS NULL OR expires_at > ?4) AND \(condition)
         UNION ALL
         SELECT assignment.* FROM assignment_span JOIN assignment ON assignment.id = assignment_span.id
         WHERE assignment_span.low <= ?2 AND assignment_span.high >= ?1
            AND (?3 IS NULL OR protocol = ?3) AND (expires_at IS NULL OR expires_at > ?4) AND \(condition)) AS a
        """
    }

    package static let returning =
        "RETURNING id, service, port_low, port_high, protocol, host, bind, owner, note, created_at, expires_at"

    /// Export order: by port (first, then last), protocol, host, service — the order of the
    /// table's UNIQUE index, so no sort is needed.
    package static let order = "ORDER BY a.port_low, a.port_high, a.protocol, a.host, a.service, a.bind"

    /// A row of `columns` (or of `returning`, the same list).
    package static func assignment(_ row: Row) throws -> Assignment {
        try Assignment(
            id: row.int(0), service: row.text(1),
            ports: PortRange.stored(row.int(2), row.int(3), row: "assignment \(row.int(0)) (\(row.text(1)))"),
            transport: TransportProtocol(rawValue: row.text(4)) ?? .tcp,
            host: HostScope(stored: row.text(5)),
            bind: BindAddress(parsing: row.text(6)) ?? .wildcard,
            owner: row.text(7), note: row.text(8), createdAt: row.text(9), expiresAt: row.optionalText(10))
    }

    /// Writes check this: outside a transaction each statement would commit on its own.
    func requireWriteTransaction() throws {
        guard database.isInsideTransaction else {
            throw DatabaseError(
                code: ResultCode.misuse.rawValue, message: "assignment write outside a write transaction")
        }
    }

    package func transaction<T>(_ mode: AccessMode, dryRun: Bool, _ body: () throws -> T) throws -> T {
        if database.isInsideTransaction { return try body() }
        return try database.transaction(mode == .write ? .immediate : .deferred, commit: !dryRun, body)
    }

    /// A SQLite file that cannot be written is opened read-only: `Registry.isReadOnly`.
    package func acceptsWrites() throws -> Bool { database.access == .readWrite }

    // MARK: Reads

    package func overlapping(_ ports: PortRange, transport: TransportProtocol?, now: Timestamp) throws -> [Assignment] {
        try database.cached(
            """
            SELECT \(AssignmentStore.columns) FROM \(AssignmentStore.overlapping())
            \(AssignmentStore.order)
            """
        ).rows([ports.low, ports.high, transport?.rawValue, now.text], AssignmentStore.assignment)
    }

    package func forEach(
        _ filter: AssignmentFilter = AssignmentFilter(), now: Timestamp, _ body: (Assignment) throws -> Void
    ) throws {
        try database.cached(
            """
            SELECT \(AssignmentStore.columns) FROM assignment a
            WHERE (?1 IS NULL OR a.service = ?1) AND (?2 IS NULL OR a.host = ?2) AND (?3 IS NULL OR a.owner = ?3)
              AND (?4 OR a.expires_at IS NULL OR a.expires_at > ?5)
            \(AssignmentStore.order)
            """
        ).forEachRow([
            filter.service, filter.host.map { HostScope(parsing: $0)?.name ?? $0 }, filter.owner,
            filter.includeExpired, now.text,
        ]) {
            try body(try AssignmentStore.assignment($0))
        }
    }

    /// Live assignments of `service`, case-insensitively (a scan: see docs/DECISIONS.md).
    package func named(_ service: String, now: Timestamp) throws -> [Assignment] {
        try database.cached(
            """
            SELECT \(AssignmentStore.columns) FROM assignment a
            WHERE a.service = ?1 AND (a.expires_at IS NULL OR a.expires_at > ?2) \(AssignmentStore.order)
            """
        ).rows([service, now.text], AssignmentStore.assignment)
    }

    package func blockingClaims(
        in span: PortRange, transport: TransportProtocol, host: HostScope, now: Timestamp,
        _ body: (PortRange, BindAddress) -> Void
    ) throws {
        try database.cached(
            """
            SELECT a.port_low, a.port_high, a.bind
            FROM \(AssignmentStore.overlapping(where: "(?5 = '*' OR host = '*' OR host = ?5)"))
            """
        ).forEachRow([span.low, span.high, transport.rawValue, now.text, host.name]) { row in
            let bind = BindAddress(parsing: row.text(2)) ?? .wildcard
            body(try PortRange.stored(row.int(0), row.int(1), row: "an assignment"), bind)
        }
    }

    package func forEachLiveClaim(
        now: Timestamp,
        _ body: (_ id: Int, _ ports: PortRange, _ transport: TransportProtocol, _ host: String, _ bind: String) -> Void
    ) throws {
        try database.prepare(
            """
            SELECT id, port_low, port_high, protocol, host, bind FROM assignment
            WHERE expires_at IS NULL OR expires_at > ?1 ORDER BY port_low
            """
        ).forEachRow([now.text]) { row in
            body(
                row.int(0), try PortRange.stored(row.int(1), row.int(2), row: "assignment \(row.int(0))"),
                TransportProtocol(rawValue: row.text(3)) ?? .tcp, row.text(4), row.text(5))
        }
    }

    package func assignment(id: Int) throws -> Assignment? {
        var found: Assignment?
        try database.cached("SELECT \(AssignmentStore.columns) FROM assignment a WHERE a.id = ?1")
            .forEachRow([id]) { found = try AssignmentStore.assignment($0) }
        return found
    }

    package func forEachContaining(_ substring: String?, _ body: (Assignment) throws -> Void) throws {
        try database.cached(
            """
            SELECT \(AssignmentStore.columns) FROM assignment a
            WHERE ?1 IS NULL OR instr(lower(a.service || ' ' || a.owner || ' ' || a.note), ?1) > 0
            """
        ).forEachRow([substring]) { try body(try AssignmentStore.assignment($0)) }
    }

    package func serviceNames() throws -> [String] {
        try database.cached("SELECT DISTINCT service FROM assignment").rows { $0.text(0) }
    }

    package func count() throws -> Int { try database.scalarInt("SELECT count(*) FROM assignment") ?? 0 }

    package func counts(now: Timestamp) throws -> (total: Int, expired: Int) {
        (try count(), try database.scalarInt("SELECT count(*) FROM assignment WHERE expires_at <= ?1", now.text) ?? 0)
    }

    package func indexProblems() throws -> Int { try spans.problems() }

    package func invalidRows() throws -> [String] {
        try database.prepare(
            """
            SELECT id, service, port_low, port_high FROM assignment
            WHERE NOT (port_low BETWEEN 1 AND 65535 AND port_high BETWEEN 1 AND 65535 AND port_low <= port_high)
            ORDER BY id LIMIT 1000
            """
        ).rows { "assignment \($0.int(0)) (\($0.text(1))): ports \($0.int(2))-\($0.int(3)) out of range" }
    }

    /// Bytes go from SQLite's buffers to the line with no String in between: a million rows
    /// export in about a second. Quoting is `CSVFormat.append`'s.
    package func exportCSV(_ emit: (UnsafeBufferPointer<UInt8>) throws -> Void) throws {
        try RegistryCSV.headerBytes.withUnsafeBufferPointer(emit)
        var line: [UInt8] = []
        line.reserveCapacity(512)
        try database.prepare(
            """
            SELECT a.service, a.port_low, a.port_high, a.protocol, a.host, a.bind, a.owner, a.note, a.created_at,
                   coalesce(a.expires_at, '')
            FROM assignment a \(AssignmentStore.order)
            """
        ).forEachRow { row in
            RegistryCSV.record(into: &line, low: row.int(1), high: row.int(2)) { column, append in
                row.withBytes(Int32(column), append)
            }
            try line.withUnsafeBufferPointer(emit)
        }
    }

    // MARK: Writes

    @discardableResult
    package func insert(_ assignment: Assignment, ttlSeconds: Int? = nil, now: Timestamp = RegistryClock.system.now())
        throws -> Assignment
    {
        try requireWriteTransaction()
        let statement = try database.cached(
            """
            INSERT INTO assignment (service, port_low, port_high, protocol, host, bind, owner, note, created_at, expires_at)
            VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, coalesce(nullif(?9, ''), ?11), ?10)
            ON CONFLICT (port_low, port_high, protocol, host, service, bind) DO UPDATE SET
                owner = coalesce(nullif(excluded.owner, ''), owner), note = coalesce(nullif(excluded.note, ''), note),
                expires_at = excluded.expires_at
            \(AssignmentStore.returning)
            """)
        let expiresAt = ttlSeconds.map { now.adding(seconds: $0).text } ?? assignment.expiresAt
        var stored = assignment
        try statement.forEachRow([
            assignment.service, assignment.ports.low, assignment.ports.high, assignment.transport.rawValue,
            assignment.host.name, assignment.bind.text, assignment.owner, assignment.note, assignment.createdAt,
            expiresAt, now.text,
        ]) { stored = try AssignmentStore.assignment($0) }
        try spans.stored(id: stored.id!, ports: stored.ports)
        return stored
    }

    package func remove(
        service: String, ports: PortRange? = nil, transport: TransportProtocol? = nil, host: HostScope? = nil
    ) throws -> [Assignment] {
        try requireWriteTransaction()
        let removed = try database.cached(
            """
            DELETE FROM assignment WHERE service = ?1
              AND (?2 IS NULL OR (port_low <= ?2 AND port_high >= ?3))
              AND (?4 IS NULL OR protocol = ?4) AND (?5 IS NULL OR host = ?5)
            \(AssignmentStore.returning)
            """
        ).rows([service, ports?.low, ports?.high, transport?.rawValue, host?.name], AssignmentStore.assignment)
        for assignment in removed { try spans.deleted(id: assignment.id!, ports: assignment.ports) }
        // RETURNING comes in the order SQLite deleted (by rowid), not export order.
        return AssignmentStore.inExportOrder(removed)
    }

    /// `order` in Swift, for rows that SQLite returns in no defined order (`RETURNING`):
    /// text in byte order, the service compared as NOCASE does (service names are ASCII).
    static func inExportOrder(_ rows: [Assignment]) -> [Assignment] {
        rows.sorted { a, b in
            if a.ports.low != b.ports.low { return a.ports.low < b.ports.low }
            if a.ports.high != b.ports.high { return a.ports.high < b.ports.high }
            let keys = [
                (a.transport.rawValue, b.transport.rawValue), (a.host.name, b.host.name),
                (lowercasedIfNeeded(a.service), lowercasedIfNeeded(b.service)), (a.bind.text, b.bind.text),
            ]
            for (x, y) in keys where x != y { return x.utf8.lexicographicallyPrecedes(y.utf8) }
            return false
        }
    }

    package func merge(
        replace: Bool, now: Timestamp, changes: ((AssignmentChange) throws -> Void)?,
        _ feed: (_ insert: (Assignment) throws -> Void) throws -> Void
    ) throws -> AssignmentMerge {
        try requireWriteTransaction()
        var merge = AssignmentMerge()
        let firstNewID = (try database.scalarInt("SELECT coalesce(max(id), 0) FROM assignment") ?? 0) + 1
        merge.firstNewID = firstNewID
        var updatedIDs = Set<Int>()
        // A new claim is inserted; an existing one is left alone (DO NOTHING), then read and
        // rewritten only when a column really changes, so that re-importing an export
        // writes nothing and says 0 updated. No RETURNING: it gives every INSERT an
        // ephemeral table (measured: a third of the import's time).
        let insertNew = try database.cached(
            """
            INSERT INTO assignment (service, port_low, port_high, protocol, host, bind, owner, note, created_at, expires_at)
            VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, coalesce(nullif(?9, ''), ?11), ?10)
            ON CONFLICT (port_low, port_high, protocol, host, service, bind) DO NOTHING
            """)
        let existing = try database.cached(
            """
            SELECT \(AssignmentStore.columns) FROM assignment a
            WHERE a.port_low = ?1 AND a.port_high = ?2 AND a.protocol = ?3 AND a.host = ?4 AND a.service = ?5
                AND a.bind = ?6
            """)
        let rewrite = try database.cached("UPDATE assignment SET owner = ?2, note = ?3, expires_at = ?4 WHERE id = ?1")
        let nowText = now.text
        func insert(_ assignment: Assignment) throws {
            insertNew.reset()
            try insertNew.bind(1, assignment.service)
            try insertNew.bind(2, assignment.ports.low)
            try insertNew.bind(3, assignment.ports.high)
            try insertNew.bind(4, assignment.transport.rawValue)
            try insertNew.bind(5, assignment.host.name)
            try insertNew.bind(6, assignment.bind.text)
            try insertNew.bind(7, assignment.owner)
            try insertNew.bind(8, assignment.note)
            try insertNew.bind(9, assignment.createdAt)
            try insertNew.bind(10, assignment.expiresAt)
            try insertNew.bind(11, nowText)
            try insertNew.execute()
            merge.rows += 1
            if database.changes > 0 {
                merge.added += 1
                if let changes {
                    var added = assignment
                    added.id = database.lastInsertedRowID
                    if added.createdAt.isEmpty { added.createdAt = nowText }
                    try changes(.added(added))
                }
                return
            }
            var old: Assignment?
            try existing.forEachRow([
                assignment.ports.low, assignment.ports.high, assignment.transport.rawValue, assignment.host.name,
                assignment.service, assignment.bind.text,
            ]) { old = try AssignmentStore.assignment($0) }
            guard let old, let id = old.id else { return }
            updatedIDs.insert(id)
            if old.owner == assignment.owner && old.note == assignment.note && old.expiresAt == assignment.expiresAt {
                merge.unchanged += 1
                return
            }
            try rewrite.run(id, assignment.owner, assignment.note, assignment.expiresAt)
            merge.updated += 1
            if let changes {
                var new = old
                new.owner = assignment.owner
                new.note = assignment.note
                new.expiresAt = assignment.expiresAt
                try changes(.updated(old: old, new: new))
            }
        }
        try feed(insert)
        if replace {
            // The file is the registry: what existed before and was not in it goes.
            try database.execute(
                "CREATE TEMP TABLE IF NOT EXISTS import_kept (id INTEGER PRIMARY KEY); DELETE FROM temp.import_kept;"
            )
            let keep = try database.cached("INSERT INTO temp.import_kept (id) VALUES (?1)")
            for id in updatedIDs where id < firstNewID { try keep.run(id) }
            let condition = "a.id < ?1 AND a.id NOT IN (SELECT id FROM temp.import_kept)"
            if let changes {
                try database.prepare(
                    "SELECT \(AssignmentStore.columns) FROM assignment a WHERE \(condition) \(AssignmentStore.order)"
                ).forEachRow([firstNewID]) { row in try changes(.removed(try AssignmentStore.assignment(row))) }
            }
            try database.cached(
                "DELETE FROM assignment WHERE id < ?1 AND id NOT IN (SELECT id FROM temp.import_kept)"
            ).run(firstNewID)
            merge.removed = database.changes
            try spans.deletedOrphans()
            try database.execute("DROP TABLE temp.import_kept")
        }
        try spans.storedAll(fromID: firstNewID)
        merge.updatedIDs = updatedIDs
        return merge
    }

    package func removeExpired(now: Timestamp) throws -> [Assignment] {
        try requireWriteTransaction()
        let removed = try database.cached(
            "DELETE FROM assignment WHERE expires_at IS NOT NULL AND expires_at <= ?1 \(AssignmentStore.returning)"
        ).rows([now.text], AssignmentStore.assignment)
        for assignment in removed { try spans.deleted(id: assignment.id!, ports: assignment.ports) }
        return removed.sorted { AssignmentStore.exportOrder($0, $1) }
    }

    package func update(id: Int, to assignment: Assignment) throws -> Assignment {
        try requireWriteTransaction()
        guard let old = try self.assignment(id: id) else {
            throw DatabaseError(code: ResultCode.misuse.rawValue, message: "no assignment with id \(id) to update")
        }
        var stored = assignment
        try database.cached(
            """
            UPDATE assignment SET service = ?2, port_low = ?3, port_high = ?4, protocol = ?5, host = ?6, bind = ?7,
                owner = ?8, note = ?9, created_at = ?10, expires_at = ?11
            WHERE id = ?1 \(AssignmentStore.returning)
            """
        ).forEachRow([
            id, assignment.service, assignment.ports.low, assignment.ports.high, assignment.transport.rawValue,
            assignment.host.name, assignment.bind.text, assignment.owner, assignment.note, assignment.createdAt,
            assignment.expiresAt,
        ]) { stored = try AssignmentStore.assignment($0) }
        if old.ports != stored.ports {
            try spans.deleted(id: id, ports: old.ports)
            try spans.stored(id: id, ports: stored.ports)
        }
        return stored
    }

    /// Export order on values (port low, port high, protocol, host, service, bind).
    static func exportOrder(_ a: Assignment, _ b: Assignment) -> Bool {
        (a.ports.low, a.ports.high, a.transport.rawValue, a.host.name, a.service, a.bind.text)
            < (b.ports.low, b.ports.high, b.transport.rawValue, b.host.name, b.service, b.bind.text)
    }
}
