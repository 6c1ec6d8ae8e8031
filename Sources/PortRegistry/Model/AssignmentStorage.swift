/// Filters for listing assignments.
package struct AssignmentFilter: Sendable {
    package var service: String?
    package var host: String?
    package var owner: String?
    package var includeExpired = false

    package init(service: String? = nil, host: String? = nil, owner: String? = nil, includeExpired: Bool = false) {
        self.service = service
        self.host = host
        self.owner = owner
        self.includeExpired = includeExpired
    }
}

/// Whether a transaction only reads or also writes.
package enum AccessMode: Sendable {
    /// One consistent view of the data; no lock that stops writers.
    case read
    /// Serialised with every other writer from its first statement (SQLite: `BEGIN
    /// IMMEDIATE`; PostgreSQL: a transaction that locks the assignment table, or SERIALIZABLE
    /// with retries), so that a read-then-write cannot be overtaken by another process.
    case write
}

/// What a bulk merge (`AssignmentStorage.merge`) did. Ids grow with every insert, so "new in
/// this merge" is `id >= firstNewID`.
package struct AssignmentMerge: Sendable {
    package var rows = 0
    package var added = 0
    /// Rows whose claim already existed and whose owner, note or expiry really changed.
    package var updated = 0
    /// Rows whose claim already existed exactly as the input gives it.
    package var unchanged = 0
    /// With `replace`: assignments that existed and were not in the input, deleted.
    package var removed = 0
    /// The smallest id a row inserted by this merge can have.
    package var firstNewID = 1
    /// Ids of rows that existed before the merge and that the input named (updated or
    /// unchanged): the collision check looks at every row of the input.
    package var updatedIDs: Set<Int> = []

    package init() {}

    /// True for a row this merge inserted or named.
    package func touched(_ id: Int) -> Bool { id >= firstNewID || updatedIDs.contains(id) }
}

/// One change a merge makes, for `import --verbose`.
package enum AssignmentChange: Sendable, Equatable {
    case added(Assignment)
    /// The same claim (service, ports, protocol, host, bind) with another owner, note or expiry.
    case updated(old: Assignment, new: Assignment)
    /// Deleted by `replace`.
    case removed(Assignment)
}

/// Everything the registry asks of the place where assignments live. The SQLite backend is
/// `AssignmentStore`; a PostgreSQL backend implements the same requirements.
///
/// Coarse-grained on purpose: each requirement is one step of a use case, not a SQL
/// fragment, so that a backend can answer it with its own queries and indexes.
///
/// Common rules:
/// - Times are `Timestamp`s from the registry's clock, bound as parameters: a backend never
///   asks its server for "now". An assignment is live at `now` when it has no expiry or
///   `expiresAt > now` (RFC 3339 text of one shape compares in time order).
/// - "Export order" is port low, port high, protocol, host, service, bind.
/// - Service names compare case-insensitively (ASCII); hosts are stored lowercased
///   (`HostScope`), so they compare as stored.
/// - Reads may run inside or outside a transaction; writes must run inside
///   `transaction(.write)` and throw otherwise.
/// - A storage value belongs to one thread, like the connection under it.
package protocol AssignmentStorage {
    /// Runs `body` in one transaction of this backend: committed when it returns, rolled
    /// back when it throws. With `.write`, writers are serialised from the first statement:
    /// `Allocator`'s check (which ports are free) and insert happen in one such transaction,
    /// and two processes reserving at once must get different ports. Called inside a
    /// transaction of the same backend, runs `body` in it (no nesting). With `dryRun` the
    /// transaction is rolled back after `body` returns.
    func transaction<T>(_ mode: AccessMode, dryRun: Bool, _ body: () throws -> T) throws -> T

    /// False when the backend takes no writes at all (a PostgreSQL hot standby, or
    /// `default_transaction_read_only`): a dry run then runs on a private copy.
    func acceptsWrites() throws -> Bool

    // MARK: Reads

    /// Streams the assignments matching `filter` in export order; `filter.host` is compared
    /// after `HostScope` normalisation; expired leases only with `includeExpired`.
    func forEach(_ filter: AssignmentFilter, now: Timestamp, _ body: (Assignment) throws -> Void) throws

    /// Live assignments whose ports overlap `ports`, on `transport` (nil: any), in export order.
    func overlapping(_ ports: PortRange, transport: TransportProtocol?, now: Timestamp) throws -> [Assignment]

    /// Live assignments of `service` (case-insensitively), in export order.
    func named(_ service: String, now: Timestamp) throws -> [Assignment]

    /// Calls `body` with the ports and bind of every live assignment on `transport` whose
    /// ports overlap `span` and whose host scope overlaps `host` (equal, or either is `*`).
    /// The allocator's inner query: it runs once per window of 128 candidate ports.
    func blockingClaims(
        in span: PortRange, transport: TransportProtocol, host: HostScope, now: Timestamp,
        _ body: (PortRange, BindAddress) -> Void
    ) throws

    /// Every live assignment in order of its first port, reduced to what the collision
    /// sweep needs: id, ports, protocol, host name and bind address as stored. Called once
    /// per `conflicts` and per import, over the whole table: it must stream, not build the
    /// rows first.
    func forEachLiveClaim(
        now: Timestamp,
        _ body: (_ id: Int, _ ports: PortRange, _ transport: TransportProtocol, _ host: String, _ bind: String) -> Void
    ) throws

    /// The assignment with this id, or nil.
    func assignment(id: Int) throws -> Assignment?

    /// Every assignment (expired ones too) whose service, owner or note contains
    /// `substring`, lowercased ASCII-wise (nil: every assignment); any order. `Search` ranks.
    func forEachContaining(_ substring: String?, _ body: (Assignment) throws -> Void) throws

    /// Every service name held, expired leases included (for "did you mean").
    func serviceNames() throws -> [String]

    /// How many assignments there are, and how many of them are expired leases.
    func counts(now: Timestamp) throws -> (total: Int, expired: Int)

    /// Rows of the backend's own indexes that are out of step with the assignments (SQLite:
    /// the R*Tree of blocks); 0 for a backend with nothing to keep in step.
    func indexProblems() throws -> Int

    /// Rows this code could not use (written with the schema's checks bypassed), one line
    /// each naming the row; doctor prints them. Empty when the backend enforces its checks
    /// (every backend answers for itself: there is no default).
    func invalidRows() throws -> [String]

    /// Writes the registry CSV (`RegistryCSV`: header, quoting, LF), every assignment
    /// including expired leases, in export order, one line at a time: a million rows must
    /// export in about a second and in bounded memory.
    func exportCSV(_ emit: (UnsafeBufferPointer<UInt8>) throws -> Void) throws

    // MARK: Writes (inside transaction(.write))

    /// Records `assignment`. The same claim (service, ports, protocol, host, bind) is updated
    /// in place: a non-empty owner or note replaces the old one, an empty one keeps it, and
    /// the expiry becomes the new one's. An empty `createdAt` means `now`; `ttlSeconds` sets
    /// the expiry to `now` plus that. Returns what is stored, id included.
    func insert(_ assignment: Assignment, ttlSeconds: Int?, now: Timestamp) throws -> Assignment

    /// Deletes the assignments of `service` (case-insensitively), narrowed to those holding
    /// all of `ports`, and to `transport` and `host`, when given; returns what was deleted,
    /// in export order.
    func remove(service: String, ports: PortRange?, transport: TransportProtocol?, host: HostScope?) throws
        -> [Assignment]

    /// A bulk merge: `feed` calls the function it is given once per row, in file order.
    /// A row for an existing claim replaces its owner, note and expiry (empty stays empty)
    /// and counts as updated only when one of them really changes, else as unchanged; a new
    /// one is inserted, `createdAt` defaulting to `now`. With `replace`, rows that existed
    /// before and were not fed are deleted at the end. `changes`, when given, is called with
    /// each change as it is made (added and updated in input order, then removed in export
    /// order). Must stay linear: a million-row file merges in a few seconds, with no per-row
    /// RETURNING or round trip that a batch could avoid.
    func merge(
        replace: Bool, now: Timestamp, changes: ((AssignmentChange) throws -> Void)?,
        _ feed: (_ insert: (Assignment) throws -> Void) throws -> Void
    ) throws -> AssignmentMerge

    /// Deletes every lease that has expired at `now`; returns what was deleted, in export order.
    func removeExpired(now: Timestamp) throws -> [Assignment]

    /// Rewrites the stored row `id` as `assignment` (another port, protocol, host, bind,
    /// owner or note; `createdAt` and `expiresAt` as given), in place; returns what is
    /// stored. The caller has checked collisions and that no other row of the service has
    /// the new claim.
    func update(id: Int, to assignment: Assignment) throws -> Assignment
}

extension AssignmentStorage {
    /// Live assignments that `candidate` would collide with (`CollisionRule`), in export order.
    package func collisions(with candidate: some SocketClaim, now: Timestamp) throws -> [Assignment] {
        try overlapping(candidate.ports, transport: candidate.transport, now: now).filter {
            CollisionRule.collide($0, candidate)
        }
    }
}

extension AssignmentStorage {
    /// Assignments matching `filter`, in export order: `forEach` collected, for every backend.
    package func list(_ filter: AssignmentFilter = AssignmentFilter(), now: Timestamp) throws -> [Assignment] {
        var result: [Assignment] = []
        try forEach(filter, now: now) { result.append($0) }
        return result
    }
}
