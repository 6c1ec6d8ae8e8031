import PortRegistryFormats
import PortRegistryModel
import PortRegistryStorage

/// The catalog compiled into the binary from `Seeds/`: loaded into every new database so that
/// `portreg lookup 5432` works with no set-up.
package enum SeedCatalog {
    /// Seed files and the source each one fills.
    package static let files: [(name: String, source: CatalogSource)] = [
        ("iana-core.csv", .iana), ("common.csv", .common),
    ]

    package static func entries() throws -> [(source: CatalogSource, entries: [CatalogEntry], sha256: String)] {
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
    package static func load(into database: Database, at now: Timestamp) throws {
        let store = CatalogStore(database: database)
        for seed in try entries() {
            _ = try store.replace(
                source: seed.source, with: seed.entries, origin: "built-in", sha256: seed.sha256, importedAt: now)
        }
    }
}
