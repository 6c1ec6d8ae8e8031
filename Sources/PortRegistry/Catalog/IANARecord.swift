import PortRegistryFormats
import PortRegistryModel

/// The header of an IANA service-names CSV: which column holds what.
///
/// Columns are found by name, not position, so that a file saved by a spreadsheet with
/// reordered or extra columns still imports, and a file that is not IANA's fails on line 1
/// instead of producing garbage.
package struct IANAHeader: Sendable {
    /// IANA's column names, in IANA's order; export writes exactly these.
    package static let columns: [String] = [
        "Service Name", "Port Number", "Transport Protocol", "Description", "Assignee", "Contact",
        "Registration Date", "Modification Date", "Reference", "Service Code", "Unauthorized Use Reported",
        "Assignment Notes",
    ]

    private enum Column: Int, CaseIterable {
        case service, port, transport, description, assignee, contact, registrationDate, modificationDate
        case reference, serviceCode, unauthorizedUse, notes

        /// Lowercased names that mean this column.
        var names: [String] {
            switch self {
            // IANA renamed the column; both spellings occur in the wild.
            case .unauthorizedUse: ["unauthorized use reported", "known unauthorized uses"]
            default: [IANAHeader.columns[rawValue].lowercased()]
            }
        }

        static let required: [Column] = [.service, .port, .transport]
    }

    /// The index in a record of each `Column`, nil when the file lacks that column.
    private let positions: [Int?]
    private let fieldCount: Int

    package init(_ header: CSVRecord, file: String) throws(RegistryError) {
        let names = header.fields.map(IANAHeader.normalized)
        positions = Column.allCases.map { column in
            names.firstIndex { column.names.contains($0) }
        }
        fieldCount = header.fields.count
        let missing = Column.required.filter { positions[$0.rawValue] == nil }
        guard missing.isEmpty else {
            let list = missing.map { "\"\(IANAHeader.columns[$0.rawValue])\"" }.joined(separator: ", ")
            throw RegistryError.data(
                file: file, line: header.line,
                "not an IANA service-names CSV header: missing column \(list); IANA's header is "
                    + IANAHeader.columns.joined(separator: ","))
        }
    }

    /// The column `export --kind catalog` adds for a source other than iana, so that
    /// importing the file fills that source again (IANA's own files never have it).
    package static let sourceColumn = "Portreg Source"

    /// The source a file names in `sourceColumn` (its first record's value), nil without one.
    package static func declaredSource(header: [String], record: [String]) -> String? {
        guard let index = header.firstIndex(where: { normalized($0) == normalized(sourceColumn) }) else { return nil }
        return index < record.count ? record[index] : ""
    }

    /// True when `fields` (a first record) names the three columns an IANA file cannot lack.
    package static func looksLikeIANA(_ fields: [String]) -> Bool {
        let names = Set(fields.map(normalized))
        return Column.required.allSatisfy { column in column.names.contains { names.contains($0) } }
    }

    package func entry(_ record: CSVRecord, source: CatalogSource, file: String) throws(RegistryError) -> CatalogEntry {
        let fields = record.fields
        guard fields.count == fieldCount else {
            throw RegistryError.data(
                file: file, line: record.line, "expected \(fieldCount) fields, found \(fields.count)")
        }
        func value(_ column: Column) -> String {
            positions[column.rawValue].map { fields[$0] } ?? ""
        }

        let name = value(.service).trimmed()

        let portText = value(.port).trimmed()
        var ports: PortRange?
        if !portText.isEmpty {
            guard let range = IANAHeader.portRange(portText) else {
                throw RegistryError.data(
                    file: file, line: record.line,
                    "bad port \"\(portText)\": port must be 0-65535 or LO-HI")
            }
            ports = range
        }

        let protocolText = value(.transport).trimmed()
        var transport: TransportProtocol?
        if !protocolText.isEmpty {
            guard let parsed = IANAHeader.transport(protocolText) else {
                throw RegistryError.data(
                    file: file, line: record.line,
                    "bad transport protocol \"\(protocolText)\": expected tcp, udp, sctp, dccp or empty (tcp and udp)")
            }
            transport = parsed
        }

        return CatalogEntry(
            source: source, service: name.isEmpty ? nil : name, ports: ports, transport: transport,
            description: value(.description), assignee: value(.assignee), contact: value(.contact),
            registrationDate: value(.registrationDate), modificationDate: value(.modificationDate),
            reference: value(.reference), serviceCode: value(.serviceCode),
            unauthorizedUse: value(.unauthorizedUse), notes: value(.notes))
    }

    /// The record `entry` came from, in the order of `columns`; parsing it gives `entry` back
    /// (aliases aside, which IANA's format has no column for).
    package static func fields(of entry: CatalogEntry) -> [String] {
        [
            entry.service ?? "", entry.ports?.description ?? "", entry.transport?.rawValue ?? "",
            entry.description, entry.assignee, entry.contact, entry.registrationDate, entry.modificationDate,
            entry.reference, entry.serviceCode, entry.unauthorizedUse, entry.notes,
        ]
    }

    /// `8080`, `6000-6063`, tolerating spaces around the numbers (`6000 - 6063`).
    private static func portRange(_ text: String) -> PortRange? {
        if let range = asciiPortRange(text) { return range }
        let parts = text.split(separator: "-", maxSplits: 1, omittingEmptySubsequences: false)
        guard parts.count == 2 else { return PortRange(parsing: text) }
        return PortRange(parsing: parts[0].trimmed() + "-" + parts[1].trimmed())
    }

    /// The common case, on bytes: import parses 14,000 ports, and Character-level parsing
    /// costs more than reading the file.
    private static func asciiPortRange(_ text: String) -> PortRange? {
        var numbers = (0, 0)
        var digits = 0
        var sawDash = false
        for byte in text.utf8 {
            switch byte {
            case UInt8(ascii: "0")...UInt8(ascii: "9"):
                digits += 1
                guard digits <= 5 else { return nil }
                if sawDash {
                    numbers.1 = numbers.1 * 10 + Int(byte - UInt8(ascii: "0"))
                } else {
                    numbers.0 = numbers.0 * 10 + Int(byte - UInt8(ascii: "0"))
                }
            case UInt8(ascii: "-") where !sawDash && digits > 0:
                sawDash = true
                digits = 0
            default:
                return nil
            }
        }
        guard digits > 0 else { return nil }
        return sawDash ? PortRange(low: numbers.0, high: numbers.1) : PortRange(port: numbers.0)
    }

    private static func transport(_ text: String) -> TransportProtocol? {
        switch text {
        case "tcp": .tcp
        case "udp": .udp
        default: TransportProtocol(name: text)
        }
    }

    private static func normalized(_ name: String) -> String {
        name.trimmed().lowercased()
    }
}
