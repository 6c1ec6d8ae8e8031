import PortRegistryConflicts
import PortRegistrySearch
import PortregTestSupport
import Testing
@testable import PortRegistry
@testable import PortRegistryAssignments
@testable import PortRegistryCatalog
@testable import PortRegistryExchange
@testable import PortRegistryFormats
@testable import PortRegistryModel
@testable import PortRegistryStorage

@testable import PortRegistry

@Suite struct FrontDoorTests {
    /// Every path that writes an R*Tree mirror (catalog_span, assignment_span), blocks and
    /// single ports alike, then the health check: the mirrors must still agree with the rows.
    @Test func everyWritePathKeepsTheRangeIndexesInStep() throws {
        let directory = try TemporaryDirectory()
        let registry = try Registry.open(path: directory.path + "/r.db")  // creation seeds the catalog
        let allocator = Allocator(ephemeral: nil, isFreeNow: { _, _, _ in true })
        _ = try registry.add(Assignment(service: "single", ports: PortRange(port: 20001)!))
        _ = try registry.add(Assignment(service: "block", ports: PortRange(low: 20010, high: 20019)!))
        _ = try registry.add(Assignment(service: "block", ports: PortRange(low: 20010, high: 20019)!, owner: "again"))
        var request = ReservationRequest(service: "reserved")
        request.count = 4
        request.range = PortRange(low: 21000, high: 21999)
        _ = try registry.reserve(request, using: allocator)
        request.ttlSeconds = 60
        _ = try registry.reserve(request, using: allocator)  // renewed in place
        _ = try registry.remove(service: "single")
        _ = try registry.remove(service: "block", ports: PortRange(port: 20015)!)
        var reader = CSVReader(
            text: """
                service,port,protocol,host,bind,owner,note,created_at,expires_at
                imported,22000-22009,tcp,*,*,,,,
                imported,22100,udp,*,*,,,,
                reserved,21000-21003,tcp,*,*,,,,

                """, name: "registry.csv")
        _ = try reader.next()
        _ = try registry.importAssignments(&reader, options: AssignmentImportOptions())
        var replacing = CSVReader(
            text: """
                service,port,protocol,host,bind,owner,note,created_at,expires_at
                imported,22000-22009,tcp,*,*,,,,
                other,23000-23001,tcp,*,*,,,,

                """, name: "registry.csv")
        _ = try replacing.next()
        _ = try registry.importAssignments(&replacing, options: AssignmentImportOptions(replace: true))
        var dryRun = CSVReader(
            text: "service,port,protocol,host,bind,owner,note,created_at,expires_at\nghost,24000-24009,tcp,*,*,,,,\n",
            name: "registry.csv")
        _ = try dryRun.next()
        _ = try registry.importAssignments(&dryRun, options: AssignmentImportOptions(dryRun: true))
        let entries = [
            CatalogEntry(
                source: .system, service: "ranged", ports: PortRange(low: 30000, high: 30010), transport: .tcp),
            CatalogEntry(source: .system, service: "single", ports: PortRange(port: 30020), transport: .udp),
        ]
        _ = try registry.replaceCatalog(source: .system, with: entries, origin: "test", sha256: nil)
        _ = try registry.replaceCatalog(source: .system, with: Array(entries.prefix(1)), origin: "test", sha256: nil)
        _ = try registry.importServices("svc 31000/tcp\n", file: "services", origin: "services")
        if SharedData.isAvailable {
            _ = try Registry.importCatalog(
                try CSVReader(path: SharedData.ianaOlder), source: .iana, origin: "older", opening: { registry })
            _ = try Registry.importCatalog(
                try CSVReader(path: SharedData.iana), source: .iana, origin: "current", opening: { registry })
        }

        let report = try registry.doctor()
        #expect(report.spanProblems == 0)
        #expect(report.isHealthy, "\(report)")
        var names: [String] = []
        try registry.list { names.append($0.service) }
        #expect(names == ["imported", "other"], "--replace leaves exactly the file; the dry run left nothing")
        #expect(try registry.database.scalarInt("SELECT count(*) FROM assignment_span") == 2)
    }

    /// A store write outside a transaction is refused instead of committing statement by statement.
    @Test func storeWritesRefuseToRunOutsideATransaction() throws {
        let registry = try Registry.inMemory()
        let store = AssignmentStore(database: registry.database)
        let error = expectDatabaseError {
            _ = try store.insert(Assignment(service: "x", ports: PortRange(port: 20001)!))
        }
        #expect(error?.resultCode == .misuse)
        #expect(expectDatabaseError { _ = try store.remove(service: "x") }?.resultCode == .misuse)
        let catalog = CatalogStore(database: registry.database)
        #expect(
            expectDatabaseError {
                _ = try catalog.replace(source: .system, with: [], origin: "t", sha256: nil)
            }?.resultCode == .misuse)
        #expect(try store.count() == 0)
    }

    /// A busy database names the timeout in force, once, the same way for every command.
    @Test func theBusyMessageNamesTheTimeoutInForce() throws {
        let directory = try TemporaryDirectory()
        let path = directory.path + "/r.db"
        let holder = try Registry.open(path: path)
        let waiting = try Registry.open(path: path, busyTimeoutMilliseconds: 50)
        try holder.database.execute("BEGIN IMMEDIATE")
        defer { try? holder.database.execute("ROLLBACK") }
        let error = expectRegistryError(.busy) {
            _ = try waiting.add(Assignment(service: "late", ports: PortRange(port: 20001)!))
        }
        #expect(error?.message.contains("busy timeout of 50 ms") == true, "\(String(describing: error))")
    }
}

@Suite struct AssignmentStorageSeamTests {
    /// Every use case runs with the assignments behind a storage the registry was given, and
    /// between them they use every requirement of the protocol.
    @Test func everyUseCaseGoesThroughTheStorageProtocol() throws {
        let directory = try TemporaryDirectory()
        let path = directory.path + "/r.db"
        _ = try Registry.open(path: path)  // created and seeded
        let database = try Database(path: path)
        let storage = RecordingStorage(AssignmentStore(database: database))
        let registry = try Registry(database: database, migrator: .embedded, assignments: storage)
        let allocator = Allocator(ephemeral: nil, isFreeNow: { _, _, _ in true })

        _ = try registry.add(Assignment(service: "billing", ports: PortRange(port: 20080)!, owner: "zorbteam"))
        _ = try registry.add(
            Assignment(service: "shop", ports: PortRange(low: 20080, high: 20081)!), force: true)
        var request = ReservationRequest(service: "search-api")
        request.range = PortRange(low: 21000, high: 21999)
        let reserved = try registry.reserve(request, using: allocator)
        #expect(try registry.reserve(request, using: allocator).reused)
        #expect(!(try registry.freeBlocks(request, limit: 3, using: allocator)).isEmpty)
        let found = try registry.lookup { lookup in
            (try lookup(.ports(PortRange(port: 20080)!, .tcp)).assignments.count, try lookup(.name("biling")))
        }
        #expect(found.0 == 2)
        #expect(found.1.suggestions.contains("billing"))
        #expect(try registry.search("zorbteam").hits.count == 1)
        #expect(try registry.conflicts().collisions.count == 1)
        var listed: [String] = []
        try registry.list { listed.append($0.service) }
        #expect(listed == ["billing", "shop", "search-api"])
        var csv: [UInt8] = []
        try registry.exportAssignmentsCSV { csv += $0 }
        var reader = CSVReader(text: String(decoding: csv, as: UTF8.self), name: "export.csv")
        _ = try reader.next()
        let merged = try registry.importAssignments(&reader, options: AssignmentImportOptions(force: true))
        #expect(merged.rows == 3 && merged.updated == 0 && merged.unchanged == 3 && merged.added == 0)
        var again = CSVReader(text: String(decoding: csv, as: UTF8.self), name: "export.csv")
        _ = try again.next()
        #expect(
            try registry.importAssignments(&again, options: AssignmentImportOptions(dryRun: true, force: true))
                .unchanged == 3)
        let moved = try registry.edit(ClaimSelector(service: "search-api"), ClaimChange(ports: PortRange(port: 21500)!))
        #expect(moved.changed && moved.new.ports == PortRange(port: 21500)!)
        #expect(try registry.removeExpired().isEmpty)
        #expect(try registry.remove(service: "shop").count == 1)
        #expect(try registry.doctor().isHealthy)
        #expect(reserved.assignment.ports.count == 1)

        let requirements: Set<String> = [
            "transaction", "acceptsWrites", "forEach", "overlapping", "named", "blockingClaims",
            "forEachLiveClaim", "assignment", "forEachContaining", "serviceNames", "counts", "indexProblems",
            "invalidRows", "exportCSV", "insert", "remove", "merge", "removeExpired", "update",
        ]
        #expect(storage.calls == requirements, "unused: \(requirements.subtracting(storage.calls))")
    }
}

@Suite struct CheckBaselineTests {
    @Test func theBaselineHoldsLiveAssignmentsAndTheCatalog() throws {
        let time = MovableClock()
        let registry = try Registry.inMemory(clock: time.clock)
        _ = try registry.add(Assignment(service: "web", ports: PortRange(port: 20080)!))
        _ = try registry.add(Assignment(service: "lease", ports: PortRange(port: 20081)!), ttlSeconds: 60)
        time.advance(seconds: 60)
        let baseline = try registry.checkBaseline(includeAssignments: true)
        #expect(baseline.assignments.map(\.service) == ["web"], "an expired lease is not a baseline")
        #expect(baseline.catalog.foreignRegistration(PortRange(port: 5432)!, transport: .tcp) { _ in false } != nil)
        #expect(try registry.checkBaseline(includeAssignments: false).assignments.isEmpty)
    }
}
