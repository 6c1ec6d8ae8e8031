import Testing
@testable import PortRegistryConfigScan
@testable import PortRegistryModel

/// Issue 19, "CRLF": `"\r\n"` is one Swift `Character`, so text split at `"\n"` never splits a
/// CRLF file. Every line-based format of `check` reads CRLF and LF alike.
@Suite struct LineEndingTests {
    @Test func envFileReadsCRLF() {
        let file = EnvFile(text: "A=1\r\nB=${A}2\r\n# note\r\nC=\"x\r\ny\"\r\nPORT=8080\r\n")
        #expect(file.variables["A"] == "1")
        #expect(file.variables["B"] == "12")
        #expect(file.variables["PORT"] == "8080")
        #expect(file.entries.map(\.line) == [1, 2, 4, 6])
    }

    @Test func standaloneEnvClaimsFromCRLF() {
        let scanned = StandaloneEnv.ports(path: "api/.env", text: "HOST=x\r\nPORT=8080\r\nADMIN_PORT=9090\r\n")
        #expect(scanned.ports.map(\.ports.low) == [8080, 9090])
        #expect(scanned.ports.map(\.location.line) == [2, 3])
    }

    @Test func procfileClaimsFromCRLF() {
        let scanned = Procfile.ports(
            path: "app/Procfile", text: "web: rails s -p 3000\r\nworker: sidekiq --port=7433\r\n")
        #expect(scanned.ports.map(\.ports.low) == [3000, 7433])
        #expect(scanned.ports.map(\.name) == ["web", "worker"])
        #expect(scanned.ports.map(\.location.line) == [1, 2])
    }

    @Test func baselineReadsCRLFAndBOM() throws {
        let text = "\u{FEFF}\(CheckBaseline.header)\r\ncollision tcp 8080 a b\r\n\r\nregistry tcp 9090 c d\r\n"
        let baseline = try CheckBaseline.parse(text, file: "base.txt")
        #expect(baseline.fingerprints == ["collision tcp 8080 a b", "registry tcp 9090 c d"])
    }

    @Test func baselineWithBOMOnAnEntry() throws {
        let baseline = try CheckBaseline.parse("\u{FEFF}collision tcp 8080 a b\n", file: "base.txt")
        #expect(baseline.fingerprints == ["collision tcp 8080 a b"])
    }
}
