import Testing
@testable import PortRegistry
@testable import PortRegistryModel
@testable import PortRegistrySearch

@testable import PortRegistry

/// Catalog rows merged into registrations, and the names completion offers.
@Suite struct RegistrationTests {
    func entry(
        _ source: CatalogSource, _ service: String?, _ port: Int?, _ transport: TransportProtocol?, _ text: String
    )
        -> CatalogEntry
    {
        CatalogEntry(
            source: source, service: service, ports: port.map { portRange($0) }, transport: transport, description: text
        )
    }

    @Test func oneRowPerRegistrationWithItsSourcesAndTheBestDescription() {
        let merged = Registration.merging([
            entry(.system, "postgresql", 5432, .tcp, "from services"),
            entry(.iana, "postgresql", 5432, .tcp, "PostgreSQL Database"),
            entry(.iana, "postgresql", 5432, .udp, ""),
            entry(.system, "PostgreSQL", 5432, .udp, "system's"),
            entry(.common, "postgresql", 5432, .udp, "common's"),
            entry(.iana, nil, 5433, nil, ""),
            entry(.system, nil, 5433, nil, ""),
            entry(.iana, "rdp", nil, nil, "Reliable Data Protocol"),
            entry(.iana, "rdp", nil, nil, "Windows Remote Desktop Protocol"),
        ])
        #expect(merged.count == 6, "name-only rows are different registrations")
        #expect(merged[0].sources == [.iana, .system] && merged[0].entry.source == .iana)
        #expect(merged[0].entry.description == "PostgreSQL Database" && merged[0].sourceList == "iana,system")
        #expect(merged[1].sources == [.iana, .common, .system] && merged[1].entry.description == "common's")
        #expect(merged[2].sources == [.iana] && merged[3].sources == [.system], "Unassigned rows stay apart")
    }
}

@Suite struct ServiceNamesTests {
    @Test func assignedNamesFirstThenCatalogNamesNotAlreadyOffered() {
        let names = ServiceNames.matching(
            "Gr", assigned: ["grpc-workers", "grafana", "web", "grafana", "gr\u{1B}[31m"],
            catalog: ["GRAFANA", "gre", "x"], limit: 4)
        #expect(names == ["grafana", "grpc-workers", "gre"])
        #expect(ServiceNames.matching("g", assigned: ["ga", "gb", "gc"], limit: 2) == ["ga", "gb"])
    }

    @Test(arguments: Backing.allCases)
    func theFrontDoorReadsAssignedAndCatalogNames(_ backing: Backing) throws {
        try withDatabasePath(backing) { path in
            let registry = try Registry.open(path: path)
            try recordAssignments([Assignment(service: "postgres-replica", ports: portRange(15432))], in: registry)
            #expect(try registry.serviceNames(matching: "postgres") == ["postgres-replica"])
            let withCatalog = try registry.serviceNames(matching: "postgres", catalog: true)
            #expect(withCatalog.first == "postgres-replica" && withCatalog.contains("postgresql"))
        }
    }
}
