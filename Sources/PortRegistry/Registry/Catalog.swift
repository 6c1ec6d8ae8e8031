import PortRegistryAssignments
import PortRegistryCatalog
import PortRegistryConflicts
import PortRegistryExchange
import PortRegistryFormats
import PortRegistryMap
import PortRegistryModel
import PortRegistrySearch
import PortRegistrySystem

/// The catalog's use cases: importing IANA's CSV, a services(5) file or an export of a
/// source, and reading the sources and their rows (`portreg catalog`, `export --kind catalog`).
extension Registry {
    /// Imports an IANA-format CSV into `source`, replacing what it held, in one transaction,
    /// in the registry at `location` (opened for writing).
    ///
    /// The file is read and checked on a second thread while the registry is opened (or
    /// created) and rows are inserted as they arrive: on the real IANA file this overlaps
    /// about 20 ms of parsing with the database work. A bad line aborts with its file:line
    /// and leaves the catalog as it was.
    package static func importCatalog(
        _ reader: CSVReader, source: CatalogSource, origin: String, dryRun: Bool = false, at location: RegistryLocation
    ) throws -> CatalogImportReport {
        try importCatalog(reader, source: source, origin: origin, dryRun: dryRun) {
            try open(location, for: .writing)
        }
    }

    /// `importCatalog(…at:)` with the registry from `open`, called once the parsing thread
    /// runs (tests hand it a registry they hold).
    static func importCatalog(
        _ reader: CSVReader, source: CatalogSource, origin: String, dryRun: Bool = false,
        opening open: () throws -> Registry
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
    func replaceCatalog(
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

    /// The rows of one catalog source, in file order.
    package func catalogRows(of source: CatalogSource) throws -> [CatalogEntry] {
        try read { context in try context.catalog.rows(of: source) }
    }

    /// The catalog's sources as recorded at their last import (`portreg catalog`).
    package func catalogSources() throws -> [CatalogSourceInfo] {
        try read { context in try context.catalog.sources() }
    }

    /// Runs `replace` (a catalog import of `source`, inside the caller's write transaction)
    /// and adds to its report each live assignment whose ports the new rows register to
    /// another service and the old rows did not: what a team must hear about a new IANA
    /// release. Two catalog queries per assignment (before and after), through the R*Tree.
    func replacingCatalog(
        _ source: CatalogSource, in context: StorageContext, _ replace: () throws -> CatalogImportReport
    ) throws -> CatalogImportReport {
        var live: [Assignment] = []
        try context.assignments.forEach(AssignmentFilter(), now: context.now) { live.append($0) }
        func registrations(_ assignment: Assignment) throws -> [(port: Int, name: String)] {
            try context.catalog.entries(overlapping: assignment.ports, transport: assignment.transport).compactMap {
                entry in
                guard entry.source == source, let name = entry.service, let ports = entry.ports,
                    !CollisionRule.sameService(name, assignment.service)
                else { return nil }
                return (max(ports.low, assignment.ports.low), name)
            }
        }
        let before = try live.map { Set(try registrations($0).map { $0.name.lowercased() }) }
        var report = try replace()
        for (index, assignment) in live.enumerated() {
            let fresh = try registrations(assignment).filter { !before[index].contains($0.name.lowercased()) }
            guard let port = fresh.map(\.port).min() else { continue }
            var seen = Set<String>()
            let names = fresh.map(\.name).filter { seen.insert($0.lowercased()).inserted }
            report.newlyRegistered.append(NewlyRegistered(assignment: assignment, port: port, registeredTo: names))
        }
        return report
    }
}

/// What `portreg import FILE` reads, told from the file's head: the registry CSV header,
/// IANA's CSV header (into a catalog source), or services(5) lines.
package enum ImportFormat: Equatable, Sendable {
    case assignments
    case catalog(CatalogSource)
    case services

    /// The format of the file named `file` whose first bytes are `head`; `source` is
    /// `--source`. A file of no known format is a data error at its line 1 (65).
    package static func of(head: String, file: String, source: CatalogSource?) throws -> ImportFormat {
        var sniffer = CSVReader(text: head, name: file)
        // A services file is not CSV: its first line may not even parse as CSV.
        let header = (try? sniffer.next())??.fields ?? []
        if RegistryCSV.isRegistryHeader(header) { return .assignments }
        if IANAHeader.looksLikeIANA(header) {
            return .catalog(try catalogSource(header: header, sniffer: &sniffer, file: file, source: source))
        }
        if ServicesFile.looksLikeServicesFile(head) { return .services }
        throw RegistryError.data(
            file: file, line: 1,
            "not a known format: expected IANA's CSV header (Service Name,Port Number,Transport Protocol,…), the registry header (\(RegistryCSV.header.joined(separator: ","))) or /etc/services lines (name port/proto)"
        )
    }

    /// Where an IANA-format CSV goes: the source an export of portreg's names in its
    /// `Portreg Source` column (so exporting `system` and importing the file fills `system`
    /// again), else `--source`, else iana.
    private static func catalogSource(
        header: [String], sniffer: inout CSVReader, file: String, source: CatalogSource?
    ) throws -> CatalogSource {
        let record = (try? sniffer.next())??.fields ?? []
        guard let declared = IANAHeader.declaredSource(header: header, record: record) else {
            guard source != .system else {
                throw RegistryError(.usage, "--source system is for /etc/services files; use iana or common")
            }
            return source ?? .iana
        }
        guard let named = CatalogSource(rawValue: declared) else {
            throw RegistryError.data(
                file: file, line: 2,
                "the \(IANAHeader.sourceColumn) column says '\(declared)': expected iana, common or system")
        }
        if let source, source != named {
            throw RegistryError(
                .usage,
                "--source \(source.rawValue), but \(file) is an export of the \(named.rawValue) source; drop --source to import it there"
            )
        }
        return named
    }
}
