import Testing

@testable import PortRegistry
@testable import PortRegistryModel

/// The one migration algorithm of both backends, on a target that only records: which
/// migrations run, in what order, inside which transaction, and what is refused.
@Suite("schema migrations")
struct SchemaMigrationsTests {
    /// A database whose schema is a version number; `racer` migrates it "from another process"
    /// between the first version check and the transaction.
    final class RecordingTarget: SchemaMigrationTarget {
        var version: Int
        var applied: [String] = []
        var transactions = 0
        var inTransaction = false
        var racer: Int?
        var failing: String?

        init(version: Int) { self.version = version }

        var schemaDisplayName: String { "test.db" }

        func schemaVersion() throws -> Int { version }

        func inMigrationTransaction<T>(_ body: () throws -> T) throws -> T {
            if let racer {
                version = racer
                self.racer = nil
            }
            transactions += 1
            inTransaction = true
            defer { inTransaction = false }
            let saved = (version, applied)
            do { return try body() } catch {
                (version, applied) = saved  // rolled back
                throw error
            }
        }

        func apply(_ migration: SchemaMigration) throws {
            #expect(inTransaction, "\(migration.name) ran outside the transaction")
            if migration.name == failing { throw RegistryError(.io, "migration \(migration.name) failed") }
            applied.append(migration.name)
            version = migration.version
        }
    }

    static let files = [
        (name: "0002_second.sql", text: "two"), (name: "0001_first.sql", text: "one"),
        (name: "0003_third.sql", text: "three"), (name: "README.md", text: "not a migration"),
    ]

    @Test func filesAreOrderedByVersionAndNonMigrationsSkipped() {
        let migrations = SchemaMigrations(files: Self.files)
        #expect(migrations.migrations.map(\.name) == ["0001_first.sql", "0002_second.sql", "0003_third.sql"])
        #expect(migrations.migrations.map(\.sql) == ["one", "two", "three"])
        #expect(migrations.latestVersion == 3)
        #expect(SchemaMigrations(files: []).latestVersion == 0)
    }

    @Test func aNewDatabaseGetsEveryMigrationInOneTransactionThenItsSeed() throws {
        let target = RecordingTarget(version: 0)
        var seeded = 0
        let applied = try SchemaMigrations(files: Self.files).migrate(target) {
            #expect(target.inTransaction, "the seed is written in the migrations' transaction")
            seeded += 1
        }
        #expect(applied == 3)
        #expect(target.applied == ["0001_first.sql", "0002_second.sql", "0003_third.sql"])
        #expect(target.transactions == 1)
        #expect(seeded == 1)
    }

    @Test func anOlderDatabaseGetsOnlyWhatIsMissingAndNoSeed() throws {
        let target = RecordingTarget(version: 1)
        var seeded = false
        #expect(try SchemaMigrations(files: Self.files).migrate(target) { seeded = true } == 2)
        #expect(target.applied == ["0002_second.sql", "0003_third.sql"])
        #expect(!seeded)
    }

    @Test func aCurrentDatabaseOpensNoTransaction() throws {
        let target = RecordingTarget(version: 3)
        #expect(try SchemaMigrations(files: Self.files).migrate(target) == 0)
        #expect(target.transactions == 0)
    }

    /// Another process migrated between the first check and the lock: the version read again
    /// under the lock decides, so nothing runs twice and the seed is not loaded again.
    @Test func theVersionIsReadAgainUnderTheLock() throws {
        let target = RecordingTarget(version: 0)
        target.racer = 2
        var seeded = false
        #expect(try SchemaMigrations(files: Self.files).migrate(target) { seeded = true } == 1)
        #expect(target.applied == ["0003_third.sql"])
        #expect(!seeded)
    }

    @Test func aNewerDatabaseIsRefusedBeforeAnythingIsWritten() {
        let target = RecordingTarget(version: 4)
        let error = expectRegistryError(.cannotCreate) { try SchemaMigrations(files: Self.files).migrate(target) }
        #expect(
            error?.message
                == "test.db: schema version 4 is newer than this portreg supports (3); upgrade portreg. The database was not changed."
        )
        #expect(target.transactions == 0)
    }

    @Test func aFailedMigrationLeavesTheDatabaseAsItWas() {
        let target = RecordingTarget(version: 1)
        target.failing = "0003_third.sql"
        _ = expectRegistryError(.io) { try SchemaMigrations(files: Self.files).migrate(target) }
        #expect(target.version == 1)
        #expect(target.applied.isEmpty)
    }
}
