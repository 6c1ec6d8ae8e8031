/// Filters for listing assignments.
public struct AssignmentFilter: Sendable {
    public var service: String?
    public var host: String?
    public var owner: String?
    public var includeExpired = false

    public init(service: String? = nil, host: String? = nil, owner: String? = nil, includeExpired: Bool = false) {
        self.service = service
        self.host = host
        self.owner = owner
        self.includeExpired = includeExpired
    }
}

/// Reads and writes the `assignment` table. Writes belong inside `Registry.write`.
public struct AssignmentStore {
    public let database: Database

    public init(database: Database) { self.database = database }

    static let columns =
        "a.id, a.service, a.port_low, a.port_high, a.protocol, a.host, a.bind, a.owner, a.note, a.created_at, a.expires_at"
    /// Live assignments on protocol ?3 (NULL: any) whose ports overlap ?1...?2 (time ?4), as a table named
    /// `a`: single ports through the UNIQUE index, blocks through the R*Tree.
    static func overlapping(where condition: String = "1") -> String {
        """
        (SELECT * FROM assignment WHERE port_low BETWEEN ?1 AND ?2 AND port_high = port_low
            AND (?3 IS NULL OR protocol = ?3) AND (expires_at IS NULL OR expires_at > ?4) AND \(condition)
         UNION ALL
         SELECT assignment.* FROM assignment_span JOIN assignment ON assignment.id = assignment_span.id
         WHERE assignment_span.low <= ?2 AND assignment_span.high >= ?1
            AND (?3 IS NULL OR protocol = ?3) AND (expires_at IS NULL OR expires_at > ?4) AND \(condition)) AS a
        """
    }

    static let returning =
        "RETURNING id, service, port_low, port_high, protocol, host, bind, owner, note, created_at, expires_at"

    /// Export order: by port (first, then last), protocol, host, service — the order of the
    /// table's UNIQUE index, so no sort is needed.
    static let order = "ORDER BY a.port_low, a.port_high, a.protocol, a.host, a.service, a.bind"

    static func assignment(_ row: Row) -> Assignment {
        Assignment(
            id: row.int(0), service: row.text(1),
            ports: PortRange(uncheckedLow: row.int(2), high: row.int(3)),
            transport: TransportProtocol(rawValue: row.text(4)) ?? .tcp,
            host: HostScope(parsing: row.text(5)) ?? .everywhere,
            bind: BindAddress(parsing: row.text(6)) ?? .wildcard,
            owner: row.text(7), note: row.text(8), createdAt: row.text(9), expiresAt: row.optionalText(10))
    }

    /// The current time as stored: RFC 3339 UTC to the second.
    public func now() throws -> String {
        try database.scalarText("SELECT strftime('%Y-%m-%dT%H:%M:%SZ', 'now')") ?? ""
    }

    /// Live (unexpired) assignments whose ports overlap `ports` on `transport` (nil: any), in
    /// export order.
    public func overlapping(_ ports: PortRange, transport: TransportProtocol?, now: String) throws -> [Assignment] {
        try database.cached(
            """
            SELECT \(AssignmentStore.columns) FROM \(AssignmentStore.overlapping())
            \(AssignmentStore.order)
            """
        ).rows([ports.low, ports.high, transport?.rawValue, now], AssignmentStore.assignment)
    }

    /// Live assignments that `candidate` would collide with.
    public func collisions(with candidate: some SocketClaim, now: String) throws -> [Assignment] {
        try overlapping(candidate.ports, transport: candidate.transport, now: now).filter {
            CollisionRule.collide($0, candidate)
        }
    }

    /// Records `assignment`. An identical claim (same service, ports, protocol, host and bind)
    /// is updated in place, so that re-adding or renewing a lease is not an error: a new owner
    /// or note replaces the old one, an empty one keeps it, and the expiry is the new one's
    /// (none makes the claim permanent). `ttlSeconds` sets `expires_at` from the database clock.
    @discardableResult
    public func insert(_ assignment: Assignment, ttlSeconds: Int? = nil) throws -> Assignment {
        let statement = try database.cached(
            """
            INSERT INTO assignment (service, port_low, port_high, protocol, host, bind, owner, note, created_at, expires_at)
            VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8,
                    coalesce(nullif(?9, ''), strftime('%Y-%m-%dT%H:%M:%SZ', 'now')),
                    CASE WHEN ?11 IS NOT NULL THEN strftime('%Y-%m-%dT%H:%M:%SZ', 'now', '+' || ?11 || ' seconds') ELSE ?10 END)
            ON CONFLICT (port_low, port_high, protocol, host, service, bind) DO UPDATE SET
                owner = coalesce(nullif(excluded.owner, ''), owner), note = coalesce(nullif(excluded.note, ''), note),
                expires_at = excluded.expires_at
            \(AssignmentStore.returning)
            """)
        var stored = assignment
        try statement.forEachRow([
            assignment.service, assignment.ports.low, assignment.ports.high, assignment.transport.rawValue,
            assignment.host.name, assignment.bind.text, assignment.owner, assignment.note, assignment.createdAt,
            assignment.expiresAt, ttlSeconds,
        ]) { stored = AssignmentStore.assignment($0) }
        if !stored.ports.isSinglePort {
            try database.cached("INSERT OR REPLACE INTO assignment_span (id, low, high) VALUES (?1, ?2, ?3)")
                .run(stored.id, stored.ports.low, stored.ports.high)
        }
        return stored
    }

    /// Assignments matching `filter`, in export order.
    public func list(_ filter: AssignmentFilter = AssignmentFilter(), now: String) throws -> [Assignment] {
        var result: [Assignment] = []
        try forEach(filter, now: now) { result.append($0) }
        return result
    }

    /// Streams assignments matching `filter` in export order, without holding them all.
    public func forEach(
        _ filter: AssignmentFilter = AssignmentFilter(), now: String, _ body: (Assignment) throws -> Void
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
            filter.includeExpired, now,
        ]) {
            try body(AssignmentStore.assignment($0))
        }
    }

    /// Live assignments of `service`, case-insensitively (a scan: see docs/DECISIONS.md).
    public func named(_ service: String, now: String) throws -> [Assignment] {
        try database.cached(
            """
            SELECT \(AssignmentStore.columns) FROM assignment a
            WHERE a.service = ?1 AND (a.expires_at IS NULL OR a.expires_at > ?2) \(AssignmentStore.order)
            """
        ).rows([service, now], AssignmentStore.assignment)
    }

    /// Deletes the assignments of `service`, narrowed to those holding `ports`, and to
    /// `transport` and `host`, when given;
    /// returns what was deleted.
    public func remove(
        service: String, ports: PortRange? = nil, transport: TransportProtocol? = nil, host: HostScope? = nil
    ) throws -> [Assignment] {
        let removed = try database.cached(
            """
            DELETE FROM assignment WHERE service = ?1
              AND (?2 IS NULL OR (port_low <= ?2 AND port_high >= ?3))
              AND (?4 IS NULL OR protocol = ?4) AND (?5 IS NULL OR host = ?5)
            \(AssignmentStore.returning)
            """
        ).rows([service, ports?.low, ports?.high, transport?.rawValue, host?.name], AssignmentStore.assignment)
        let deleteSpan = try database.cached("DELETE FROM assignment_span WHERE id = ?1")
        for assignment in removed where !assignment.ports.isSinglePort { try deleteSpan.run(assignment.id) }
        return removed
    }

    public func count() throws -> Int { try database.scalarInt("SELECT count(*) FROM assignment") ?? 0 }
}
