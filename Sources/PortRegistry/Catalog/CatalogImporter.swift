/// Turns catalog files into catalog rows and replaces a source with them, atomically.
public enum CatalogImporter {
    /// Reads an IANA-format CSV (the header first) and hands its rows over in batches;
    /// stops early when `emit` returns false.
    static func readIANA(
        _ reader: inout CSVReader, source: CatalogSource, batchSize: Int = 1024, emit: ([CatalogEntry]) -> Bool
    ) throws {
        guard let headerRecord = try reader.next() else {
            throw RegistryError.data(file: reader.name, line: 1, "empty file: expected IANA's CSV header")
        }
        let header = try IANAHeader(headerRecord, file: reader.name)
        var batch: [CatalogEntry] = []
        batch.reserveCapacity(batchSize)
        while let record = try reader.next() {
            if record.fields.count == 1 && record.fields[0].isEmpty { continue }  // blank line
            batch.append(try header.entry(record, source: source, file: reader.name))
            if batch.count == batchSize {
                guard emit(batch) else { return }
                batch.removeAll(keepingCapacity: true)
            }
        }
        if !batch.isEmpty { _ = emit(batch) }
    }

    /// Reads every row of an IANA-format CSV.
    public static func parseIANA(_ reader: inout CSVReader, source: CatalogSource) throws -> [CatalogEntry] {
        var entries: [CatalogEntry] = []
        try readIANA(&reader, source: source, batchSize: 4096) { batch in
            entries += batch
            return true
        }
        return entries
    }

    /// Imports an IANA-format CSV into `source`, replacing what it held, in one transaction.
    ///
    /// The file is read and checked on a second thread while `open` opens (or creates) the
    /// registry and rows are inserted as they arrive: on the real IANA file this overlaps
    /// about 20 ms of parsing with the database work. A bad line aborts with its file:line
    /// and leaves the catalog as it was.
    public static func importIANA(
        _ reader: CSVReader, source: CatalogSource, origin: String, dryRun: Bool = false, open: () throws -> Registry
    ) throws -> CatalogImportReport {
        let input = Handoff(value: reader)
        let pipeline = BatchPipeline<CatalogEntry> { emit in
            var reader = input.value
            try readIANA(&reader, source: source, emit: emit)
        }
        pipeline.start()
        do {
            let registry = try open()
            var report: CatalogImportReport?
            do {
                try registry.write {
                    report = try CatalogStore(database: registry.database).replace(
                        source: source, origin: origin, next: { try pipeline.next() },
                        digest: {
                            pipeline.join()
                            return input.value.sha256
                        })
                    if dryRun { throw DryRun() }
                }
            } catch is DryRun {}
            return report!
        } catch {
            pipeline.cancel()
            throw error
        }
    }

    /// Replaces `source` with `entries` in one transaction and reports the difference;
    /// with `dryRun` the transaction is rolled back after the report is made.
    public static func replace(
        source: CatalogSource, with entries: [CatalogEntry], origin: String, sha256: String?, skipped: Int = 0,
        in registry: Registry, dryRun: Bool = false
    ) throws -> CatalogImportReport {
        var report: CatalogImportReport?
        do {
            try registry.write {
                report = try CatalogStore(database: registry.database).replace(
                    source: source, with: entries, origin: origin, sha256: sha256, skipped: skipped)
                if dryRun { throw DryRun() }
            }
        } catch is DryRun {}
        return report!
    }

    private struct DryRun: Error {}
}

/// The catalog compiled into the binary from `Seeds/`: loaded into every new database so that
/// `portreg lookup 5432` works with no set-up.
public enum SeedCatalog {
    /// Seed files and the source each one fills.
    static let files: [(name: String, source: CatalogSource)] = [("iana-core.csv", .iana), ("common.csv", .common)]

    public static func entries() throws -> [(source: CatalogSource, entries: [CatalogEntry], sha256: String)] {
        try files.map { file in
            guard let text = EmbeddedFiles.seeds.first(where: { $0.name == file.name })?.text else {
                throw RegistryError(.io, "built-in seed \(file.name) is missing from this binary")
            }
            var reader = CSVReader(text: text, name: "Seeds/\(file.name)")
            let entries = try CatalogImporter.parseIANA(&reader, source: file.source)
            return (file.source, entries, reader.sha256)
        }
    }

    /// Loads the seeds; call inside the transaction that creates the database.
    static func load(into database: Database) throws {
        let store = CatalogStore(database: database)
        for seed in try entries() {
            _ = try store.replace(source: seed.source, with: seed.entries, origin: "built-in", sha256: seed.sha256)
        }
    }
}
