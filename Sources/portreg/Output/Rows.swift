import PortRegistry
import PortRegistryModel
import PortRegistrySearch

/// Column sets shared by the commands that show catalog rows and assignments, so the same
/// thing has the same JSON keys everywhere.
enum Rows {
    static let entryColumns: [ResultTable.Column] = [
        .init(key: "service", title: "SERVICE"),
        .init(key: "port", title: "PORT"),
        .init(key: "port_end", title: "END", inTable: false),
        .init(key: "protocol", title: "PROTO"),
        .init(key: "source", title: "SOURCE"),
        .init(key: "description", title: "DESCRIPTION"),
        .init(key: "host", title: "HOST", inTable: false),
        .init(key: "bind", title: "BIND", inTable: false),
        .init(key: "owner", title: "OWNER", inTable: false),
        .init(key: "note", title: "NOTE", inTable: false),
        .init(key: "expires_at", title: "EXPIRES", inTable: false),
    ]

    /// A catalog row: ports shown as `6000-6063`, protocol `tcp+udp` when the row has none.
    static func cells(_ entry: CatalogEntry) -> [Cell] {
        let description = entry.service == nil && entry.description.isEmpty ? "Unassigned" : entry.description
        return [
            .optional(entry.service), portCell(entry.ports), .optional(entry.ports?.high),
            .text(entry.transport?.rawValue ?? (entry.ports == nil ? "" : "tcp+udp")),
            .text(entry.source.rawValue), .text(description),
            .null, .null, .null, entry.notes.isEmpty ? .null : .text(entry.notes), .null,
        ]
    }

    /// A registration: its best row, `source` listing every source that has it (`iana,system`).
    static func cells(_ registration: Registration) -> [Cell] {
        var cells = cells(registration.entry)
        cells[4] = .text(registration.sourceList)
        return cells
    }

    /// An assignment in the same columns, source "assigned".
    static func cells(_ assignment: Assignment) -> [Cell] {
        var description = assignment.host.isEverywhere ? "assigned" : "assigned on \(assignment.host.name)"
        if assignment.bind.text != "*" { description += " at \(assignment.bind.text)" }
        if !assignment.owner.isEmpty { description += " to \(assignment.owner)" }
        if let expires = assignment.expiresAt { description += " until \(expires)" }
        return [
            .text(assignment.service), portCell(assignment.ports), .int(assignment.ports.high),
            .text(assignment.transport.rawValue), .text("assigned"), .text(description),
            .text(assignment.host.name), .text(assignment.bind.text), .text(assignment.owner),
            .text(assignment.note), .optional(assignment.expiresAt),
        ]
    }

    static func portCell(_ ports: PortRange?) -> Cell { ports.map(Cell.ports) ?? .null }

    static let assignmentColumns: [ResultTable.Column] = [
        .init(key: "service", title: "SERVICE"),
        .init(key: "port", title: "PORT"),
        .init(key: "port_end", title: "END", inTable: false),
        .init(key: "protocol", title: "PROTO"),
        .init(key: "host", title: "HOST"),
        .init(key: "bind", title: "BIND"),
        .init(key: "owner", title: "OWNER"),
        .init(key: "note", title: "NOTE"),
        .init(key: "created_at", title: "CREATED", inTable: false),
        .init(key: "expires_at", title: "EXPIRES"),
    ]

    static func assignmentCells(_ assignment: Assignment) -> [Cell] {
        [
            .text(assignment.service), .ports(assignment.ports), .int(assignment.ports.high),
            .text(assignment.transport.rawValue), .text(assignment.host.name), .text(assignment.bind.text),
            .text(assignment.owner), .text(assignment.note), .text(assignment.createdAt),
            .optional(assignment.expiresAt),
        ]
    }

    /// An assignment as JSON key-value pairs: the keys of `assignmentColumns`, the one list
    /// of them (`list --format json` and `export --format json` agree).
    static func assignmentPairs(_ assignment: Assignment) -> [(String, Cell)] {
        Array(zip(assignmentColumns.map(\.key), assignmentCells(assignment)))
    }
}
