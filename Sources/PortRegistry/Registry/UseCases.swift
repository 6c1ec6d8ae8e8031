import PortRegistryAssignments
import PortRegistryCatalog
import PortRegistryConflicts
import PortRegistryExchange
import PortRegistryFormats
import PortRegistryModel
import PortRegistrySearch
import PortRegistrySystem

/// The use cases of the front door besides `add` (Claim.swift): each opens and ends its own
/// transaction, so the executable never holds one.
extension Registry {
    // MARK: Lookup and search

    /// Runs `body` with a `Lookup` inside one read transaction: thousands of queries (`lookup
    /// -`) take one lock, not one per statement.
    package func lookup<T>(_ body: (Lookup) throws -> T) throws -> T {
        try read { context in
            try body(Lookup(catalog: context.catalog, assignments: context.assignments, now: context.now))
        }
    }

    /// Ranked full-text search over the catalog and the assignments.
    package func search(_ text: String, limit: Int = 20) throws -> SearchResult {
        try read { context in try Search(catalog: context.catalog, assignments: context.assignments)(text, limit: limit)
        }
    }

    // MARK: Assignments

    /// Picks and records free ports (`portreg reserve`): check and insert in one write
    /// transaction, so concurrent processes get different ports.
    package func reserve(_ request: ReservationRequest, using allocator: Allocator = Allocator()) throws -> Reservation
    {
        try allocator.validate(request)
        return try write { context in try allocator.reserve(request, in: context) }
    }

    /// Free ports or blocks by the rules of `reserve`, recording nothing (`portreg free`).
    package func freeBlocks(_ request: ReservationRequest, limit: Int, using allocator: Allocator = Allocator()) throws
        -> [PortRange]
    {
        try read { context in try allocator.freeBlocks(request, limit: limit, in: context) }
    }

    /// Deletes a service's assignments, narrowed by `ports`, `transport` and `host`; returns
    /// what was deleted.
    package func remove(
        service: String, ports: PortRange? = nil, transport: TransportProtocol? = nil, host: HostScope? = nil
    ) throws -> [Assignment] {
        try write { context in
            try context.assignments.remove(service: service, ports: ports, transport: transport, host: host)
        }
    }

    /// Streams the assignments matching `filter`, in export order.
    package func list(_ filter: AssignmentFilter = AssignmentFilter(), _ body: (Assignment) throws -> Void) throws {
        try read { context in try context.assignments.forEach(filter, now: context.now, body) }
    }

    /// Collisions and, unless `warnings` is false, advisories (`portreg conflicts`). Sockets
    /// are read by the caller before: the owner scan can take tens of milliseconds.
    package func conflicts(warnings: Bool = true, listeners: [ListeningSocket] = []) throws -> ConflictReport {
        try read { context in
            try ConflictReport.make(
                assignments: context.assignments, catalog: database, now: context.now, warnings: warnings,
                listeners: listeners)
        }
    }

    /// This machine's listening sockets against the live assignments of `host` (`portreg scan`).
    package func scan(host: HostScope, sockets: [ListeningSocket]) throws -> SocketScan {
        let assignments = try read { context in
            var live: [Assignment] = []
            try context.assignments.forEach(AssignmentFilter(), now: context.now) { live.append($0) }
            return live
        }
        return SocketScan.match(sockets: sockets, assignments: assignments, host: host)
    }

    /// What `portreg check` compares config files with, read in one transaction: the live
    /// assignments (when `includeAssignments`) and the catalog's registrations. ConfigScan
    /// sits below the front door, so it receives these values instead of opening a store.
    package func checkBaseline(includeAssignments: Bool, ephemeral: PortRange? = nil) throws
        -> (assignments: [Assignment], catalog: PortAdvisor)
    {
        try read { context in
            var live: [Assignment] = []
            if includeAssignments {
                try context.assignments.forEach(AssignmentFilter(), now: context.now) { live.append($0) }
            }
            return (live, try PortAdvisor(database: database, ephemeral: ephemeral))
        }
    }

    // MARK: Import and export

    /// Merges (or with `replace`, installs) a registry CSV; `reader` is after the header.
    /// One transaction: a bad row or a refused collision leaves everything as it was, and
    /// a dry run is rolled back once the report is made.
    /// `changes`, when given, hears each change as it is made (for `--verbose`), dry run or not.
    package func importAssignments(
        _ reader: inout CSVReader, options: AssignmentImportOptions,
        changes: ((AssignmentChange) throws -> Void)? = nil
    ) throws -> AssignmentImportReport {
        if options.dryRun,
            try isReadOnly || !read({ (context: StorageContext) in try context.assignments.acceptsWrites() })
        {
            let rows = try AssignmentImporter.readAll(&reader)
            return try dryRunOnCopy(rows, file: reader.name, options: options, changes: changes)
        }
        guard server != nil else {
            return try write(dryRun: options.dryRun) { context in
                try AssignmentImporter.run(&reader, options: options, in: context, changes: changes)
            }
        }
        // On a server the file is read and checked whole before a transaction opens: parsing
        // inside one would leave the session idle in it, which a server's
        // idle_in_transaction_session_timeout ends (and a retry would end the same way).
        let rows = try AssignmentImporter.readAll(&reader)
        let name = reader.name
        return try write(dryRun: options.dryRun) { context in
            try AssignmentImporter.run(rows, file: name, options: options, in: context, changes: changes)
        }
    }

    /// A dry run where nothing can be written (a hot standby, a read-only registry file):
    /// the assignments are copied into a private in-memory registry and the import runs
    /// there, so that the report (counts, collisions) is the one a real import would give.
    private func dryRunOnCopy(
        _ rows: [Assignment], file: String, options: AssignmentImportOptions,
        changes: ((AssignmentChange) throws -> Void)?
    ) throws -> AssignmentImportReport {
        let scratch = try Registry.inMemory(clock: clock)
        try read { (context: StorageContext) in
            try scratch.write { (copy: StorageContext) in
                _ = try copy.assignments.merge(replace: false, now: copy.now, changes: nil) { insert in
                    var filter = AssignmentFilter()
                    filter.includeExpired = true
                    try context.assignments.forEach(filter, now: context.now) { try insert($0) }
                }
            }
        }
        return try scratch.write(dryRun: true) { context in
            try AssignmentImporter.run(rows, file: file, options: options, in: context, changes: changes)
        }
    }

    /// Imports an IANA-format CSV into `source`, replacing what it held, in one transaction.
    ///
    /// The file is read and checked on a second thread while `open` opens (or creates) the
    /// registry and rows are inserted as they arrive: on the real IANA file this overlaps
    /// about 20 ms of parsing with the database work. A bad line aborts with its file:line
    /// and leaves the catalog as it was.
    package static func importCatalog(
        _ reader: CSVReader, source: CatalogSource, origin: String, dryRun: Bool = false, open: () throws -> Registry
    ) throws -> CatalogImportReport {
        let input = Handoff(value: reader)
        let pipeline = BatchPipeline<CatalogEntry> { emit in
            var reader = input.value
            try CatalogImporter.readIANA(&reader, source: source, emit: emit)
        }
        pipeline.start()
        do {
            let registry = try open()
            return try registry.write(dryRun: dryRun) { context in
                try registry.replacingCatalog(source, in: context) {
                    try context.catalog.replace(
                        source: source, origin: origin, importedAt: context.now, next: { try pipeline.next() },
                        digest: {
                            pipeline.join()
                            return input.value.sha256
                        })
                }
            }
        } catch {
            pipeline.cancel()
            throw error
        }
    }

    /// Replaces `source` with `entries` in one transaction and reports the difference;
    /// with `dryRun` the transaction is rolled back after the report is made.
    package func replaceCatalog(
        source: CatalogSource, with entries: [CatalogEntry], origin: String, sha256: String?, skipped: Int = 0,
        dryRun: Bool = false
    ) throws -> CatalogImportReport {
        try write(dryRun: dryRun) { context in
            try replacingCatalog(source, in: context) {
                try context.catalog.replace(
                    source: source, with: entries, origin: origin, sha256: sha256, skipped: skipped,
                    importedAt: context.now)
            }
        }
    }

    /// Imports a services(5) file (`/etc/services`) as the `system` source.
    package func importServices(_ text: String, file: String, origin: String, dryRun: Bool = false) throws
        -> CatalogImportReport
    {
        var hash = SHA256()
        hash.update(Array(text.utf8))
        let (entries, skipped) = try ServicesFile.parse(text, file: file)
        return try replaceCatalog(
            source: .system, with: entries, origin: origin, sha256: hash.finalize(), skipped: skipped, dryRun: dryRun)
    }

    /// Writes the registry CSV, every assignment (expired leases too), in export order.
    package func exportAssignmentsCSV(_ emit: (UnsafeBufferPointer<UInt8>) throws -> Void) throws {
        try read { context in try context.assignments.exportCSV(emit) }
    }

    /// Every assignment (expired leases too), in export order.
    package func exportAssignments(_ body: (Assignment) throws -> Void) throws {
        try list(AssignmentFilter(includeExpired: true), body)
    }

    /// The rows of one catalog source, in file order.
    package func catalogRows(of source: CatalogSource) throws -> [CatalogEntry] {
        try read { context in try context.catalog.rows(of: source) }
    }

    /// The catalog's sources as recorded at their last import (`portreg catalog`).
    package func catalogSources() throws -> [CatalogSourceInfo] {
        try read { context in try context.catalog.sources() }
    }

    // MARK: Health

    /// Integrity, index mirrors and counts (`portreg doctor`).
    package func doctor() throws -> HealthReport {
        // A damaged file can fail the read transaction's end after every check has run:
        // what the checks found is the answer, not that last error.
        var report: HealthReport?
        do {
            return try read { context in
                report = try HealthCheck(registry: self).run(in: context)
                return report!
            }
        } catch let error as RegistryError where report != nil {
            if report!.findings.isEmpty {
                report!.findings.append(HealthFinding(problem: error.message, fix: HealthCheck.restore))
            }
            return report!
        }
    }
}
