import PortregTestSupport
import Testing
@testable import PortRegistryCatalog
@testable import PortRegistryModel

@testable import PortRegistry

@Suite struct ServicesFileTests {
    func parse(_ text: String) throws(RegistryError) -> (entries: [CatalogEntry], skipped: Int) {
        try ServicesFile.parse(text, file: "services")
    }

    @Test func entriesAliasesAndComments() throws {
        let text = """
            # Network services, Internet style

            tcpmux\t\t1/tcp\t\t\t\t# TCP port service multiplexer
            echo\t\t7/udp
            discard\t\t9/tcp\t\tsink null
            http\t\t80/tcp\t\twww\t\t# WorldWideWeb HTTP
            afs3-fileserver 7000/udp
            """
        let (entries, skipped) = try parse(text)
        #expect(skipped == 0)
        #expect(
            entries == [
                CatalogEntry(
                    source: .system, service: "tcpmux", ports: PortRange(port: 1), transport: .tcp,
                    description: "TCP port service multiplexer"),
                CatalogEntry(source: .system, service: "echo", ports: PortRange(port: 7), transport: .udp),
                CatalogEntry(
                    source: .system, service: "discard", ports: PortRange(port: 9), transport: .tcp,
                    aliases: ["sink", "null"]),
                CatalogEntry(
                    source: .system, service: "http", ports: PortRange(port: 80), transport: .tcp,
                    description: "WorldWideWeb HTTP", aliases: ["www"]),
                CatalogEntry(
                    source: .system, service: "afs3-fileserver", ports: PortRange(port: 7000), transport: .udp),
            ])
    }

    @Test func commentsStartAnywhere() throws {
        let (entries, _) = try parse("ssh 22/tcp#SSH\nfoo 5/udp alias#\n  # indented comment\n")
        #expect(entries.map(\.description) == ["SSH", ""])
        #expect(entries.map(\.aliases) == [[], ["alias"]])
    }

    @Test func crlfAndMissingFinalNewline() throws {
        let (entries, _) = try parse("a 1/tcp b\r\nc 2/udp")
        #expect(entries.map(\.service) == ["a", "c"])
        #expect(entries.map(\.aliases) == [["b"], []])
    }

    @Test func otherProtocols() throws {
        let (entries, skipped) = try parse(
            "rtmp\t1/ddp\t# Routing Table Maintenance Protocol\nx 9/sctp\ny 9/DCCP\nz 9/TCP\nnbp 2/ddp\n")
        #expect(skipped == 2)
        #expect(entries.map(\.transport) == [.sctp, .dccp, .tcp])
    }

    @Test func emptyInput() throws {
        let (entries, skipped) = try parse("")
        #expect(entries.isEmpty && skipped == 0)
    }

    @Test(arguments: [
        ("lonely", "expected NAME PORT/PROTOCOL"),
        ("name port", "expected NAME PORT/PROTOCOL"),
        ("name 80", "expected NAME PORT/PROTOCOL"),
        ("name 80/", "expected NAME PORT/PROTOCOL"),
        ("name /tcp", "bad port \"\""),
        ("name 99999/tcp", "bad port \"99999\""),
        ("name 65536/udp", "port must be 0-65535"),
        ("name 1-2/tcp", "bad port \"1-2\""),
        ("name x80/tcp", "bad port \"x80\""),
    ])
    func malformedLinesNameTheLine(line: String, fragment: String) {
        expectDataError(at: "services:3", fragment) {
            _ = try parse("# header\nok 1/tcp\n\(line)  # comment\nok 2/tcp\n")
        }
    }

    @Test func detection() {
        #expect(ServicesFile.looksLikeServicesFile("# Network services\n#\n\ntcpmux\t\t1/tcp\t\t# mux\n"))
        #expect(ServicesFile.looksLikeServicesFile("afs3-fileserver 7000/udp"))
        #expect(!ServicesFile.looksLikeServicesFile(IANAHeader.columns.joined(separator: ",") + "\r\n,0,tcp,Reserved"))
        #expect(!ServicesFile.looksLikeServicesFile("service,port,protocol,host\nweb,8080,tcp,*\n"))
        #expect(!ServicesFile.looksLikeServicesFile("# only comments\n\n"))
        #expect(!ServicesFile.looksLikeServicesFile(""))
        #expect(!ServicesFile.looksLikeServicesFile("name port/tcp\n"))
    }

    @Test(.enabled(if: SharedData.isAvailable, SharedData.skipMessage))
    func realFile() throws {
        let (entries, skipped) = try ServicesFile.parse(SharedData.text(SharedData.services), file: SharedData.services)
        #expect(entries.count == 314)
        #expect(skipped == 4)
        #expect(entries.filter { !$0.aliases.isEmpty }.count == 66)
        #expect(entries.allSatisfy { $0.source == .system && $0.ports?.isSinglePort == true && $0.transport != nil })
        #expect(entries.filter { $0.transport == .sctp }.count == 1)
        #expect(Set(entries.compactMap(\.service)).count == 266)  // 269 names, 3 of them (rtmp, nbp, zip) only ddp
        let kerberos = try #require(entries.first { $0.service == "kerberos" && $0.transport == .tcp })
        #expect(kerberos.ports == PortRange(port: 88))
        #expect(kerberos.aliases == ["kerberos5", "krb5", "kerberos-sec"])
        #expect(kerberos.description == "Kerberos v5")
        #expect(entries.contains { $0.service == "afs3-fileserver" && $0.ports == PortRange(port: 7000) })
        #expect(ServicesFile.looksLikeServicesFile(String(try SharedData.text(SharedData.services).prefix(512))))
    }
}
