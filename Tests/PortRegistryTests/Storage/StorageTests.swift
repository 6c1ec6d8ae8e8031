import Testing
@testable import PortRegistry
@testable import PortRegistryAssignments
@testable import PortRegistryCatalog
@testable import PortRegistryFormats
@testable import PortRegistryModel
@testable import PortRegistryStorage

@testable import PortRegistry
import PortregTestSupport

import Glibc

/// Where a test database lives. Storage tests run the same body on both.
enum Backing: String, CaseIterable, Sendable, CustomTestStringConvertible {
    case memory, disk
    var testDescription: String { rawValue }
}

/// Runs `body` with a database path for `backing`: `:memory:`, or a file in a temporary
/// folder that is removed (with -wal and -shm) after `body` has released the database.
func withDatabasePath<T>(_ backing: Backing, _ body: (String) throws -> T) throws -> T {
    guard backing == .disk else { return try body(":memory:") }
    let directory = try TemporaryDirectory()
    return try withExtendedLifetime(directory) { try body(directory.path + "/registry.db") }
}

/// Expects `body` to throw a `RegistryError` of `kind`, and returns it.
@discardableResult
func expectRegistryError(
    _ kind: RegistryError.Kind, sourceLocation: Testing.SourceLocation = #_sourceLocation, _ body: () throws -> Void
) -> RegistryError? {
    do {
        try body()
        Issue.record("expected RegistryError .\(kind), but nothing was thrown", sourceLocation: sourceLocation)
    } catch let error as RegistryError {
        #expect(error.kind == kind, "\(error)", sourceLocation: sourceLocation)
        return error
    } catch {
        Issue.record(
            "expected RegistryError .\(kind), got \(type(of: error)): \(error)", sourceLocation: sourceLocation)
    }
    return nil
}

/// Expects `body` to throw a `DatabaseError`, and returns it.
@discardableResult
func expectDatabaseError(sourceLocation: Testing.SourceLocation = #_sourceLocation, _ body: () throws -> Void)
    -> DatabaseError?
{
    do {
        try body()
        Issue.record("expected a DatabaseError, but nothing was thrown", sourceLocation: sourceLocation)
    } catch let error as DatabaseError {
        return error
    } catch {
        Issue.record("expected a DatabaseError, got \(type(of: error)): \(error)", sourceLocation: sourceLocation)
    }
    return nil
}

// SQLite result codes (sqlite3.h), spelled out so the tests do not import the C module.
enum SQLiteCode {
    static let error: Int32 = 1
    static let constraint: Int32 = 19
    static let range: Int32 = 25
    static let constraintCheck: Int32 = 19 | (1 << 8)
    static let constraintNotNull: Int32 = 19 | (5 << 8)
    static let constraintUnique: Int32 = 19 | (8 << 8)
    static let constraintForeignKey: Int32 = 19 | (3 << 8)
    static let constraintDataType: Int32 = 19 | (12 << 8)
}

private struct Deliberate: Error, Equatable {}

/// `7` as `0007`, the way migration files are numbered.
private func migrationNumber(_ number: Int) -> String {
    let digits = "\(number)"
    return String(repeating: "0", count: max(0, 4 - digits.count)) + digits
}

/// The schema as SQLite stores it, to compare before and after.
private func schema(_ database: Database) throws -> [String] {
    try database.prepare("SELECT type || ' ' || name || ': ' || coalesce(sql, '') FROM sqlite_master ORDER BY name")
        .rows { $0.text(0) }
}

private func count(_ database: Database, _ table: String) throws -> Int {
    try database.scalarInt("SELECT count(*) FROM \(table)") ?? -1
}

@Suite struct StorageTests {
    @Test(arguments: Backing.allCases)
    func opensAndMigratesToTheLatestVersion(_ backing: Backing) throws {
        try withDatabasePath(backing) { path in
            let registry = try Registry.open(path: path)
            let latest = Migrator.embedded.latestVersion
            #expect(latest == Migrator.embedded.migrations.count)
            #expect(latest >= 2)
            #expect(try registry.database.scalarInt("PRAGMA user_version") == latest)
            #expect(registry.schemaVersion == latest)
            let tables = try registry.database.prepare("SELECT name FROM sqlite_master WHERE type = 'table'").rows {
                $0.text(0)
            }
            for table in [
                "assignment", "catalog_entry", "catalog_source", "catalog_alias", "assignment_span", "catalog_span",
                "catalog_search",
            ] {
                #expect(tables.contains(table), "missing table \(table)")
            }
            #expect(try registry.database.scalarInt("PRAGMA foreign_keys") == 1)
            if backing == .disk {
                // A rollback journal: a reader of it writes nothing (DECISIONS, "A start-up that writes nothing").
                #expect(try registry.database.scalarText("PRAGMA journal_mode") == "delete")
                #expect(FileSystem.exists(path))
            }
        }
    }

    @Test(arguments: Backing.allCases)
    func migratingTwiceIsANoOp(_ backing: Backing) throws {
        try withDatabasePath(backing) { path in
            let registry = try Registry.open(path: path)
            let database = registry.database
            // Change the seeded catalog, so that a second seeding would show.
            try registry.write {
                _ = try CatalogStore(database: database).replace(source: .common, with: [], origin: "test", sha256: nil)
            }
            let schemaBefore = try schema(database)
            let catalogBefore = try count(database, "catalog_entry")
            #expect(try Migrator.embedded.migrate(database) == 0)
            #expect(try Migrator.embedded.migrate(database) == 0)
            #expect(try schema(database) == schemaBefore)
            #expect(try count(database, "catalog_entry") == catalogBefore)
            #expect(registry.schemaVersion == Migrator.embedded.latestVersion)
        }
    }

    @Test func reopeningAnExistingDatabaseNeitherMigratesNorReseeds() throws {
        try withDatabasePath(.disk) { path in
            do {
                let registry = try Registry.open(path: path)
                try registry.write {
                    _ = try CatalogStore(database: registry.database).replace(
                        source: .common, with: [], origin: "test", sha256: nil)
                }
            }
            let registry = try Registry.open(path: path)
            #expect(registry.schemaVersion == Migrator.embedded.latestVersion)
            #expect(try CatalogStore(database: registry.database).rows(of: .common).isEmpty)
            #expect(
                try CatalogStore(database: registry.database).sources().first { $0.source == .common }?.origin == "test"
            )
        }
    }

    @Test(arguments: Backing.allCases)
    func anOlderDatabaseGetsOnlyTheMissingMigrations(_ backing: Backing) throws {
        let first = Migrator(
            files: Array(PortRegistryStorage.EmbeddedFiles.migrations.sorted { $0.name < $1.name }.prefix(1)))
        try #require(first.latestVersion == 1 && Migrator.embedded.latestVersion > 1)
        try withDatabasePath(backing) { path in
            let database = try Database(path: path)
            _ = try Registry(database: database, migrator: first)
            #expect(try database.scalarInt("PRAGMA user_version") == 1)
            try database.execute("UPDATE catalog_entry SET description = 'kept' WHERE service = 'postgresql'")
            let catalogRows = try count(database, "catalog_entry")
            let registry = try Registry(database: database, migrator: .embedded)
            #expect(registry.schemaVersion == Migrator.embedded.latestVersion)
            #expect(try count(database, "catalog_entry") == catalogRows, "an upgrade does not reseed")
            #expect(try database.scalarInt("SELECT count(*) FROM catalog_entry WHERE description = 'kept'") == 2)
            #expect(try count(database, "assignment") == 0)
        }
    }

    @Test(arguments: Backing.allCases)
    func aFailingMigrationLeavesTheDatabaseAsItWas(_ backing: Backing) throws {
        let broken = Migrator(
            files: PortRegistryStorage.EmbeddedFiles.migrations + [
                (
                    name: migrationNumber(Migrator.embedded.latestVersion + 1) + "_broken.sql",
                    text: "CREATE TABLE half_done (x INTEGER); SELEC broken;"
                )
            ])
        try withDatabasePath(backing) { path in
            let database = try Database(path: path)
            _ = try Registry(database: database, migrator: .embedded)
            let before = try schema(database)
            let error = expectRegistryError(.io) { _ = try Registry(database: database, migrator: broken) }
            #expect(error?.message.contains("_broken.sql") == true, "\(String(describing: error))")
            #expect(try database.scalarInt("PRAGMA user_version") == Migrator.embedded.latestVersion)
            #expect(try schema(database) == before)
        }
    }

    @Test func aNewDatabaseWhoseFirstMigrationFailsStaysEmpty() throws {
        let broken = Migrator(files: [
            (name: "0001_broken.sql", text: "CREATE TABLE half_done (x INTEGER); SELEC broken;")
        ])
        let database = try Database.inMemory()
        expectRegistryError(.io) { _ = try Registry(database: database, migrator: broken) }
        #expect(try database.scalarInt("PRAGMA user_version") == 0)
        #expect(try schema(database).isEmpty)
    }

    @Test func anEmptyFileIsANewDatabase() throws {
        try withDatabasePath(.disk) { path in
            try FileSystem.write([], to: path)
            let registry = try Registry.open(path: path)
            #expect(registry.schemaVersion == Migrator.embedded.latestVersion)
            #expect(try CatalogStore(database: registry.database).sources().count == 2)
        }
    }

    @Test func aDirectoryIsNotADatabase() throws {
        let directory = try TemporaryDirectory()
        expectRegistryError(.cannotCreate) { _ = try Registry.open(path: directory.path) }
        #expect(try FileSystem.entries(of: directory.path).isEmpty)
    }

    @Test func theDatabaseLocationFollowsThePrecedence() {
        let all = ["PORTREG_DB": "/env/registry.db", "XDG_DATA_HOME": "/xdg", "HOME": "/home/me"]
        #expect(DatabaseLocation.resolve(explicit: "/flag.db", environment: all) == "/flag.db")
        #expect(DatabaseLocation.resolve(explicit: nil, environment: all) == "/env/registry.db")
        #expect(DatabaseLocation.resolve(explicit: "", environment: all) == "/env/registry.db")
        #expect(
            DatabaseLocation.resolve(explicit: nil, environment: ["XDG_DATA_HOME": "/xdg", "HOME": "/home/me"])
                == "/xdg/portreg/registry.db")
        #expect(
            DatabaseLocation.resolve(
                explicit: nil, environment: ["PORTREG_DB": "", "XDG_DATA_HOME": "relative", "HOME": "/home/me"])
                == "/home/me/.local/share/portreg/registry.db")
    }

    @Test(arguments: Backing.allCases)
    func statementsBindValues(_ backing: Backing) throws {
        try withDatabasePath(backing) { path in
            let database = try Registry.open(path: path).database
            try database.execute("CREATE TABLE scratch (id INTEGER PRIMARY KEY, label TEXT, number INTEGER, maybe)")
            let insert = try database.prepare("INSERT INTO scratch (label, number, maybe) VALUES (?1, ?2, ?3)")
            let hostile = "it's \"quoted\"; DROP TABLE scratch; -- ?1 %s \\"
            let unicode = "Zürich — 東京 🚀 e\u{301} \u{202E}rtl"
            let absent: String? = nil
            try insert.run(hostile, Int.max, absent)
            try insert.run(unicode, Int.min, "present")
            try insert.run("", 0, true)
            let rows = try database.prepare("SELECT label, number, maybe FROM scratch ORDER BY id").rows {
                ($0.text(0), $0.int(1), $0.optionalText(2), $0.value(2))
            }
            try #require(rows.count == 3)
            #expect(rows[0].0 == hostile)
            #expect(rows[0].1 == Int.max)
            #expect(rows[0].2 == nil)
            #expect(rows[0].3 == .null)
            #expect(rows[1].0 == unicode)
            #expect(rows[1].1 == Int.min)
            #expect(rows[1].2 == "present")
            #expect(rows[2].0 == "")
            #expect(rows[2].3 == .integer(1))
            #expect(try count(database, "scratch") == 3)
            // A bound value is a value, never SQL.
            #expect(
                try database.scalarText("SELECT ?1 || ?2", "a'); DROP TABLE scratch; --", "b")
                    == "a'); DROP TABLE scratch; --b")
            #expect(try database.scalarInt("SELECT count(*) FROM scratch WHERE label = ?1", hostile) == 1)
            #expect(try database.scalarInt("SELECT count(*) FROM scratch WHERE label = ?1", unicode) == 1)
            #expect(try database.scalarInt("SELECT count(*) FROM scratch WHERE maybe IS ?1", absent) == 1)
        }
    }

    @Test(arguments: Backing.allCases)
    func reusedStatementsStartFromClearedBindings(_ backing: Backing) throws {
        try withDatabasePath(backing) { path in
            let database = try Registry.open(path: path).database
            let statement = try database.prepare("SELECT ?1, ?2")
            #expect(try statement.rows(["x", "y"]) { [$0.value(0), $0.value(1)] } == [[.text("x"), .text("y")]])
            // Too few values is an error, not a silent NULL for the rest.
            let tooFew = expectDatabaseError { _ = try statement.rows(["z"]) { [$0.value(0), $0.value(1)] } }
            #expect(tooFew?.resultCode == .range)
            #expect(tooFew?.message.contains("1 value for 2 parameters") == true, "\(String(describing: tooFew))")
            #expect(try statement.rows(["z", SQLValue.null]) { [$0.value(0), $0.value(1)] } == [[.text("z"), .null]])
            // A cached statement is the same object, and works again after an error.
            #expect(try database.cached("SELECT ?1") === database.cached("SELECT ?1"))
            let error = expectDatabaseError { _ = try statement.rows(["a", "b", "c"]) { $0.text(0) } }
            #expect(error?.code == SQLiteCode.range)
            #expect(try statement.rows(["p", "q"]) { $0.text(1) } == ["q"])
        }
    }

    @Test(arguments: Backing.allCases)
    func aThrownErrorRollsTheTransactionBack(_ backing: Backing) throws {
        try withDatabasePath(backing) { path in
            let registry = try Registry.open(path: path)
            let database = registry.database
            let store = AssignmentStore(database: database)
            _ = try registry.write { try store.insert(Assignment(service: "kept", ports: PortRange(port: 20001)!)) }
            let before = try RegistryExport.text(registry)

            #expect(throws: Deliberate.self) {
                try database.transaction {
                    try store.insert(Assignment(service: "lost", ports: PortRange(port: 20002)!))
                    _ = try store.remove(service: "kept")
                    throw Deliberate()
                }
            }
            #expect(try RegistryExport.text(registry) == before)

            #expect(throws: Deliberate.self) {
                try registry.write {
                    try store.insert(Assignment(service: "lost", ports: PortRange(low: 20010, high: 20019)!))
                    throw Deliberate()
                }
            }
            #expect(try RegistryExport.text(registry) == before)
            #expect(try count(database, "assignment_span") == 0)

            // A failure from SQLite itself, after a successful write, undoes that write too.
            let error = expectDatabaseError {
                try database.transaction {
                    try store.insert(Assignment(service: "lost", ports: PortRange(port: 20003)!))
                    try database.prepare(
                        "INSERT INTO assignment (service, port_low, port_high, created_at) VALUES ('bad', 70000, 70000, '2026-01-01T00:00:00Z')"
                    ).run()
                }
            }
            #expect(error?.isConstraintViolation == true)
            #expect(try RegistryExport.text(registry) == before)

            // The connection is usable afterwards: no transaction was left open.
            _ = try registry.write { try store.insert(Assignment(service: "later", ports: PortRange(port: 20004)!)) }
            #expect(try count(database, "assignment") == 2)
        }
    }

    @Test(arguments: Backing.allCases)
    func databaseErrorsCarryCodeMessageAndSQL(_ backing: Backing) throws {
        try withDatabasePath(backing) { path in
            let database = try Registry.open(path: path).database
            let syntax = expectDatabaseError { _ = try database.prepare("SELEC 1") }
            #expect(syntax?.code == SQLiteCode.error)
            #expect(syntax?.message.contains("syntax error") == true, "\(String(describing: syntax))")
            #expect(syntax?.sql == "SELEC 1")
            #expect(syntax?.description.contains("SQLite error 1: ") == true)
            #expect(syntax?.description.hasSuffix("while executing `SELEC 1`") == true)
            #expect(syntax?.isConstraintViolation == false)
            #expect(syntax?.isBusy == false)

            let missing = expectDatabaseError { try database.execute("SELECT * FROM no_such_table") }
            #expect(missing?.code == SQLiteCode.error)
            #expect(missing?.message.contains("no_such_table") == true)
            #expect(missing?.sql == "SELECT * FROM no_such_table")

            let insert = """
                INSERT INTO assignment (service, port_low, port_high, protocol, host, bind, created_at)
                VALUES ('web', 8080, 8080, 'tcp', '*', '*', '2026-01-01T00:00:00Z')
                """
            try database.prepare(insert).run()
            let unique = expectDatabaseError { try database.prepare(insert).run() }
            #expect(unique?.code == SQLiteCode.constraintUnique)
            #expect(unique?.isConstraintViolation == true)
            #expect(unique?.message.contains("UNIQUE constraint failed") == true, "\(String(describing: unique))")
            #expect(unique?.sql == insert)
        }
    }

    /// One value out of bounds in an otherwise valid row: the schema must refuse it by itself.
    struct SchemaViolation: Sendable, CustomTestStringConvertible {
        var testDescription: String
        var sql: String
        var values: [SQLValue]
        var code: Int32 = SQLiteCode.constraintCheck

        static let assignmentInsert = """
            INSERT INTO assignment (service, port_low, port_high, protocol, host, bind, created_at, expires_at)
            VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)
            """
        static let validAssignment: [SQLValue] = [
            .text("web"), .integer(8080), .integer(8080), .text("tcp"), .text("*"), .text("*"),
            .text("2026-01-01T00:00:00Z"), .null,
        ]
        static func assignment(
            _ name: String, _ index: Int, _ value: SQLValue, code: Int32 = SQLiteCode.constraintCheck
        ) -> SchemaViolation {
            var values = validAssignment
            values[index] = value
            return SchemaViolation(
                testDescription: "assignment: \(name)", sql: assignmentInsert, values: values, code: code)
        }

        static let catalogInsert =
            "INSERT INTO catalog_entry (source, service, port_low, port_high, protocol) VALUES (?1, ?2, ?3, ?4, ?5)"
        static let validCatalog: [SQLValue] = [
            .text("iana"), .text("svc"), .integer(6000), .integer(6063), .text("tcp"),
        ]
        static func catalog(_ name: String, _ index: Int, _ value: SQLValue, code: Int32 = SQLiteCode.constraintCheck)
            -> SchemaViolation
        {
            var values = validCatalog
            values[index] = value
            return SchemaViolation(
                testDescription: "catalog_entry: \(name)", sql: catalogInsert, values: values, code: code)
        }

        static let all: [SchemaViolation] = [
            assignment("port 70000", 1, .integer(70000)),
            assignment("port_high 70000", 2, .integer(70000)),
            assignment("port 0", 1, .integer(0)),
            assignment("negative port", 1, .integer(-1)),
            assignment("port_low > port_high", 1, .integer(9010)),
            assignment("protocol 'xyz'", 3, .text("xyz")),
            assignment("protocol 'TCP'", 3, .text("TCP")),
            assignment("empty service", 0, .text("")),
            assignment("64-character service", 0, .text(String(repeating: "a", count: 64))),
            assignment("empty host", 4, .text("")),
            assignment("empty bind", 5, .text("")),
            assignment("created_at not RFC 3339", 6, .text("yesterday")),
            assignment("expires_at not RFC 3339", 7, .text("2026-01-01 00:00:00")),
            assignment("port as text (STRICT)", 1, .text("eighty"), code: SQLiteCode.constraintDataType),
            assignment("NULL service", 0, .null, code: SQLiteCode.constraintNotNull),
            catalog("port_low > port_high", 2, .integer(6064)),
            catalog("port 65536", 3, .integer(65536)),
            catalog("protocol 'xyz'", 4, .text("xyz")),
            catalog("port_low without port_high", 3, .null),
            catalog("empty service", 1, .text("")),
            catalog("unknown source", 0, .text("npm"), code: SQLiteCode.constraintForeignKey),
            SchemaViolation(
                testDescription: "catalog_source: unknown name",
                sql: "INSERT INTO catalog_source (name, origin, row_count, imported_at) VALUES ('npm', 'x', 0, 'now')",
                values: []),
            SchemaViolation(
                testDescription: "catalog_source: short sha256",
                sql: "UPDATE catalog_source SET sha256 = 'abc' WHERE name = 'iana'",
                values: []),
        ]
    }

    @Test(arguments: Backing.allCases)
    func theValidBaselineRowsAreAccepted(_ backing: Backing) throws {
        // So that each refusal below is the doing of its one changed value.
        try withDatabasePath(backing) { path in
            let database = try Registry.open(path: path).database
            let assignment = try database.prepare(SchemaViolation.assignmentInsert)
            try assignment.bind(SchemaViolation.validAssignment)
            while try assignment.step() {}
            let catalog = try database.prepare(SchemaViolation.catalogInsert)
            try catalog.bind(SchemaViolation.validCatalog)
            while try catalog.step() {}
            #expect(try count(database, "assignment") == 1)
        }
    }

    @Test(arguments: Backing.allCases, SchemaViolation.all)
    func theSchemaRefusesInvalidRows(_ backing: Backing, _ violation: SchemaViolation) throws {
        try withDatabasePath(backing) { path in
            let database = try Registry.open(path: path).database
            func snapshot() throws -> [String] {
                try schema(database) + [
                    String(try count(database, "assignment")), String(try count(database, "catalog_entry")),
                ]
                    + database.prepare("SELECT name || coalesce(sha256, '') FROM catalog_source ORDER BY name").rows {
                        $0.text(0)
                    }
            }
            let before = try snapshot()
            let statement = try database.prepare(violation.sql)
            let error = expectDatabaseError {
                try statement.bind(violation.values)
                while try statement.step() {}
            }
            #expect(error?.isConstraintViolation == true, "\(String(describing: error))")
            #expect(error?.code == violation.code, "\(String(describing: error))")
            #expect(error?.sql == violation.sql)
            #expect(try snapshot() == before)
        }
    }

    @Test(arguments: Backing.allCases)
    func aDatabaseNewerThanTheBinaryIsRefusedUntouched(_ backing: Backing) throws {
        let newer = Migrator.embedded.latestVersion + 1
        try withDatabasePath(backing) { path in
            switch backing {
            case .disk:
                do {
                    let database = try Database(path: path)
                    try database.execute(
                        "CREATE TABLE future (x INTEGER); INSERT INTO future VALUES (42); PRAGMA user_version = \(newer);"
                    )
                }
                let before = try FileSystem.bytes(path)
                let error = expectRegistryError(.cannotCreate) { _ = try Registry.open(path: path) }
                #expect(error?.message.contains("newer") == true, "\(String(describing: error))")
                #expect(error?.message.contains(path) == true, "\(String(describing: error))")
                #expect(try FileSystem.bytes(path) == before)
                #expect(!FileSystem.exists(path + "-wal"))
                #expect(!FileSystem.exists(path + "-shm"))
            case .memory:
                let database = try Database.inMemory()
                try database.execute("CREATE TABLE future (x INTEGER); PRAGMA user_version = \(newer);")
                let before = try schema(database)
                expectRegistryError(.cannotCreate) { _ = try Registry(database: database, migrator: .embedded) }
                #expect(try database.scalarInt("PRAGMA user_version") == newer)
                #expect(try schema(database) == before)
            }
        }
    }

    @Test(arguments: [
        Array("this is a text file, not a registry\n".utf8),
        Array(repeating: Array("id,name,port\n1,web,8080\n".utf8), count: 400).flatMap { $0 },
        Array("SQLite format 3\u{0}".utf8) + [UInt8](repeating: 0xFF, count: 4096 - 16),
    ])
    func aFileThatIsNotADatabaseIsRefusedUntouched(_ bytes: [UInt8]) throws {
        try withDatabasePath(.disk) { path in
            try FileSystem.write(bytes, to: path)
            let error = expectRegistryError(.cannotCreate) { _ = try Registry.open(path: path) }
            #expect(error?.message.hasPrefix(path) == true, "\(String(describing: error))")
            #expect(try FileSystem.bytes(path) == bytes)
        }
    }

    @Test func openCreatesMissingParentFolders() throws {
        let directory = try TemporaryDirectory()
        let path = directory.path + "/a/b/c/registry.db"
        do {
            let registry = try Registry.open(path: path)
            #expect(registry.path == path)
            #expect(registry.schemaVersion == Migrator.embedded.latestVersion)
        }
        #expect(FileSystem.isDirectory(directory.path + "/a/b/c"))
        #expect(FileSystem.exists(path))
    }

    @Test func aParentThatIsAFileIsCannotCreate() throws {
        let directory = try TemporaryDirectory()
        try FileSystem.write(Array("x".utf8), to: directory.path + "/file")
        expectRegistryError(.cannotCreate) { _ = try Registry.open(path: directory.path + "/file/registry.db") }
        expectRegistryError(.cannotCreate) { _ = try Registry.open(path: directory.path + "/file/sub/registry.db") }
        #expect(try FileSystem.bytes(directory.path + "/file") == Array("x".utf8))
    }

    @Test(arguments: Backing.allCases)
    func theSeedCatalogIsLoadedOnFirstOpen(_ backing: Backing) throws {
        try withDatabasePath(backing) { path in
            let registry = try Registry.open(path: path)
            let store = CatalogStore(database: registry.database)
            let sources = try store.sources()
            #expect(sources.map(\.source) == [.iana, .common])
            let seeds = try SeedCatalog.entries()
            for seed in seeds {
                let info = try #require(sources.first { $0.source == seed.source })
                #expect(info.origin == "built-in")
                #expect(info.rows == seed.entries.count)
                #expect(info.rows > 100)
                #expect(info.sha256 == seed.sha256)
                #expect(info.releaseDate == "2026-11-27")
                #expect(try store.rows(of: seed.source) == seed.entries)
            }
            #expect(
                try store.entries(named: "postgresql").contains {
                    $0.ports == PortRange(port: 5432) && $0.source == .iana
                })
            #expect(
                try store.entries(named: "vite").contains { $0.ports == PortRange(port: 5173) && $0.source == .common })
            #expect(try AssignmentStore(database: registry.database).count() == 0)
        }
    }

    @Test func theSeedHashesAreThoseOfTheEmbeddedFiles() throws {
        for seed in try SeedCatalog.entries() {
            let name = try #require(SeedCatalog.files.first { $0.source == seed.source }?.name)
            let text = try #require(PortRegistryCatalog.EmbeddedFiles.seeds.first { $0.name == name }?.text)
            var hash = SHA256()
            hash.update(Array(text.utf8))
            #expect(seed.sha256 == hash.finalize(), "\(name)")
        }
    }
}

/// The registry's assignments as `portreg export` writes them: header and rows in export order.
enum RegistryExport {
    static func text(_ registry: Registry) throws -> String {
        let store = AssignmentStore(database: registry.database)
        var text = CSVFormat.record(RegistryCSV.header, terminator: "\n")
        try store.forEach(AssignmentFilter(includeExpired: true), now: store.now()) { text += RegistryCSV.line($0) }
        return text
    }
}

/// `EmbeddedFiles` is generated by the build plugin; a file added to Migrations/ or Seeds/
/// reaches it only once SwiftPM re-plans the build.
@Suite struct EmbeddedFilesTests {
    static let repositoryRoot = Repository.root

    static func check(folder: String, suffix: String, embedded: [(name: String, text: String)]) throws {
        let directory = repositoryRoot + "/" + folder
        let onDisk = try FileSystem.entries(of: directory).filter { $0.hasSuffix(suffix) }
        let names = embedded.map(\.name).sorted()
        #expect(
            names == onDisk,
            """
            \(folder)/ holds \(onDisk) but the build embedded \(names): the EmbedFiles plugin sees added or \
            removed files only when the build is re-planned; touch Package.swift and build again
            """)
        #expect(!onDisk.isEmpty)
        for file in embedded {
            guard onDisk.contains(file.name) else { continue }
            let bytes = try FileSystem.bytes(directory + "/" + file.name)
            #expect(
                Array(file.text.utf8) == bytes, "\(folder)/\(file.name) differs from its embedded copy: build again")
        }
    }

    @Test func migrationsAreTheFilesInMigrations() throws {
        try EmbeddedFilesTests.check(
            folder: "Migrations", suffix: ".sql", embedded: PortRegistryStorage.EmbeddedFiles.migrations)
    }

    @Test func seedsAreTheFilesInSeeds() throws {
        try EmbeddedFilesTests.check(folder: "Seeds", suffix: ".csv", embedded: PortRegistryCatalog.EmbeddedFiles.seeds)
    }

    @Test func everySeedTheCatalogNeedsIsEmbedded() {
        for file in SeedCatalog.files {
            #expect(PortRegistryCatalog.EmbeddedFiles.seeds.contains { $0.name == file.name }, "\(file.name)")
        }
    }
}
