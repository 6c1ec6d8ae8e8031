import PortRegistryModel
import PortRegistryStorage
import PortRegistrySystem

/// What an import changed, compared key by key (service name, port, protocol) with the rows
/// the source held before.
package struct CatalogImportReport: Sendable, Equatable {
    package var source: CatalogSource
    package var rows: Int
    package var added: Int
    package var removed: Int
    package var changed: Int
    package var skipped: Int
    package var releaseDate: String?
    package var sha256: String?
    /// The registrations (service name, port, protocol) this import added, removed or
    /// changed, by port; empty on a source's first import.
    package var changes: [CatalogChange] = []
    /// Live assignments whose port this import newly registers to another service (set by
    /// the front door, which reads the assignments).
    package var newlyRegistered: [NewlyRegistered] = []
}

/// One registration a catalog import added, removed or changed.
package struct CatalogChange: Sendable, Equatable {
    package enum Kind: String, Sendable { case added, removed, changed }
    package var kind: Kind
    package var service: String?
    package var ports: PortRange?
    package var transport: TransportProtocol?
}

/// An assignment whose port a new catalog release registers to another service.
package struct NewlyRegistered: Sendable, Equatable {
    package var assignment: Assignment
    /// The first port of the assignment that the release newly registers.
    package var port: Int
    /// The names it is newly registered to, in catalog order.
    package var registeredTo: [String]

    package init(assignment: Assignment, port: Int, registeredTo: [String]) {
        self.assignment = assignment
        self.port = port
        self.registeredTo = registeredTo
    }
}

/// A catalog source as recorded at its last import.
package struct CatalogSourceInfo: Sendable, Equatable {
    package var source: CatalogSource
    package var origin: String
    package var rows: Int
    package var releaseDate: String?
    package var importedAt: String
    package var sha256: String?
}

/// Reads and replaces the catalog tables.
package struct CatalogStore {
    package let database: Database

    package init(database: Database) { self.database = database }

    /// The columns `entry(_:)` reads, in its order: the one list of them. A query that adds
    /// a column of its own puts it after these, at index `columnCount`.
    package static let columns = """
        e.source, e.service, e.port_low, e.port_high, e.protocol, e.description, e.assignee, e.contact,
        e.registration_date, e.modification_date, e.reference, e.service_code, e.unauthorized_use, e.notes, e.aliases, e.id
        """
    package static let columnCount: Int32 = 16

    /// Rows of the catalog whose ports overlap ?1...?2, as a table named `e`: single ports
    /// through the partial index, ranges through the R*Tree.
    package static func overlapping(where condition: String) -> String {
        """
        (SELECT * FROM catalog_entry WHERE port_low BETWEEN ?1 AND ?2 AND port_low = port_high AND \(condition)
         UNION ALL
         SELECT catalog_entry.* FROM catalog_span JOIN catalog_entry ON catalog_entry.id = catalog_span.id
         WHERE catalog_span.low <= ?2 AND catalog_span.high >= ?1 AND \(condition)) AS e
        """
    }

    package static func entry(_ row: Row) throws -> CatalogEntry {
        var ports: PortRange?
        if let low = row.optionalInt(2) {
            ports = try PortRange.stored(low, row.int(3), row: "catalog entry \(row.optionalText(1) ?? "(unnamed)")")
        }
        let aliases = row.text(14)
        return CatalogEntry(
            source: CatalogSource(rawValue: row.text(0)) ?? .iana,
            service: row.optionalText(1),
            ports: ports,
            transport: row.optionalText(4).flatMap(TransportProtocol.init(rawValue:)),
            description: row.text(5), assignee: row.text(6), contact: row.text(7),
            registrationDate: row.text(8), modificationDate: row.text(9), reference: row.text(10),
            serviceCode: row.text(11), unauthorizedUse: row.text(12), notes: row.text(13),
            aliases: aliases.isEmpty ? [] : aliases.split(separator: " ").map(String.init)
        )
    }

    /// Replaces every row of `source` with `entries`. Call inside a write transaction: the
    /// caller's transaction makes the whole import atomic.
    package func replace(
        source: CatalogSource, with entries: [CatalogEntry], origin: String, sha256: String?, skipped: Int = 0,
        importedAt: Timestamp = RegistryClock.system.now()
    ) throws -> CatalogImportReport {
        var delivered = false
        return try replace(
            source: source, origin: origin, skipped: skipped, importedAt: importedAt,
            next: {
                defer { delivered = true }
                return delivered ? [] : entries
            }, digest: { sha256 })
    }

    /// Replaces every row of `source` with the batches `next` returns (an empty batch ends
    /// them), inserting each as it comes, so reading the file and inserting overlap.
    /// `digest` is asked for the file's sha256 once the last batch is in.
    package func replace(
        source: CatalogSource, origin: String, skipped: Int = 0, importedAt: Timestamp,
        next: () throws -> [CatalogEntry], digest: () -> String?
    ) throws -> CatalogImportReport {
        guard database.isInsideTransaction else {
            throw DatabaseError(code: ResultCode.misuse.rawValue, message: "catalog write outside a write transaction")
        }
        let before = try rows(of: source)
        try database.cached(
            "DELETE FROM catalog_alias WHERE entry_id IN (SELECT id FROM catalog_entry WHERE source = ?1)"
        ).run(source.rawValue)
        try SpanIndex.catalog(database).deleting(where: "source = ?1", source.rawValue)
        try database.cached("DELETE FROM catalog_entry WHERE source = ?1").run(source.rawValue)
        let recordSource = try database.cached(
            """
            INSERT INTO catalog_source (name, origin, row_count, release_date, imported_at, sha256)
            VALUES (?1, ?2, ?3, ?4, ?6, ?5)
            ON CONFLICT (name) DO UPDATE SET origin = excluded.origin, row_count = excluded.row_count,
                release_date = excluded.release_date, imported_at = excluded.imported_at, sha256 = excluded.sha256
            """)
        try recordSource.run(source.rawValue, origin, 0, SQLValue.null, SQLValue.null, importedAt.text)

        let firstID = (try database.scalarInt("SELECT coalesce(max(id), 0) FROM catalog_entry") ?? 0) + 1
        let insert = try database.cached(
            """
            INSERT INTO catalog_entry (source, service, port_low, port_high, protocol, description, assignee, contact,
                registration_date, modification_date, reference, service_code, unauthorized_use, notes, aliases)
            VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15)
            """)
        let insertAlias = try database.cached("INSERT OR IGNORE INTO catalog_alias (alias, entry_id) VALUES (?1, ?2)")
        var entries: [CatalogEntry] = []
        while case let batch = try next(), !batch.isEmpty {
            entries += batch
            for entry in batch {
                insert.reset()
                try insert.bind(1, source.rawValue)
                try insert.bind(2, entry.service)
                try insert.bind(3, entry.ports?.low)
                try insert.bind(4, entry.ports?.high)
                try insert.bind(5, entry.transport?.rawValue)
                try insert.bind(6, entry.description)
                try insert.bind(7, entry.assignee)
                try insert.bind(8, entry.contact)
                try insert.bind(9, entry.registrationDate)
                try insert.bind(10, entry.modificationDate)
                try insert.bind(11, entry.reference)
                try insert.bind(12, entry.serviceCode)
                try insert.bind(13, entry.unauthorizedUse)
                try insert.bind(14, entry.notes)
                try insert.bind(15, entry.aliases.isEmpty ? "" : entry.aliases.joined(separator: " "))
                try insert.execute()
                if !entry.aliases.isEmpty {
                    let id = database.lastInsertedRowID
                    for alias in entry.aliases { try insertAlias.run(alias, id) }
                }
            }
        }
        let sha256 = digest()
        var report = CatalogImportReport(
            source: source, rows: entries.count, added: 0, removed: 0, changed: 0, skipped: skipped,
            releaseDate: entries.lazy.map(\.modificationDate).max().flatMap { $0.isEmpty ? nil : $0 },
            sha256: sha256)
        if !before.isEmpty {
            report.changes = CatalogStore.changes(from: before, to: entries)
            report.added = report.changes.count { $0.kind == .added }
            report.removed = report.changes.count { $0.kind == .removed }
            report.changed = report.changes.count { $0.kind == .changed }
        } else {
            report.added = Set(entries.map(CatalogStore.key)).count
        }
        try recordSource.run(source.rawValue, origin, entries.count, report.releaseDate, sha256, importedAt.text)
        try SpanIndex.catalog(database).storedAll(fromID: firstID)
        try database.execute("INSERT INTO catalog_search (catalog_search) VALUES ('rebuild')")
        return report
    }

    /// The rows of one source in file order.
    package func rows(of source: CatalogSource) throws -> [CatalogEntry] {
        try database.cached("SELECT \(CatalogStore.columns) FROM catalog_entry e WHERE e.source = ?1 ORDER BY e.id")
            .rows([source.rawValue], CatalogStore.entry)
    }

    package func sources() throws -> [CatalogSourceInfo] {
        try database.cached(
            """
            SELECT name, origin, row_count, release_date, imported_at, sha256 FROM catalog_source
            ORDER BY CASE name WHEN 'iana' THEN 0 WHEN 'common' THEN 1 ELSE 2 END
            """
        ).rows { row in
            CatalogSourceInfo(
                source: CatalogSource(rawValue: row.text(0)) ?? .iana, origin: row.text(1), rows: row.int(2),
                releaseDate: row.optionalText(3), importedAt: row.text(4), sha256: row.optionalText(5))
        }
    }

    package static let order = """
        ORDER BY e.port_low IS NULL, e.port_low, e.port_high, e.protocol IS NULL, e.protocol,
            CASE e.source WHEN 'iana' THEN 0 WHEN 'common' THEN 1 ELSE 2 END, e.id
        """

    /// Rows whose port span overlaps `ports`, optionally for one protocol (a row without a
    /// protocol covers tcp and udp).
    package func entries(overlapping ports: PortRange, transport: TransportProtocol? = nil) throws -> [CatalogEntry] {
        try database.cached(
            """
            SELECT \(CatalogStore.columns)
            FROM \(CatalogStore.overlapping(where: "(?3 IS NULL OR protocol = ?3 OR (protocol IS NULL AND ?3 IN ('tcp', 'udp')))"))
            \(CatalogStore.order)
            """
        ).rows([ports.low, ports.high, transport?.rawValue], CatalogStore.entry)
    }

    /// Rows named `name` or with `name` as an alias, case-insensitively.
    package func entries(named name: String) throws -> [CatalogEntry] {
        try database.cached(
            """
            SELECT \(CatalogStore.columns) FROM catalog_entry e
            WHERE e.service = ?1 COLLATE NOCASE
               OR e.id IN (SELECT entry_id FROM catalog_alias WHERE alias = ?1)
            \(CatalogStore.order)
            """
        ).rows([name], CatalogStore.entry)
    }

    package func count() throws -> Int { try database.scalarInt("SELECT count(*) FROM catalog_entry") ?? 0 }

    /// Calls `body` with the ports of every named iana or common row that registers a port of
    /// `span` for `transport` (a row without a protocol covers tcp and udp): what `reserve`
    /// must skip.
    package func forEachRegistration(
        overlapping span: PortRange, transport: TransportProtocol, _ body: (PortRange) -> Void
    )
        throws
    {
        try database.cached(
            """
            SELECT e.port_low, e.port_high
            FROM \(CatalogStore.overlapping(where: "service IS NOT NULL AND source IN ('iana', 'common') AND (protocol = ?3 OR (protocol IS NULL AND ?3 IN ('tcp', 'udp')))"))
            """
        ).forEachRow([span.low, span.high, transport.rawValue]) { row in
            body(try PortRange.stored(row.int(0), row.int(1), row: "a catalog entry"))
        }
    }

    /// What `reserve` skips in `span` for `transport` (named iana and common rows), with the
    /// names: for the message that says why nothing was free.
    package func namedRegistrations(overlapping span: PortRange, transport: TransportProtocol) throws
        -> [(name: String, ports: PortRange)]
    {
        try database.cached(
            """
            SELECT e.service, e.port_low, e.port_high
            FROM \(CatalogStore.overlapping(where: "service IS NOT NULL AND source IN ('iana', 'common') AND (protocol = ?3 OR (protocol IS NULL AND ?3 IN ('tcp', 'udp')))"))
            """
        ).rows([span.low, span.high, transport.rawValue]) { row in
            (row.text(0), PortRange(uncheckedLow: row.int(1), high: row.int(2)))
        }
    }

    /// The distinct port spans that some source registers to a named service (any protocol)
    /// and that overlap `range`, in port order: the map's catalog density.
    package func registeredSpans(overlapping range: PortRange) throws -> [PortRange] {
        try database.cached(
            """
            SELECT DISTINCT port_low, port_high FROM catalog_entry
            WHERE service IS NOT NULL AND port_low IS NOT NULL AND port_low <= ?2 AND port_high >= ?1
            ORDER BY port_low, port_high
            """
        ).rows([range.low, range.high]) { PortRange(uncheckedLow: $0.int(0), high: $0.int(1)) }
    }

    /// Catalog service names and aliases starting with `prefix` (case-insensitively, ASCII),
    /// sorted, at most `limit`: shell completion.
    package func names(startingWith prefix: String, limit: Int) throws -> [String] {
        let pattern =
            prefix.replacing("\\", with: "\\\\").replacing("%", with: "\\%").replacing("_", with: "\\_") + "%"
        return try database.cached(
            """
            SELECT name FROM (
                SELECT service AS name FROM catalog_entry WHERE service LIKE ?1 ESCAPE '\\'
                UNION SELECT alias FROM catalog_alias WHERE alias LIKE ?1 ESCAPE '\\')
            ORDER BY name LIMIT ?2
            """
        ).rows([pattern, limit]) { $0.text(0) }
    }

    /// Full-text search (FTS5, bm25 over names, aliases, descriptions and notes; names weigh
    /// most, an exact name most of all): rows with their score, best (lowest) first.
    package func search(_ expression: String, exactName: String, limit: Int) throws -> [(
        score: Double, entry: CatalogEntry
    )] {
        try database.cached(
            """
            SELECT \(CatalogStore.columns), bm25(catalog_search, 10.0, 6.0, 1.0, 0.5)
                   - (CASE WHEN e.service = ?2 COLLATE NOCASE THEN 100 ELSE 0 END) AS score
            FROM catalog_search JOIN catalog_entry e ON e.id = catalog_search.rowid
            WHERE catalog_search MATCH ?1
            ORDER BY score, e.id LIMIT ?3
            """
        ).rows([expression, exactName, limit]) { row in
            (row.double(CatalogStore.columnCount), try CatalogStore.entry(row))
        }
    }

    /// Every service name and alias of the catalog (for "did you mean").
    package func names() throws -> [String] {
        try database.cached(
            """
            SELECT service FROM catalog_entry WHERE service IS NOT NULL
            UNION SELECT alias FROM catalog_alias
            """
        ).rows { $0.text(0) }
    }

    /// Rows out of step with the R*Tree of ranges (0 when in step).
    package func indexProblems() throws -> Int { try SpanIndex.catalog(database).problems() }

    /// Catalog rows written with the schema's checks bypassed, one line each (doctor).
    package func invalidRows() throws -> [String] {
        try database.prepare(
            """
            SELECT id, coalesce(service, ''), port_low, port_high FROM catalog_entry
            WHERE (port_low IS NULL) <> (port_high IS NULL)
               OR NOT (port_low BETWEEN 0 AND 65535 AND port_high BETWEEN 0 AND 65535 AND port_low <= port_high)
            ORDER BY id LIMIT 1000
            """
        ).rows {
            "catalog_entry \($0.int(0)) (\($0.text(1))): ports \($0.optionalInt(2).map(String.init) ?? "NULL")-\($0.optionalInt(3).map(String.init) ?? "NULL") out of range"
        }
    }

    // MARK: - Import differences

    /// Rows are compared per (service name, port, protocol), as IANA identifies them.
    package struct Key: Hashable {
        var service: String
        var low: Int32
        var high: Int32
        var transport: UInt8
    }

    package static func key(_ entry: CatalogEntry) -> Key {
        Key(
            service: entry.service.map(lowercasedIfNeeded) ?? "", low: Int32(entry.ports?.low ?? -1),
            high: Int32(entry.ports?.high ?? -1),
            transport: entry.transport.map { UInt8(TransportProtocol.allCases.firstIndex(of: $0)!) } ?? 255)
    }

    /// The keys only in `new` (added), only in `old` (removed), and in both with different
    /// rows (changed), sorted by port, protocol and name. Linear in the rows (plus the sort
    /// of the changes).
    package static func changes(from old: [CatalogEntry], to new: [CatalogEntry]) -> [CatalogChange] {
        var before: [Key: [Int]] = [:]
        before.reserveCapacity(old.count)
        for (index, entry) in old.enumerated() { before[key(entry), default: []].append(index) }
        // Only keys that existed before need their rows kept; the others are just listed.
        var seen = Set<Key>(minimumCapacity: new.count)
        var matching: [Key: [Int]] = [:]
        var changes: [(Key, CatalogEntry, CatalogChange.Kind)] = []
        for (index, entry) in new.enumerated() {
            let key = key(entry)
            if before[key] != nil {
                matching[key, default: []].append(index)
            } else if seen.insert(key).inserted {
                changes.append((key, entry, .added))
            }
        }
        for (key, rows) in matching {
            let previous = before[key]!
            let differs =
                rows.count != previous.count
                || (rows.count == 1
                    ? old[previous[0]] != new[rows[0]] : Set(previous.map { old[$0] }) != Set(rows.map { new[$0] }))
            if differs { changes.append((key, new[rows[0]], .changed)) }
        }
        for (key, rows) in before where matching[key] == nil { changes.append((key, old[rows[0]], .removed)) }
        changes.sort { a, b in
            (a.0.low, a.0.high, a.0.transport, a.0.service, a.2.rawValue)
                < (b.0.low, b.0.high, b.0.transport, b.0.service, b.2.rawValue)
        }
        return changes.map { key, entry, kind in
            CatalogChange(kind: kind, service: entry.service, ports: entry.ports, transport: entry.transport)
        }
    }
}
