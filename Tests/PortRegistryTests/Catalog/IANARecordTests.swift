import PortregTestSupport
import Testing
@testable import PortRegistryCatalog
@testable import PortRegistryFormats
@testable import PortRegistryModel

@testable import PortRegistry

@Suite struct IANARecordTests {
    static let headerLine = IANAHeader.columns.joined(separator: ",")

    /// The entries of an IANA-format CSV held in `text`, named f.csv.
    func entries(_ text: String) throws(RegistryError) -> [CatalogEntry] {
        var reader = CSVReader(text: text, name: "f.csv")
        guard let first = try reader.next() else { return [] }
        let header = try IANAHeader(first, file: "f.csv")
        var entries: [CatalogEntry] = []
        while let record = try reader.next() {
            entries.append(try header.entry(record, source: .iana, file: "f.csv"))
        }
        return entries
    }

    func entry(_ row: String) throws(RegistryError) -> CatalogEntry {
        try entries(IANARecordTests.headerLine + "\r\n" + row + "\r\n")[0]
    }

    // MARK: Header

    @Test func columnsAreIANAsInOrder() {
        #expect(IANAHeader.columns.count == 12)
        #expect(IANAHeader.columns.prefix(3) == ["Service Name", "Port Number", "Transport Protocol"])
        #expect(IANAHeader.columns.last == "Assignment Notes")
    }

    @Test func headerNamesAreMatchedCaseInsensitivelyAndTrimmed() throws {
        let text =
            " SERVICE NAME ,port number,Transport protocol,description,Known Unauthorized Uses\nhttp,80,tcp,WWW,none seen\n"
        let found = try entries(text)
        #expect(found.count == 1)
        #expect(found[0].service == "http")
        #expect(found[0].unauthorizedUse == "none seen")
        #expect(found[0].assignee == "")
    }

    @Test func columnsAreFoundByNameAndExtrasIgnored() throws {
        let text = "Transport Protocol,Extra,Port Number,Service Name\nudp,ignored,53,domain\n"
        let found = try entries(text)
        #expect(found == [CatalogEntry(source: .iana, service: "domain", ports: PortRange(port: 53), transport: .udp)])
    }

    @Test func missingRequiredColumn() {
        expectDataError(at: "f.csv:1", "missing column \"Port Number\"") {
            _ = try entries("Service Name,Transport Protocol,Description\n")
        }
        expectDataError(at: "f.csv:1", "IANA's header is Service Name,Port Number,Transport Protocol,Description") {
            _ = try entries("name,port\n")
        }
    }

    @Test func looksLikeIANA() {
        #expect(IANAHeader.looksLikeIANA(IANAHeader.columns))
        #expect(IANAHeader.looksLikeIANA(["port number", " Service Name", "TRANSPORT PROTOCOL"]))
        #expect(!IANAHeader.looksLikeIANA(["Service Name", "Port Number"]))
        #expect(
            !IANAHeader.looksLikeIANA([
                "service", "port", "protocol", "host", "bind", "owner", "note", "created_at", "expires_at",
            ]))
        #expect(!IANAHeader.looksLikeIANA([]))
    }

    // MARK: Records

    @Test func fieldCountMustMatchTheHeader() {
        expectDataError(at: "f.csv:3", "expected 12 fields, found 11") {
            _ = try entries(IANARecordTests.headerLine + "\nhttp,80,tcp,,,,,,,,,\nshort,81,tcp,,,,,,,,\n")
        }
        expectDataError(at: "f.csv:2", "expected 12 fields, found 13") {
            _ = try entries(IANARecordTests.headerLine + "\nhttp,80,tcp,,,,,,,,,,\n")
        }
    }

    @Test func fullRecord() throws {
        let found = try entry(
            "x11,6000-6063,tcp,X Window System,[Stephen_Gildea],[Stephen_Gildea],1992-07,2025-10-30,[RFC1],SC,Known Unauthorized Use on port 6003,\"note, with\nnewline\""
        )
        #expect(
            found
                == CatalogEntry(
                    source: .iana, service: "x11", ports: PortRange(low: 6000, high: 6063), transport: .tcp,
                    description: "X Window System", assignee: "[Stephen_Gildea]", contact: "[Stephen_Gildea]",
                    registrationDate: "1992-07", modificationDate: "2025-10-30", reference: "[RFC1]",
                    serviceCode: "SC", unauthorizedUse: "Known Unauthorized Use on port 6003",
                    notes: "note, with\nnewline"))
    }

    @Test func reservedAndNameOnlyRows() throws {
        let reserved = try entry(",0,tcp,Reserved,,,,2024-12-20,[RFC6335],,,")
        #expect(reserved.service == nil)
        #expect(reserved.ports == PortRange(port: 0))
        #expect(reserved.description == "Reserved")
        let blankName = try entry("   ,1,udp,,,,,,,,,")
        #expect(blankName.service == nil)
        let nameOnly = try entry("rdp,,,Reliable Data Protocol,,,,,,,,")
        #expect(nameOnly.service == "rdp")
        #expect(nameOnly.ports == nil)
        #expect(nameOnly.transport == nil)
    }

    @Test(arguments: ["whois++", "sql*net", "z39.50", "name with spaces"])
    func namesOutsideRFC6335AreKept(name: String) throws {
        #expect(try entry("\(name),63,tcp,,,,,,,,,").service == name)
        #expect(try entry(" \(name)\t,63,tcp,,,,,,,,,").service == name)
    }

    @Test(arguments: [
        ("80", PortRange(port: 80)), (" 80 ", PortRange(port: 80)), ("0", PortRange(port: 0)),
        ("65535", PortRange(port: 65535)), ("6000-6063", PortRange(low: 6000, high: 6063)),
        ("6000 - 6063", PortRange(low: 6000, high: 6063)), ("4748-4748", PortRange(port: 4748)), ("", nil),
    ])
    func ports(text: String, expected: PortRange?) throws {
        #expect(try entry("svc,\(text),tcp,,,,,,,,,").ports == expected)
    }

    @Test(arguments: ["abc", "70000", "65536", "10-5", "-5", "5-", "1-2-3", "８０", "80/tcp", "123456"])
    func badPorts(text: String) {
        expectDataError(at: "f.csv:2", "port must be 0-65535 or LO-HI") { _ = try entry("svc,\(text),tcp,,,,,,,,,") }
        expectDataError(at: "f.csv:2", "\"\(text)\"") { _ = try entry("svc,\(text),tcp,,,,,,,,,") }
    }

    @Test(arguments: [
        ("tcp", TransportProtocol.tcp), ("TCP", .tcp), ("Udp", .udp), ("sctp", .sctp), ("DCCP", .dccp),
        (" udp ", .udp), ("", nil),
    ])
    func protocols(text: String, expected: TransportProtocol?) throws {
        #expect(try entry("svc,1,\(text),,,,,,,,,").transport == expected)
    }

    @Test func badProtocol() {
        expectDataError(at: "f.csv:2", "\"ddp\"") { _ = try entry("svc,1,ddp,,,,,,,,,") }
    }

    @Test func textFieldsAreCopiedAsTheyAre() throws {
        let found = try entry("svc,1,tcp,\" spaced \",\"a\r\nb\",\"q\"\"uote\",1992-07,,,,,")
        #expect(found.description == " spaced ")
        #expect(found.assignee == "a\r\nb")
        #expect(found.contact == "q\"uote")
        #expect(found.registrationDate == "1992-07")
    }

    // MARK: Back to fields

    static let sampleEntries: [CatalogEntry] = [
        CatalogEntry(source: .iana, service: "x11", ports: PortRange(low: 6000, high: 6063), transport: .udp),
        CatalogEntry(source: .iana, service: nil, ports: PortRange(port: 0), transport: .tcp, description: "Reserved"),
        CatalogEntry(source: .iana, service: "rdp", ports: nil, transport: nil, notes: "Defined TXT keys: None"),
        CatalogEntry(
            source: .iana, service: "sql*net", ports: PortRange(port: 66), transport: .dccp, description: "a, \"b\"\nc",
            assignee: "é", contact: "[x]", registrationDate: "1992-07", modificationDate: "2026-02-13",
            reference: "[RFC9915]", serviceCode: "X", unauthorizedUse: "u", notes: "n"),
    ]

    @Test(arguments: sampleEntries)
    func entryToFieldsToEntryIsTheIdentity(original: CatalogEntry) throws {
        let fields = IANAHeader.fields(of: original)
        #expect(fields.count == IANAHeader.columns.count)
        let header = try IANAHeader(CSVRecord(fields: IANAHeader.columns, line: 1), file: "f.csv")
        #expect(try header.entry(CSVRecord(fields: fields, line: 2), source: .iana, file: "f.csv") == original)
        // And through CSV text, as export then import does it.
        let text = CSVFormat.record(IANAHeader.columns) + CSVFormat.record(fields)
        #expect(try entries(text) == [original])
    }

    // MARK: The real IANA file

    @Test(.enabled(if: SharedData.isAvailable, SharedData.skipMessage))
    func realFile() throws {
        let parsed = try SharedData.ianaParsed.get()
        let header = try IANAHeader(parsed.header, file: SharedData.iana)
        let all = try parsed.records.map { record throws(RegistryError) in
            try header.entry(record, source: .iana, file: SharedData.iana)
        }
        #expect(all.count == 14_499)

        let x11 = all.filter { $0.service == "x11" }
        #expect(x11.map(\.transport) == [.tcp, .udp])
        #expect(x11.allSatisfy { $0.ports == PortRange(low: 6000, high: 6063) })
        #expect(x11.allSatisfy { $0.unauthorizedUse == "Known Unauthorized Use on port 6003" })

        let rdp = all.filter { $0.service == "rdp" }
        #expect(rdp.count == 2)
        #expect(rdp.allSatisfy { $0.ports == nil && $0.transport == nil })

        #expect(all.contains { $0.service == nil && $0.description == "Unassigned" })
        #expect(all.contains { $0.transport == .sctp })
        #expect(all.contains { $0.transport == .dccp })

        // fields(of:) gives IANA's text back, except "N-N" ports, which come back as "N".
        var rewritten: [String] = []
        for (record, entry) in zip(parsed.records, all) {
            let fields = IANAHeader.fields(of: entry)
            if fields != record.fields {
                #expect(fields[1] != record.fields[1] && Array(fields[2...]) == Array(record.fields[2...]))
                rewritten.append(record.fields[1])
            }
        }
        #expect(!rewritten.isEmpty)
        #expect(
            rewritten.allSatisfy { port in
                let halves = port.split(separator: "-")
                return halves.count == 2 && halves[0] == halves[1]
            })
    }
}
