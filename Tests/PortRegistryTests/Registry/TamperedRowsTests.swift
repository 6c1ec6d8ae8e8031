import PortRegistryStorage
import Testing
@testable import PortRegistry
@testable import PortRegistryModel

@testable import PortRegistry

/// Rows written with the schema's checks bypassed (issue 8, defect 7): a message naming the
/// row and doctor, never a trap; doctor lists them.
@Suite struct TamperedRowsTests {
    static let tampering = [
        "UPDATE assignment SET port_low = 99999999999, port_high = 99999999999 WHERE service = 'api'",
        "UPDATE assignment SET port_low = 9000, port_high = 8000 WHERE service = 'api'",
    ]

    @Test(arguments: Backing.allCases, tampering)
    func assignmentsOutOfRangeAreRefusedByNameAndReportedByDoctor(_ backing: Backing, _ tamper: String) throws {
        try withDatabasePath(backing) { path in
            let registry = try Registry.open(path: path)
            _ = try registry.add(Assignment(service: "api", ports: PortRange(port: 8090)!))
            try registry.database.execute(
                "PRAGMA ignore_check_constraints = 1; \(tamper); PRAGMA ignore_check_constraints = 0")
            let error = expectRegistryError(.io) { _ = try registry.conflicts(warnings: false) }
            #expect(error?.message.contains("assignment") == true && error?.message.contains("portreg doctor") == true)
            expectRegistryError(.io) { try registry.list { _ in } }
            let report = try registry.doctor()
            #expect(!report.isHealthy)
            #expect(
                report.findings.contains {
                    $0.problem.contains("invalid row: assignment") && $0.problem.contains("(api)")
                })
        }
    }

    @Test func aCatalogRangeOutOfRangeIsRefusedByName() throws {
        let registry = try Registry.inMemory()
        try registry.database.execute(
            """
            PRAGMA ignore_check_constraints = 1;
            UPDATE catalog_entry SET port_low = 0, port_high = 99999999
            WHERE id = (SELECT min(id) FROM catalog_entry WHERE service IS NOT NULL AND port_low IS NOT NULL);
            PRAGMA ignore_check_constraints = 0;
            """)
        let error = expectRegistryError(.io) { _ = try registry.conflicts() }
        #expect(error?.message.contains("catalog entry") == true)
        #expect(try registry.doctor().findings.contains { $0.problem.contains("invalid row: catalog_entry") })
    }
}
