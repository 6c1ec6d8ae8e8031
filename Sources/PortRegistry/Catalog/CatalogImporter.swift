/// Turns catalog files into catalog rows and replaces a source with them, atomically.
public enum CatalogImporter {
    /// Reads an IANA-format CSV (the header first) and hands its rows over in batches;
    /// stops early when `emit` returns false.
    public static func readIANA(
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
    static func load(into database: Database, at now: Timestamp) throws {
        let store = CatalogStore(database: database)
        for seed in try entries() {
            _ = try store.replace(
                source: seed.source, with: seed.entries, origin: "built-in", sha256: seed.sha256, importedAt: now)
        }
    }
}
