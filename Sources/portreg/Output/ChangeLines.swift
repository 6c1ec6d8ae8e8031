import PortRegistry
import PortRegistryCatalog
import PortRegistryModel

/// The lines `import --verbose` writes on stderr, one per change, in the shape of a diff:
/// `+ billing 8080/tcp owner: pay`, `~ billing 8080/tcp owner: alpha → beta`,
/// `- billing 8080/tcp`. Text from the file is escaped so it cannot drive the terminal.
enum ChangeLines {
    static func line(_ change: AssignmentChange) -> String {
        switch change {
        case .added(let assignment):
            var fields: [String] = []
            if !assignment.owner.isEmpty { fields.append("owner: \(assignment.owner)") }
            if !assignment.note.isEmpty { fields.append("note: \(assignment.note)") }
            if let expires = assignment.expiresAt { fields.append("expires: \(expires)") }
            return "+ " + claim(assignment) + (fields.isEmpty ? "" : " " + fields.joined(separator: ", "))
        case .updated(let old, let new):
            var fields: [String] = []
            if old.owner != new.owner { fields.append("owner: \(shown(old.owner)) → \(shown(new.owner))") }
            if old.note != new.note { fields.append("note: \(shown(old.note)) → \(shown(new.note))") }
            if old.expiresAt != new.expiresAt {
                fields.append("expires: \(old.expiresAt ?? "never") → \(new.expiresAt ?? "never")")
            }
            return "~ " + claim(new) + " " + fields.joined(separator: ", ")
        case .removed(let assignment):
            return "- " + claim(assignment)
        }
    }

    static func line(_ change: CatalogChange, source: CatalogSource) -> String {
        let mark =
            switch change.kind {
            case .added: "+"
            case .removed: "-"
            case .changed: "~"
            }
        let ports = change.ports.map { "\($0)/\(change.transport?.rawValue ?? "tcp+udp")" } ?? "(no port)"
        return "\(mark) \(source.rawValue) \(change.service ?? "(unassigned)") \(ports)"
    }

    /// `billing 8080/tcp`, with the host and bind when they are not the defaults.
    static func claim(_ assignment: Assignment) -> String {
        var text = "\(assignment.service) \(assignment.ports)/\(assignment.transport.rawValue)"
        if !assignment.host.isEverywhere { text += " host \(assignment.host.name)" }
        if assignment.bind.text != "*" { text += " bind \(assignment.bind.text)" }
        return text
    }

    static func shown(_ text: String) -> String { text.isEmpty ? "\"\"" : text }

    /// Writes `text` on stderr through the one escaper, `TerminalText.visible`.
    static func write(_ text: String) {
        OutputStream.standardError.writeLine(TerminalText.visible(text))
        OutputStream.standardError.flush()
    }
}
