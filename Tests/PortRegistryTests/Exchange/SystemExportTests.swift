import Testing
@testable import PortRegistryExchange
@testable import PortRegistryModel

@testable import PortRegistry

/// The services(5) and environment exports, from values.
@Suite struct SystemExportTests {
    @Test func envNamesAreMangledAndBlocksHaveAnEnd() throws {
        let variables = try EnvExport.variables([
            Assignment(service: "billing-api.v2", ports: portRange(9400)),
            Assignment(service: "grpc", ports: portRange(20000, 20009)),
            Assignment(service: "dns", ports: portRange(53), transport: .tcp),
            Assignment(service: "dns", ports: portRange(53), transport: .udp),
            Assignment(service: "3com", ports: portRange(1234)),
            Assignment(service: "web", ports: portRange(8080), host: hostScope("prod")),
            Assignment(service: "web", ports: portRange(8081), host: hostScope("staging")),
            Assignment(service: "web", ports: portRange(8080), host: hostScope("eu")),
        ])
        #expect(
            variables.map { "\($0.name)=\($0.value)" } == [
                "BILLING_API_V2_PORT=9400", "GRPC_PORT=20000", "GRPC_PORT_END=20009", "DNS_PORT=53",
                "DNS_UDP_PORT=53", "_3COM_PORT=1234", "WEB_PORT=8080", "WEB_PORT_2=8081",
            ])
    }

    @Test func twoServicesWithOneVariableAreRefused() {
        let error = expectRegistryError(.refused) {
            _ = try EnvExport.variables([
                Assignment(service: "billing-api", ports: portRange(9400)),
                Assignment(service: "billing.api", ports: portRange(9401)),
            ])
        }
        #expect(error?.message.contains("billing-api and billing.api both export as BILLING_API_PORT") == true)
    }

    @Test func servicesCommentsStayOnOneLine() {
        let comment = ServicesExport.comment(
            Assignment(
                service: "x", ports: portRange(1), host: hostScope("prod"), bind: bindAddress("127.0.0.1"),
                owner: "team", note: "line one\nline two\t\u{1B}[31m"))
        #expect(comment == "  # team; line one line two [31m; host prod; bind 127.0.0.1")
        #expect(ServicesExport.comment(Assignment(service: "x", ports: portRange(1))) == "")
    }
}
