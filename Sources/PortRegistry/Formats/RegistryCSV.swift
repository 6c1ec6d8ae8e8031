import PortRegistryModel

/// The registry CSV that a team keeps in git (SPEC.md): one assignment per row, header
/// `service,port,protocol,host,bind,owner,note,created_at,expires_at`, sorted by port,
/// protocol, host and service, LF line ends. Export then import then export is byte-identical.
package enum RegistryCSV {
    package static let header = [
        "service", "port", "protocol", "host", "bind", "owner", "note", "created_at", "expires_at",
    ]

    /// True when a CSV header is the registry's (column order as exported).
    package static func isRegistryHeader(_ fields: [String]) -> Bool {
        fields.map { $0.lowercased().trimmed() } == header
    }

    package static func fields(_ assignment: Assignment) -> [String] {
        [
            assignment.service, assignment.ports.description, assignment.transport.rawValue, assignment.host.name,
            assignment.bind.text, assignment.owner, assignment.note, assignment.createdAt, assignment.expiresAt ?? "",
        ]
    }

    /// The header record, LF-terminated, as bytes (the start of every export).
    package static let headerBytes: [UInt8] = Array((header.joined(separator: ",") + "\n").utf8)

    /// Writes one record into `line` straight from a backend's column buffers, with no
    /// String in between (a million rows export in about a second): `field(i, append)` hands
    /// the bytes of text column `i` (0 service, 3 protocol … 9 expiry, empty when none);
    /// `low` and `high` are the ports. Quoting is `CSVFormat.append`'s.
    package static func record(
        into line: inout [UInt8], low: Int, high: Int,
        field: (_ column: Int, _ append: (UnsafeBufferPointer<UInt8>) -> Void) -> Void
    ) {
        line.removeAll(keepingCapacity: true)
        field(0) { CSVFormat.append($0, to: &line) }
        line.append(0x2C)
        line.append(contentsOf: String(low).utf8)
        if high != low {
            line.append(0x2D)
            line.append(contentsOf: String(high).utf8)
        }
        for column in 3...9 {
            line.append(0x2C)
            field(column) { CSVFormat.append($0, to: &line) }
        }
        line.append(0x0A)
    }

    package static func line(_ assignment: Assignment) -> String {
        CSVFormat.record(fields(assignment), terminator: "\n")
    }

    /// Parses one data record; every problem names the file and line.
    package static func assignment(_ record: CSVRecord, file: String) throws -> Assignment {
        func fail(_ message: String) -> RegistryError { .data(file: file, line: record.line, message) }
        let fields = record.fields
        guard fields.count == header.count else {
            throw fail("expected \(header.count) fields (\(header.joined(separator: ","))), found \(fields.count)")
        }
        let service = fields[0]
        do { _ = try ServiceName.validate(service) } catch let error as RegistryError { throw fail(error.message) }
        guard let ports = PortRange(parsing: fields[1]), ports.low > 0 else {
            throw fail("invalid port '\(fields[1])': \(PortSpec.rule)")
        }
        guard let transport = TransportProtocol(name: fields[2].isEmpty ? "tcp" : fields[2]) else {
            throw fail("invalid protocol '\(fields[2])': use tcp, udp, sctp or dccp")
        }
        guard let host = HostScope(parsing: fields[3].isEmpty ? "*" : fields[3]) else {
            throw fail("invalid host '\(fields[3])': a host name, an environment name, or * for every host")
        }
        guard let bind = BindAddress(parsing: fields[4]) else {
            throw fail("invalid bind address '\(fields[4])': an IPv4 or IPv6 address, 0.0.0.0, :: or *")
        }
        guard fields[7].isEmpty || Timestamp.isValid(fields[7]) else {
            throw fail("invalid created_at '\(fields[7])': use RFC 3339 UTC, e.g. 2026-11-27T10:00:00Z")
        }
        guard fields[8].isEmpty || Timestamp.isValid(fields[8]) else {
            throw fail("invalid expires_at '\(fields[8])': use RFC 3339 UTC, e.g. 2026-11-27T10:00:00Z")
        }
        return Assignment(
            service: service, ports: ports, transport: transport, host: host, bind: bind,
            owner: fields[5], note: fields[6], createdAt: fields[7], expiresAt: fields[8].isEmpty ? nil : fields[8])
    }
}
