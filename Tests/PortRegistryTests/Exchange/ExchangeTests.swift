import PortRegistryStorage
import PortregTestSupport
import Testing
@testable import PortRegistry
@testable import PortRegistryAssignments
@testable import PortRegistryCatalog
@testable import PortRegistryExchange
@testable import PortRegistryFormats
@testable import PortRegistryModel

@testable import PortRegistry

/// A registry CSV: the header, then `rows` (each without its line end).
func registryCSV(_ rows: [String]) -> String {
    ([RegistryCSV.header.joined(separator: ",")] + rows).map { $0 + "\n" }.joined()
}

/// Imports `text` (a whole registry CSV) as `portreg import` does.
@discardableResult
func importAssignments(
    _ text: String, into registry: Registry, name: String = "team.csv",
    _ options: AssignmentImportOptions = AssignmentImportOptions()
) throws -> AssignmentImportReport {
    var reader = CSVReader(text: text, name: name)
    let header = try #require(try reader.next())
    #expect(RegistryCSV.isRegistryHeader(header.fields))
    return try AssignmentImporter.run(&reader, into: registry, options: options)
}

@Suite struct RegistryCSVTests {
    static let awkward: [Assignment] = [
        Assignment(
            service: "billing-api", ports: portRange(9000, 9009), transport: .udp, host: hostScope("staging"),
            bind: bindAddress("::1"), owner: "O'Brien, \"Ops\"",
            note: "line one\nline two, with a comma; Zürich — 東京 🚀",
            createdAt: "2026-01-02T03:04:05Z", expiresAt: "2027-01-01T00:00:00Z"),
        Assignment(
            service: "web", ports: portRange(8080), owner: "", note: "  padded  ", createdAt: "2026-01-02T03:04:05Z"),
        Assignment(
            service: "dns", ports: portRange(53), transport: .udp, bind: bindAddress("127.0.0.1"), owner: "\"quoted\"",
            note: "tab\there\r\nCRLF inside", createdAt: "2026-01-02T03:04:05Z"),
        Assignment(
            service: "x", ports: portRange(1), transport: .dccp, host: hostScope("db1.example.com"), note: ",",
            createdAt: "2026-01-02T03:04:05Z"),
    ]

    @Test(arguments: RegistryCSVTests.awkward)
    func aLineReadsBackAsTheSameAssignment(_ assignment: Assignment) throws {
        let line = RegistryCSV.line(assignment)
        #expect(line.hasSuffix("\n"))
        let records = try readAll(CSVFormat.record(RegistryCSV.header, terminator: "\n") + line)
        try #require(records.count == 2, "\(records)")
        #expect(RegistryCSV.isRegistryHeader(records[0].fields))
        #expect(records[1].fields == RegistryCSV.fields(assignment))
        #expect(try RegistryCSV.assignment(records[1], file: "t.csv") == assignment)
    }

    @Test func emptyOptionalFieldsTakeTheirDefaults() throws {
        let records = try readAll(registryCSV(["web,8080,,,,,,,"]))
        let assignment = try RegistryCSV.assignment(records[1], file: "t.csv")
        #expect(assignment.transport == .tcp)
        #expect(assignment.host == .everywhere)
        #expect(assignment.bind == .wildcard)
        #expect(assignment.createdAt == "" && assignment.expiresAt == nil)
    }

    @Test func theHeaderIsRecognisedLoosely() {
        #expect(RegistryCSV.isRegistryHeader(RegistryCSV.header))
        #expect(RegistryCSV.isRegistryHeader(RegistryCSV.header.map { " \($0.uppercased()) " }))
        #expect(!RegistryCSV.isRegistryHeader(Array(RegistryCSV.header.dropLast())))
        #expect(!RegistryCSV.isRegistryHeader(IANAHeader.columns))
    }

    @Test(arguments: [
        ("web,8080,tcp,*,*,,,", "expected 9 fields"),
        ("web,8080,tcp,*,*,,,,,", "expected 9 fields"),
        ("-web,8080,tcp,*,*,,,,", "invalid service name"),
        ("web,0,tcp,*,*,,,,", "invalid port '0'"),
        ("web,70000,tcp,*,*,,,,", "invalid port '70000'"),
        ("web,9009-9000,tcp,*,*,,,,", "invalid port '9009-9000'"),
        ("web,http,tcp,*,*,,,,", "invalid port 'http'"),
        ("web,8080,xyz,*,*,,,,", "invalid protocol 'xyz'"),
        ("web,8080,tcp,a b,*,,,,", "invalid host 'a b'"),
        ("web,8080,tcp,*,localhost,,,,", "invalid bind address 'localhost'"),
        ("web,8080,tcp,*,*,,,yesterday,", "invalid created_at 'yesterday'"),
        ("web,8080,tcp,*,*,,,,2026-02-30T00:00:00Z", "invalid expires_at '2026-02-30T00:00:00Z'"),
    ])
    func aBadRowNamesFileAndLine(_ row: String, _ fragment: String) throws {
        // A quoted newline in the row before moves the physical line on.
        let records = try readAll(registryCSV(["ok,1,tcp,*,*,,\"two\nlines\",,", row]), name: "team.csv")
        try #require(records.count == 3)
        expectDataError(at: "team.csv:4", fragment) { _ = try RegistryCSV.assignment(records[2], file: "team.csv") }
    }
}

@Suite struct AssignmentImporterTests {
    let registry: Registry
    let store: AssignmentStore

    init() throws {
        registry = try Registry.inMemory()
        store = AssignmentStore(database: registry.database)
        try recordAssignments(
            [
                Assignment(
                    service: "web", ports: portRange(8080), owner: "alice", note: "front",
                    createdAt: "2026-01-01T00:00:00Z"),
                Assignment(service: "db", ports: portRange(5432), owner: "carol", createdAt: "2026-01-01T00:00:00Z"),
            ], in: registry)
    }

    func assignment(_ service: String) throws -> Assignment? {
        try store.list(AssignmentFilter(service: service, includeExpired: true), now: store.now()).first
    }

    @Test func mergeAddsAndUpdates() throws {
        let report = try importAssignments(
            registryCSV([
                "web,8080,tcp,*,*,bob,\"new, note\",2020-01-01T00:00:00Z,",
                "api,9000-9009,tcp,prod,127.0.0.1,dave,,2026-03-04T05:06:07Z,2999-01-01T00:00:00Z",
                "",
                "cache,6380,,,,,,,",
            ]), into: registry)
        #expect(report.rows == 3 && report.added == 2 && report.updated == 1 && report.removed == 0)
        #expect(report.collisions.isEmpty && !report.dryRun)
        #expect(try store.count() == 4)
        let web = try #require(try assignment("web"))
        #expect(web.owner == "bob" && web.note == "new, note")
        #expect(web.createdAt == "2026-01-01T00:00:00Z", "an update keeps the original created_at")
        let api = try #require(try assignment("api"))
        #expect(
            api.ports == portRange(9000, 9009) && api.host == hostScope("prod") && api.bind == bindAddress("127.0.0.1"))
        #expect(api.createdAt == "2026-03-04T05:06:07Z" && api.expiresAt == "2999-01-01T00:00:00Z")
        #expect(Timestamp.isValid(try #require(try assignment("cache")).createdAt), "a missing created_at is now")
        #expect(try assignment("db") != nil, "merge keeps what the file does not mention")
        // The imported block is found by overlap queries (its span was written).
        #expect(try store.overlapping(portRange(9005), transport: .tcp, now: store.now()).map(\.service) == ["api"])
    }

    @Test func theReportMatchesWhatWasStored() throws {
        // The same claim twice in one file is one row.
        let before = try store.count()
        let report = try importAssignments(
            registryCSV(["api,9000,tcp,*,*,a,,,", "api,9000,tcp,*,*,b,,,"]), into: registry)
        #expect(report.rows == 2)
        let after = try store.count()
        #expect(
            after == before + report.added, "report.added is \(report.added), but \(after - before) rows were added")
        #expect(try assignment("api")?.owner == "b", "the last row wins")
    }

    @Test func replaceMakesTheFileTheRegistry() throws {
        try recordAssignments([Assignment(service: "old-block", ports: portRange(7000, 7009))], in: registry)
        let report = try importAssignments(
            registryCSV(["web,8080,tcp,*,*,bob,,,", "blk,9000-9009,udp,*,*,,,,"]), into: registry,
            AssignmentImportOptions(replace: true))
        // web was there (updated), blk is new (added), db and old-block are not in the file (removed).
        #expect(report.rows == 2 && report.added == 1 && report.updated == 1 && report.removed == 2, "\(report)")
        #expect(try store.count() == 3 + report.added - report.removed, "\(report)")
        #expect(
            try store.list(AssignmentFilter(includeExpired: true), now: store.now()).map(\.service) == ["web", "blk"])
        let now = store.now()
        #expect(
            try store.overlapping(portRange(7005), transport: .tcp, now: now).isEmpty, "the old block's span is gone")
        #expect(try store.overlapping(portRange(9005), transport: .udp, now: now).map(\.service) == ["blk"])
        #expect(try registry.database.scalarInt("SELECT count(*) FROM assignment_span") == 1)
    }

    // Regression: a row used to count as added only when last_insert_rowid moved, and deleting
    // from the R*Tree moved it to the id the first new row then got.
    @Test("--replace over a registry holding a block counts every new row as added")
    func replaceCountsEveryNewRowAsAdded() throws {
        let registry = try Registry.inMemory()
        try recordAssignments([Assignment(service: "old-block", ports: portRange(7000, 7009))], in: registry)
        let report = try importAssignments(
            registryCSV(["web,8080,tcp,*,*,,,,", "api,9000,tcp,*,*,,,,"]), into: registry,
            AssignmentImportOptions(replace: true))
        #expect(try AssignmentStore(database: registry.database).count() == 2)
        #expect(report.added == 2 && report.updated == 0 && report.removed == 1, "\(report)")
    }

    @Test func theFirstImportIntoANewRegistryCountsEveryRowAsAdded() throws {
        for replace in [false, true] {
            let registry = try Registry.inMemory()
            let report = try importAssignments(
                registryCSV(["web,8080,tcp,*,*,,,,", "blk,9000-9009,tcp,*,*,,,,"]), into: registry,
                AssignmentImportOptions(replace: replace))
            #expect(report.added == 2 && report.updated == 0 && report.removed == 0, "replace \(replace): \(report)")
        }
    }

    @Test(arguments: [false, true])
    func aDryRunChangesNothing(_ replace: Bool) throws {
        let before = try RegistryExport.text(registry)
        let report = try importAssignments(
            registryCSV(["web,8080,tcp,*,*,bob,,,", "api,9000-9009,tcp,*,*,,,,"]), into: registry,
            AssignmentImportOptions(replace: replace, dryRun: true))
        #expect(report.dryRun)
        #expect(report.rows == 2)
        // web exists (updated), api is new; with --replace, db is not in the file (removed).
        #expect(report.added == 1 && report.updated == 1)
        #expect(report.removed == (replace ? 1 : 0))
        #expect(try RegistryExport.text(registry) == before)
        #expect(try registry.database.scalarInt("SELECT count(*) FROM assignment_span") == 0)
    }

    @Test(arguments: [false, true])
    func aBadRowImportsNothing(_ replace: Bool) throws {
        let before = try RegistryExport.text(registry)
        expectDataError(at: "team.csv:4", "invalid port 'abc'") {
            try importAssignments(
                registryCSV([
                    "api,9000,tcp,*,*,,,,", "blk,9100-9109,tcp,*,*,,,,", "bad,abc,tcp,*,*,,,,", "late,9200,tcp,*,*,,,,",
                ]),
                into: registry, AssignmentImportOptions(replace: replace))
        }
        #expect(try RegistryExport.text(registry) == before)
        #expect(try registry.database.scalarInt("SELECT count(*) FROM assignment_span") == 0)
    }

    @Test func malformedCSVImportsNothing() throws {
        let before = try RegistryExport.text(registry)
        expectDataError(at: "team.csv:3", "unterminated quoted field") {
            try importAssignments(
                registryCSV(["api,9000,tcp,*,*,,,,", "bad,9001,tcp,*,*,\"unterminated,,"]), into: registry)
        }
        #expect(try RegistryExport.text(registry) == before)
    }

    @Test func aCollisionIsRefusedAndImportsNothing() throws {
        let before = try RegistryExport.text(registry)
        let error = expectRegistryError(.refused) {
            try importAssignments(
                registryCSV(["ok,9000,tcp,*,*,,,,", "api,8080,tcp,staging,127.0.0.1,,,,"]), into: registry)
        }
        let message = error?.message ?? ""
        #expect(message.hasPrefix("team.csv: 1 collision"), "\(message)")
        #expect(message.contains("api") && message.contains("web") && message.contains("8080/tcp"), "\(message)")
        #expect(message.contains("--force"), "\(message)")
        #expect(try RegistryExport.text(registry) == before)

        // Two rows of the file against each other.
        expectRegistryError(.refused) {
            try importAssignments(registryCSV(["a,9000-9009,udp,*,*,,,,", "b,9009,udp,prod,*,,,,"]), into: registry)
        }
        #expect(try RegistryExport.text(registry) == before)
    }

    @Test func whatDoesNotCollideIsImported() throws {
        let report = try importAssignments(
            registryCSV([
                "api,8080,udp,*,*,,,,",  // another protocol
                "web,8080,tcp,prod,*,,,,",  // the same service
                "old,8080,tcp,*,*,,,,2000-01-01T00:00:00Z",  // an expired lease
                "db2,5433,tcp,*,*,,,,",
            ]), into: registry)
        #expect(report.collisions.isEmpty && report.added == 4)
    }

    @Test func forceRecordsCollisions() throws {
        let report = try importAssignments(
            registryCSV(["api,8080,tcp,*,*,,,,", "ok,9000,tcp,*,*,,,,"]), into: registry,
            AssignmentImportOptions(force: true))
        #expect(report.added == 2)
        #expect(report.collisions.count == 1)
        let services = Set(report.collisions.flatMap { [$0.first.service, $0.second.service] })
        #expect(services == ["api", "web"])
        #expect(try store.count() == 4)
        #expect(try CollisionFinder(database: registry.database).collisions(now: store.now()).count == 1)
    }

    @Test func existingCollisionsDoNotBlockAnUnrelatedImport() throws {
        try recordAssignments([Assignment(service: "clash", ports: portRange(8080))], in: registry)
        let report = try importAssignments(registryCSV(["api,9000,tcp,*,*,,,,"]), into: registry)
        #expect(report.added == 1 && report.collisions.isEmpty)
    }
}

@Suite struct ExportTests {
    @Test func exportIsOrderedByPortProtocolHostService() throws {
        let registry = try Registry.inMemory()
        let created = "2026-01-01T00:00:00Z"
        try recordAssignments(
            [
                Assignment(service: "web", ports: portRange(8080), createdAt: created),
                Assignment(service: "blk", ports: portRange(8080, 8089), createdAt: created),
                Assignment(service: "api", ports: portRange(8080), transport: .udp, createdAt: created),
                Assignment(service: "api", ports: portRange(8080), host: hostScope("prod"), createdAt: created),
                Assignment(service: "zeta", ports: portRange(80), createdAt: created),
                Assignment(service: "alpha", ports: portRange(8080), createdAt: created),
                Assignment(service: "beta", ports: portRange(443), transport: .sctp, createdAt: created),
                Assignment(service: "gone", ports: portRange(8079), createdAt: created, expiresAt: Lease.expired),
            ], in: registry)
        #expect(
            try RegistryExport.text(registry) == """
                service,port,protocol,host,bind,owner,note,created_at,expires_at
                zeta,80,tcp,*,*,,,2026-01-01T00:00:00Z,
                beta,443,sctp,*,*,,,2026-01-01T00:00:00Z,
                gone,8079,tcp,*,*,,,2026-01-01T00:00:00Z,2000-01-01T00:00:00Z
                alpha,8080,tcp,*,*,,,2026-01-01T00:00:00Z,
                web,8080,tcp,*,*,,,2026-01-01T00:00:00Z,
                api,8080,tcp,prod,*,,,2026-01-01T00:00:00Z,
                api,8080,udp,*,*,,,2026-01-01T00:00:00Z,
                blk,8080-8089,tcp,*,*,,,2026-01-01T00:00:00Z,

                """)
    }

    @Test func exportImportExportIsByteIdentical() throws {
        let source = try Registry.inMemory()
        var rows = RegistryCSVTests.awkward
        rows += CollisionFinderTests.randomAssignments(seed: 42, count: 200).map { assignment in
            var assignment = assignment
            assignment.owner = "owner, \"\(assignment.service)\""
            return assignment
        }
        try recordAssignments(rows, in: source)
        let first = try RegistryExport.text(source)

        let copy = try Registry.inMemory()
        let report = try importAssignments(first, into: copy, AssignmentImportOptions(replace: true, force: true))
        #expect(report.rows == (try AssignmentStore(database: source.database).count()))
        let second = try RegistryExport.text(copy)
        #expect(second == first)
        // And once more onto itself, merging: nothing changes.
        try importAssignments(second, into: copy, AssignmentImportOptions(force: true))
        #expect(try RegistryExport.text(copy) == first)
    }
}
