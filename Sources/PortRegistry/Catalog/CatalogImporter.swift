import PortRegistryFormats
import PortRegistryModel

/// Turns catalog files into catalog rows and replaces a source with them, atomically.
package enum CatalogImporter {
    /// Reads an IANA-format CSV (the header first) and hands its rows over in batches;
    /// stops early when `emit` returns false.
    package static func readIANA(
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
    static func parseIANA(_ reader: inout CSVReader, source: CatalogSource) throws -> [CatalogEntry] {
        var entries: [CatalogEntry] = []
        try readIANA(&reader, source: source, batchSize: 4096) { batch in
            entries += batch
            return true
        }
        return entries
    }
}
