import PortRegistryFormats
import PortRegistryModel

/// The `assignment` table on a PostgreSQL server, with the semantics of the SQLite
/// `AssignmentStore`: the same upsert, the same expiry comparison (RFC 3339 text, `now`
/// always a parameter), hosts lowercased before they reach SQL, service names compared as
/// SQLite's NOCASE does (ASCII only), and export order `port_low, port_high, protocol, host,
/// service, bind` in byte order whatever the server's locale (the columns are COLLATE "C").
///
/// Writes check that they run inside a transaction; `write` opens one and takes the
/// assignment advisory lock first, as SQLite's `BEGIN IMMEDIATE` takes the write lock.
package struct PostgresAssignmentStore: AssignmentStorage {
    package let connection: PostgresConnection

    package init(connection: PostgresConnection) { self.connection = connection }

    package static let columns =
        "a.id, a.service, a.port_low, a.port_high, a.protocol, a.host, a.bind, a.owner, a.note, a.created_at, a.expires_at"
    /// The order of the `assignment_claim` index: no sort for a whole export.
    package static let order = "ORDER BY a.port_low, a.port_high, a.protocol, a.host, lower(a.service), a.bind"
    /// SQLite's NOCASE on a parameter: lower() under "C" folds ASCII letters only.
    static let serviceKey = "lower(a.service) = lower($1::text COLLATE \"C\")"

    package static func assignment(_ row: PostgresRow) -> Assignment {
        Assignment(
            id: row.int(0), service: row.text(1),
            ports: PortRange(uncheckedLow: row.int(2), high: row.int(3)),
            transport: TransportProtocol(rawValue: row.text(4)) ?? .tcp,
            host: HostScope(stored: row.text(5)),
            bind: BindAddress(parsing: row.text(6)) ?? .wildcard,
            owner: row.text(7), note: row.text(8), createdAt: row.text(9), expiresAt: row.optionalText(10))
    }

    // MARK: Transactions

    /// Runs `body` in one transaction: committed when it returns, rolled back when it throws
    /// (or, with `dryRun`, after it returns). A write takes the assignment advisory lock
    /// first, as SQLite's `BEGIN IMMEDIATE` takes the write lock: another process's
    /// check-and-insert waits (at most the busy timeout) until this one ends. A read sees one
    /// snapshot (REPEATABLE READ, READ ONLY). Inside an open transaction, `body` runs in it.
    /// The contract's transaction: PostgreSQL failures leave it mapped at this boundary, as
    /// the backend-neutral `RegistryError` (exit codes of SPEC.md, the URI redacted, no SQL),
    /// so that the front door catches no PostgreSQL type.
    package func transaction<T>(_ mode: AccessMode, dryRun: Bool, _ body: () throws -> T) throws -> T {
        do {
            return try transaction(writing: mode == .write, dryRun: dryRun, body)
        } catch let error as PostgresError {
            throw RegistryError(
                error, registry: connection.displayURI, busyTimeoutMilliseconds: connection.busyTimeoutMilliseconds)
        }
    }

    @discardableResult
    package func transaction<T>(writing: Bool, dryRun: Bool = false, _ body: () throws -> T) throws -> T {
        if connection.isInTransaction { return try body() }
        return try connection.transaction(writing ? .readWrite : .readOnly, dryRun: dryRun) {
            if writing { try connection.lockForTransaction(.assignmentWrites) }
            return try body()
        }
    }

    @discardableResult
    package func write<T>(_ body: () throws -> T) throws -> T { try transaction(writing: true, body) }

    @discardableResult
    package func read<T>(_ body: () throws -> T) throws -> T { try transaction(writing: false, body) }

    private func requireTransaction(_ operation: String) throws(PostgresError) {
        guard connection.isInTransaction else {
            throw PostgresError(.misuse, "\(operation) must run inside a write transaction")
        }
    }

    /// `transaction_read_only` as a new transaction gets it: on for a hot standby, and
    /// where `default_transaction_read_only` is on (for the server, database or role).
    package func acceptsWrites() throws -> Bool {
        try read { try connection.query("SELECT current_setting('transaction_read_only')")[0].text(0) != "on" }
    }

    // MARK: Reads

    /// Live (unexpired) assignments whose ports overlap `ports` on `transport` (nil: any), in
    /// export order: single ports through the claim index, blocks through the partial GiST
    /// index on their range (as SQLite's B-tree and R*Tree).
    package func overlapping(_ ports: PortRange, transport: TransportProtocol?, now: Timestamp) throws -> [Assignment] {
        try connection.query(
            "SELECT \(Self.columns) FROM \(Self.overlapping()) \(Self.order)",
            [ports.low, ports.high, transport?.rawValue, now.text]
        ).rows.map(Self.assignment)
    }

    /// Live assignments on protocol $3 (NULL: any) whose ports overlap $1...$2 at time $4, as a
    /// table named `a`.
    package static func overlapping(where condition: String = "true") -> String {
        let live =
            "($3::text IS NULL OR a.protocol = $3::text) AND (a.expires_at IS NULL OR a.expires_at > $4::text) AND \(condition)"
        return """
            (SELECT * FROM assignment a
             WHERE a.port_low BETWEEN $1::integer AND $2::integer AND a.port_high = a.port_low AND \(live)
             UNION ALL
             SELECT * FROM assignment a
             WHERE a.port_high > a.port_low
               AND int4range(a.port_low, a.port_high, '[]') && int4range($1::integer, $2::integer, '[]') AND \(live)
            ) AS a
            """
    }

    /// The ports and bind of every live assignment on `transport` overlapping `span` whose
    /// host scope overlaps `host` (equal, or either is `*`): the allocator's inner query.
    package func blockingClaims(
        in span: PortRange, transport: TransportProtocol, host: HostScope, now: Timestamp,
        _ body: (PortRange, BindAddress) -> Void
    ) throws {
        let result = try connection.query(
            """
            SELECT a.port_low, a.port_high, a.bind
            FROM \(Self.overlapping(where: "($5::text = '*' OR a.host = '*' OR a.host = $5::text)"))
            """, [span.low, span.high, transport.rawValue, now.text, host.name])
        for row in result.rows {
            body(PortRange(uncheckedLow: row.int(0), high: row.int(1)), BindAddress(parsing: row.text(2)) ?? .wildcard)
        }
    }

    /// Every live assignment in order of its first port, reduced to what the collision sweep
    /// needs; streamed.
    package func forEachLiveClaim(
        now: Timestamp,
        _ body: (_ id: Int, _ ports: PortRange, _ transport: TransportProtocol, _ host: String, _ bind: String) -> Void
    ) throws {
        try connection.forEachRow(
            """
            SELECT id, port_low, port_high, protocol, host, bind FROM assignment
            WHERE expires_at IS NULL OR expires_at > $1::text ORDER BY port_low, id
            """, [now.text]
        ) { row in
            body(
                row.int(0), PortRange(uncheckedLow: row.int(1), high: row.int(2)),
                TransportProtocol(rawValue: row.text(3)) ?? .tcp, row.text(4), row.text(5))
        }
    }

    /// The assignment with this id, or nil.
    package func assignment(id: Int) throws -> Assignment? {
        let result = try connection.query("SELECT \(Self.columns) FROM assignment a WHERE a.id = $1::bigint", [id])
        return result.count == 1 ? Self.assignment(result[0]) : nil
    }

    /// Streams assignments matching `filter` in export order, without holding them all.
    /// `body` must not use this store's connection while rows stream.
    package func forEach(
        _ filter: AssignmentFilter = AssignmentFilter(), now: Timestamp, _ body: (Assignment) throws -> Void
    ) throws {
        try connection.forEachRow(
            """
            SELECT \(Self.columns) FROM assignment a
            WHERE ($1::text IS NULL OR \(Self.serviceKey)) AND ($2::text IS NULL OR a.host = $2::text)
              AND ($3::text IS NULL OR a.owner = $3::text)
              AND ($4::boolean OR a.expires_at IS NULL OR a.expires_at > $5::text)
            \(Self.order)
            """,
            [
                filter.service, filter.host.map { HostScope(parsing: $0)?.name ?? $0 }, filter.owner,
                filter.includeExpired, now.text,
            ]
        ) { try body(Self.assignment($0)) }
    }

    /// Every assignment, expired leases included, in export order, streamed: what `export`
    /// writes and what the conflict sweep reads.
    func forEachInExportOrder(_ body: (Assignment) throws -> Void) throws {
        try forEach(AssignmentFilter(includeExpired: true), now: Timestamp(secondsSinceEpoch: 0), body)
    }

    /// Live assignments of `service`, case-insensitively.
    package func named(_ service: String, now: Timestamp) throws -> [Assignment] {
        try connection.query(
            """
            SELECT \(Self.columns) FROM assignment a
            WHERE \(Self.serviceKey) AND (a.expires_at IS NULL OR a.expires_at > $2::text) \(Self.order)
            """, [service, now.text]
        ).rows.map(Self.assignment)
    }

    /// Every distinct service name (for "did you mean").
    package func serviceNames() throws -> [String] {
        try connection.query("SELECT DISTINCT service FROM assignment ORDER BY service").rows.map { $0.text(0) }
    }

    /// Every assignment (expired ones too) whose service, owner or note contains `substring`
    /// (lowercase), compared with lower() under "C", which folds ASCII only, as SQLite's
    /// lower() (nil: every assignment); in id order. `Search` folds Unicode and ranks.
    package func forEachContaining(_ substring: String?, _ body: (Assignment) throws -> Void) throws {
        try connection.forEachRow(
            """
            SELECT \(Self.columns) FROM assignment a
            WHERE $1::text IS NULL OR strpos(lower(a.service || ' ' || a.owner || ' ' || a.note), $1::text) > 0
            ORDER BY a.id
            """, [substring]
        ) { try body(Self.assignment($0)) }
    }

    /// How many assignments there are, and how many of them are expired leases.
    package func counts(now: Timestamp) throws -> (total: Int, expired: Int) {
        let row = try connection.query(
            "SELECT count(*), count(*) FILTER (WHERE expires_at <= $1::text) FROM assignment", [now.text])[0]
        return (row.int(0), row.int(1))
    }

    /// Rows of this backend's own indexes out of step with the table: none can be, the server
    /// maintains its indexes in the transaction that changes the rows.
    package func indexProblems() throws -> Int { 0 }

    /// The registry CSV (header, quoting and LF of `RegistryCSV`), every assignment, expired
    /// leases included, in export order, one line at a time from libpq's buffers.
    package func exportCSV(_ emit: (UnsafeBufferPointer<UInt8>) throws -> Void) throws {
        try RegistryCSV.headerBytes.withUnsafeBufferPointer(emit)
        var line: [UInt8] = []
        line.reserveCapacity(512)
        try connection.forEachRow(
            """
            SELECT a.service, a.port_low, a.port_high, a.protocol, a.host, a.bind, a.owner, a.note, a.created_at,
                   coalesce(a.expires_at, '')
            FROM assignment a \(Self.order)
            """
        ) { row in
            RegistryCSV.record(into: &line, low: row.int(1), high: row.int(2)) { column, append in
                row.withBytes(column, append)
            }
            try line.withUnsafeBufferPointer(emit)
        }
    }

    package func count() throws -> Int {
        try connection.query("SELECT count(*) FROM assignment")[0].int(0)
    }

    // MARK: Writes

    /// Records `assignment`. An identical claim (same service case-insensitively, ports,
    /// protocol, host and bind) is updated in place: a new owner or note replaces the old one,
    /// an empty one keeps it, and the expiry is the new one's (none makes the claim
    /// permanent). `ttlSeconds` sets `expires_at` to `now` plus that many seconds; an empty
    /// `createdAt` becomes `now`. The expiry is computed here, from the registry's clock, as
    /// on SQLite (stopping at `Timestamp.latest`): the server's clock is never asked.
    @discardableResult
    package func insert(_ assignment: Assignment, ttlSeconds: Int? = nil, now: Timestamp) throws -> Assignment {
        try requireTransaction("insert")
        let result = try connection.query(
            """
            INSERT INTO assignment AS a (service, port_low, port_high, protocol, host, bind, owner, note, created_at, expires_at)
            VALUES ($1::text, $2::integer, $3::integer, $4::text, $5::text, $6::text, $7::text, $8::text,
                    coalesce(nullif($9::text, ''), $11::text), $10::text)
            ON CONFLICT (port_low, port_high, protocol, host, lower(service), bind) DO UPDATE SET
                owner = coalesce(nullif(excluded.owner, ''), a.owner), note = coalesce(nullif(excluded.note, ''), a.note),
                expires_at = excluded.expires_at
            RETURNING \(Self.columns)
            """,
            [
                assignment.service, assignment.ports.low, assignment.ports.high, assignment.transport.rawValue,
                assignment.host.name, assignment.bind.text, assignment.owner, assignment.note, assignment.createdAt,
                ttlSeconds.map { now.adding(seconds: $0).text } ?? assignment.expiresAt, now.text,
            ])
        guard result.count == 1 else {
            throw PostgresError(.statement, "the insert returned \(result.count) rows instead of 1")
        }
        return Self.assignment(result[0])
    }

    /// Deletes the assignments of `service`, narrowed to those holding `ports`, and to
    /// `transport` and `host`, when given; returns what was deleted, in export order.
    package func remove(
        service: String, ports: PortRange? = nil, transport: TransportProtocol? = nil, host: HostScope? = nil
    ) throws -> [Assignment] {
        try requireTransaction("remove")
        return try connection.query(
            """
            WITH a AS (
                DELETE FROM assignment a WHERE \(Self.serviceKey)
                  AND ($2::integer IS NULL OR (a.port_low <= $2::integer AND a.port_high >= $3::integer))
                  AND ($4::text IS NULL OR a.protocol = $4::text) AND ($5::text IS NULL OR a.host = $5::text)
                RETURNING a.*)
            SELECT \(Self.columns) FROM a \(Self.order)
            """, [service, ports?.low, ports?.high, transport?.rawValue, host?.name]
        ).rows.map(Self.assignment)
    }

    private struct ClaimKey: Hashable {
        var low: Int
        var high: Int
        var transport: TransportProtocol
        var host: String
        var service: String
        var bind: String
    }

    /// Merges the assignments `feed` gives (one `COPY` into a temporary table, then one
    /// upsert): an existing claim takes the row's owner, note and expiry; an empty
    /// `createdAt` becomes `now`. Several rows of one claim act as one after another: the
    /// first's service spelling and creation time, the last's owner, note and expiry. With
    /// `replace`, claims that existed and were not fed are deleted. Runs inside the caller's
    /// write transaction, so a failure (or an error thrown by `feed`) leaves nothing.
    package func merge(
        replace: Bool, now: Timestamp, changes: ((AssignmentChange) throws -> Void)?,
        _ feed: (_ insert: (Assignment) throws -> Void) throws -> Void
    ) throws -> AssignmentMerge {
        try requireTransaction("merge")
        var merge = AssignmentMerge()
        merge.firstNewID = try connection.query("SELECT coalesce(max(id), 0) + 1 FROM assignment")[0].int(0)
        try connection.execute(
            """
            CREATE TEMPORARY TABLE IF NOT EXISTS portreg_import (
                seq bigint NOT NULL, service text COLLATE "C" NOT NULL, port_low integer NOT NULL,
                port_high integer NOT NULL, protocol text COLLATE "C" NOT NULL, host text COLLATE "C" NOT NULL,
                bind text COLLATE "C" NOT NULL, owner text COLLATE "C" NOT NULL, note text COLLATE "C" NOT NULL,
                created_at text COLLATE "C" NOT NULL, expires_at text COLLATE "C"
            ) ON COMMIT DROP;
            TRUNCATE portreg_import;
            -- The sorts of 100,000 rows spill to disk at the 4 MB default.
            SET LOCAL work_mem = '64MB'
            """)
        // Files rarely name a claim twice: when none does, the upsert skips the sorts that
        // pick each claim's first and last row. (ASCII lowercasing, as lower() under "C".)
        var keys = Set<ClaimKey>()
        var repeated = false
        try connection.copy(
            "COPY portreg_import (seq, service, port_low, port_high, protocol, host, bind, owner, note, created_at, expires_at) FROM STDIN"
        ) { writer in
            try feed { assignment in
                merge.rows += 1
                if !repeated {
                    let key = ClaimKey(
                        low: assignment.ports.low, high: assignment.ports.high, transport: assignment.transport,
                        host: assignment.host.name, service: Self.asciiLowercased(assignment.service),
                        bind: assignment.bind.text)
                    if !keys.insert(key).inserted {
                        repeated = true
                        keys = []
                    }
                }
                try writer.row([
                    String(merge.rows), assignment.service, String(assignment.ports.low),
                    String(assignment.ports.high), assignment.transport.rawValue, assignment.host.name,
                    assignment.bind.text, assignment.owner, assignment.note, assignment.createdAt, assignment.expiresAt,
                ])
            }
        }
        let key = "port_low, port_high, protocol, host, lower(service), bind"
        let claims =
            repeated
            ? """
            SELECT DISTINCT ON (\(key))
                min(seq) OVER w AS first_seq, first_value(service) OVER w AS service, port_low, port_high, protocol, host,
                bind, owner, note, first_value(created_at) OVER w AS created_at, expires_at,
                first_value(owner) OVER w AS first_owner, first_value(note) OVER w AS first_note,
                first_value(expires_at) OVER w AS first_expires_at
            FROM portreg_import WINDOW w AS (PARTITION BY \(key) ORDER BY seq)
            ORDER BY \(key), seq DESC
            """
            : "SELECT *, seq AS first_seq, owner AS first_owner, note AS first_note, expires_at AS first_expires_at FROM portreg_import"
        let matches = """
            c.port_low = a.port_low AND c.port_high = a.port_high AND c.protocol = a.protocol AND c.host = a.host
              AND lower(c.service) = lower(a.service) AND c.bind = a.bind
            """
        // The claims that exist already, before the upsert rewrites them: each is unchanged or
        // updated (owner, note or expiry really differ), and the collision check looks at all.
        var events: [(seq: Int, change: AssignmentChange)] = []
        var rewritten = 0
        try connection.forEachRow(
            """
            SELECT \(Self.columns), c.owner, c.note, c.expires_at, c.first_seq, c.first_owner, c.first_note,
                c.first_expires_at
            FROM (\(claims)) AS c JOIN assignment a ON \(matches)
            """, []
        ) { row in
            let old = Self.assignment(row)
            var new = old
            new.owner = row.text(11)
            new.note = row.text(12)
            new.expiresAt = row.optionalText(13)
            merge.updatedIDs.insert(old.id!)
            if new != old {
                rewritten += 1
                if changes != nil { events.append((row.int(14), .updated(old: old, new: new))) }
            }
            // Counted row by row as SQLite's merge counts them: the file's first row of the
            // claim against the stored one (its repeats below, each against the one before).
            var first = old
            first.owner = row.text(15)
            first.note = row.text(16)
            first.expiresAt = row.optionalText(17)
            if first == old { merge.unchanged += 1 } else { merge.updated += 1 }
        }
        if repeated {
            // A claim the file names again: each repeat updates the claim when its owner,
            // note or expiry differs from the row before it, else leaves it unchanged.
            let counts = try connection.query(
                """
                SELECT count(*) FILTER (WHERE changed), count(*) FILTER (WHERE NOT changed) FROM (
                    SELECT row_number() OVER w > 1 AS repeat,
                        (owner, note, expires_at) IS DISTINCT FROM
                            (lag(owner) OVER w, lag(note) OVER w, lag(expires_at) OVER w) AS changed
                    FROM portreg_import WINDOW w AS (PARTITION BY \(key) ORDER BY seq)) AS r
                WHERE repeat
                """)[0]
            merge.updated += counts.int(0)
            merge.unchanged += counts.int(1)
        }
        // Only new claims and real changes are written, so re-importing an export writes nothing.
        let upserted = try connection.query(
            """
            INSERT INTO assignment AS a (service, port_low, port_high, protocol, host, bind, owner, note, created_at, expires_at)
            SELECT service, port_low, port_high, protocol, host, bind, owner, note,
                   coalesce(nullif(created_at, ''), $1::text), expires_at
            FROM (\(claims)) AS claim ORDER BY \(key)
            ON CONFLICT (\(key)) DO UPDATE SET
                owner = excluded.owner, note = excluded.note, expires_at = excluded.expires_at
            WHERE (a.owner, a.note, a.expires_at) IS DISTINCT FROM (excluded.owner, excluded.note, excluded.expires_at)
            """, [now.text])
        merge.added = upserted.affectedRows - rewritten
        if let changes {
            try connection.forEachRow(
                """
                SELECT \(Self.columns), c.first_seq FROM (\(claims)) AS c JOIN assignment a ON \(matches)
                WHERE a.id >= $1::bigint
                """, [merge.firstNewID]
            ) { row in events.append((row.int(11), .added(Self.assignment(row)))) }
            events.sort { $0.seq < $1.seq }
            for event in events { try changes(event.change) }
        }
        if replace {
            let gone = """
                a.id < $1::bigint AND NOT EXISTS (
                    SELECT 1 FROM portreg_import c WHERE \(matches))
                """
            if let changes {
                try connection.forEachRow(
                    "SELECT \(Self.columns) FROM assignment a WHERE \(gone) \(Self.order)", [merge.firstNewID]
                ) { row in try changes(.removed(Self.assignment(row))) }
            }
            merge.removed = try connection.query("DELETE FROM assignment a WHERE \(gone)", [merge.firstNewID])
                .affectedRows
        }
        return merge
    }

    /// Deletes every lease that has expired at `now`; returns what went, in export order.
    package func removeExpired(now: Timestamp) throws -> [Assignment] {
        try requireTransaction("removeExpired")
        return try connection.query(
            """
            WITH a AS (
                DELETE FROM assignment a WHERE a.expires_at IS NOT NULL AND a.expires_at <= $1::text RETURNING a.*)
            SELECT \(Self.columns) FROM a \(Self.order)
            """, [now.text]
        ).rows.map(Self.assignment)
    }

    /// Rewrites row `id` as `assignment`, in place (the caller checked collisions).
    package func update(id: Int, to assignment: Assignment) throws -> Assignment {
        try requireTransaction("update")
        let result = try connection.query(
            """
            UPDATE assignment a SET service = $2::text, port_low = $3::integer, port_high = $4::integer,
                protocol = $5::text, host = $6::text, bind = $7::text, owner = $8::text, note = $9::text,
                created_at = $10::text, expires_at = $11::text
            WHERE a.id = $1::bigint RETURNING \(Self.columns)
            """,
            [
                id, assignment.service, assignment.ports.low, assignment.ports.high, assignment.transport.rawValue,
                assignment.host.name, assignment.bind.text, assignment.owner, assignment.note, assignment.createdAt,
                assignment.expiresAt,
            ])
        guard result.count == 1 else {
            throw PostgresError(.statement, "no assignment with id \(id) to update")
        }
        return Self.assignment(result[0])
    }

    static func asciiLowercased(_ text: String) -> String {
        String(decoding: text.utf8.map { $0 >= 0x41 && $0 <= 0x5A ? $0 + 0x20 : $0 }, as: UTF8.self)
    }
}
