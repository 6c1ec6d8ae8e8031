import ArgumentParser
import PortRegistry
import PortRegistryConfigScan

/// `check --format`: four renderings of the same findings.
enum CheckFormat: String, ExpressibleByArgument, CaseIterable {
    case text, json, github, sarif
}

enum CheckOutput {
    static func write(_ report: CheckReport, format: CheckFormat, to out: OutputStream = .standardOutput) {
        switch format {
        case .text: text(report, to: out)
        case .json: json(report, to: out)
        case .github: github(report, to: out)
        case .sarif: sarif(report, to: out)
        }
    }

    /// Text from config files, made unable to drive a terminal: control characters (C0, DEL,
    /// C1) and bidirectional overrides are written as `\u{…}` escapes.
    static func safe(_ text: String) -> String {
        guard text.unicodeScalars.contains(where: isUnsafe) else { return text }
        var result = ""
        for scalar in text.unicodeScalars {
            if isUnsafe(scalar) {
                result += "\\u{\(String(scalar.value, radix: 16))}"
            } else {
                result.unicodeScalars.append(scalar)
            }
        }
        return result
    }

    private static func isUnsafe(_ scalar: Unicode.Scalar) -> Bool {
        scalar.value < 0x20 || (0x7F...0x9F).contains(scalar.value) || (0x202A...0x202E).contains(scalar.value)
            || (0x2066...0x2069).contains(scalar.value)
    }

    static func summary(_ report: CheckReport) -> String {
        func count(_ number: Int, _ noun: String) -> String { "\(number) \(noun)\(number == 1 ? "" : "s")" }
        return
            "\(count(report.files, "file")), \(count(report.ports, "port")): \(count(report.errors, "error")), \(count(report.warnings, "warning"))"
    }

    // MARK: text

    /// `file:line: error: message [kind]`, the other side's `file:line: note: …` under it,
    /// then a summary line.
    static func text(_ report: CheckReport, to out: OutputStream) {
        for finding in report.findings {
            guard let first = finding.places.first else { continue }
            let severity =
                finding.severity == .error
                ? Style.red("error", on: out) : Style.yellow(finding.severity.rawValue, on: out)
            out.writeLine(
                "\(safe(first.location.description)): \(severity): \(safe(finding.message)) [\(finding.kind.rawValue)]")
            for other in finding.places.dropFirst() {
                let who = other.service.map { "\(safe($0)) is here" } ?? "the other side is here"
                out.writeLine("\(safe(other.location.description)): note: \(who)")
            }
        }
        out.writeLine(summary(report))
    }

    // MARK: json

    /// SPEC's document: `{"findings": [...], "summary": {...}}`, keys in SPEC's order.
    static func json(_ report: CheckReport, to out: OutputStream) {
        out.write("{\"findings\": [")
        for (index, finding) in report.findings.enumerated() {
            out.write(index == 0 ? "\n  " : ",\n  ")
            let fields: [(String, Cell)] = [
                ("severity", .text(finding.severity.rawValue)), ("kind", .text(finding.kind.rawValue)),
                ("port", .optional(finding.ports?.low)), ("port_end", .optional(finding.ports?.high)),
                ("protocol", .optional(finding.transport?.rawValue)), ("message", .text(finding.message)),
            ]
            let locations = finding.places.map { place in
                JSON.object([
                    ("file", .text(place.location.file)), ("line", .optional(place.location.line)),
                    ("service", .optional(place.service)),
                ])
            }
            // The object without its closing brace, then the nested locations array.
            out.write(String(JSON.object(fields).dropLast()))
            out.write(", \"locations\": [\(locations.joined(separator: ", "))]}")
        }
        out.write(report.findings.isEmpty ? "],\n" : "\n],\n")
        out.write(
            " \"summary\": \(JSON.object([("files", .int(report.files)), ("ports", .int(report.ports)), ("errors", .int(report.errors)), ("warnings", .int(report.warnings))]))}\n"
        )
    }

    // MARK: github

    /// GitHub Actions workflow commands: `::error file=F,line=L,title=T::message`, so that the
    /// findings show on the pull request's lines. The other side of a collision gets a
    /// `::notice` of its own, so a pull request that touches only that file shows it too
    /// (a registry finding names its CSV line in the message already).
    static func github(_ report: CheckReport, to out: OutputStream) {
        for finding in report.findings {
            guard let first = finding.places.first else { continue }
            let level = finding.severity == .error ? "error" : finding.severity == .warning ? "warning" : "notice"
            var message = finding.message
            let isCollision = finding.kind == .collision
            if isCollision && finding.places.count > 1 {
                message +=
                    " (see " + finding.places.dropFirst().map(\.location.description).joined(separator: ", ") + ")"
            }
            out.writeLine(command(level, place: first, title: "portreg \(finding.kind.rawValue)", message: message))
            for other in finding.places.dropFirst() where isCollision {
                out.writeLine(
                    command(
                        "notice", place: other, title: "portreg \(finding.kind.rawValue)",
                        message: "\(finding.message) (reported at \(first.location))"))
            }
        }
        out.writeLine(escapeData("portreg check: \(summary(report))"))
    }

    static func command(_ level: String, place: Finding.Place, title: String, message: String) -> String {
        var properties = ["file=\(escapeProperty(place.location.file))"]
        if let line = place.location.line { properties.append("line=\(line)") }
        properties.append("title=\(escapeProperty(title))")
        return "::\(level) \(properties.joined(separator: ","))::\(escapeData(message))"
    }

    /// GitHub's escaping of a command's message: `%`, CR and LF.
    static func escapeData(_ text: String) -> String {
        var result = ""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "%": result += "%25"
            case "\r": result += "%0D"
            case "\n": result += "%0A"
            default: result.unicodeScalars.append(scalar)
            }
        }
        return safe(result)
    }

    /// And of a property value: also `:` and `,`.
    static func escapeProperty(_ text: String) -> String {
        var result = ""
        for scalar in escapeData(text).unicodeScalars {
            switch scalar {
            case ":": result += "%3A"
            case ",": result += "%2C"
            default: result.unicodeScalars.append(scalar)
            }
        }
        return result
    }

    // MARK: sarif

    static let ruleText: [Finding.Kind: String] = [
        .collision: "Two services publish the same host socket (protocol, port and bind address overlap).",
        .registry: "The registry assigns this port to another service.",
        .registered: "The port is registered to other software in the port catalog.",
        .privileged: "A port below 1024 needs root or CAP_NET_BIND_SERVICE to bind.",
        .ephemeral: "The port is inside the ephemeral range, where outgoing connections can take it first.",
        .unregistered: "The registry does not assign this port to the service that publishes it.",
        .parse: "A config file that cannot be read as what its name or content says.",
    ]

    /// SARIF 2.1.0 for code scanning: one rule per kind, each result's first place as its
    /// location (`physicalLocation` with `region.startLine`) and the others as `relatedLocations`.
    static func sarif(_ report: CheckReport, to out: OutputStream) {
        let kinds = Finding.Kind.allCases
        let rules = kinds.map { kind in
            let level = kind == .collision || kind == .registry ? "error" : kind == .parse ? "error" : "warning"
            return
                "{\"id\": \(JSON.string(kind.rawValue)), \"name\": \(JSON.string(kind.rawValue)), \"shortDescription\": {\"text\": \(JSON.string(ruleText[kind] ?? kind.rawValue))}, \"defaultConfiguration\": {\"level\": \"\(level)\"}}"
        }
        var results: [String] = []
        for finding in report.findings {
            let index = kinds.firstIndex(of: finding.kind) ?? 0
            let level = finding.severity == .error ? "error" : finding.severity == .warning ? "warning" : "note"
            var result =
                "{\"ruleId\": \(JSON.string(finding.kind.rawValue)), \"ruleIndex\": \(index), \"level\": \"\(level)\", \"message\": {\"text\": \(JSON.string(finding.message))}"
            if let first = finding.places.first {
                result += ", \"locations\": [\(location(first, id: nil))]"
            }
            let related = finding.places.dropFirst().enumerated().map { location($0.element, id: $0.offset + 1) }
            if !related.isEmpty { result += ", \"relatedLocations\": [\(related.joined(separator: ", "))]" }
            results.append(result + "}")
        }
        out.write(
            """
            {"$schema": "https://json.schemastore.org/sarif-2.1.0.json", "version": "2.1.0", "runs": [{"tool": {"driver": {"name": "portreg", "version": "\(Portreg.configuration.version)", "rules": [\(rules.joined(separator: ", "))]}}, "columnKind": "unicodeCodePoints", "results": [
            """)
        out.write(results.isEmpty ? "" : "\n  " + results.joined(separator: ",\n  ") + "\n")
        out.write("]}]}\n")
    }

    static func location(_ place: Finding.Place, id: Int?) -> String {
        var physical = "\"artifactLocation\": {\"uri\": \(JSON.string(uri(place.location.file)))}"
        if let line = place.location.line, line > 0 { physical += ", \"region\": {\"startLine\": \(line)}" }
        var text = "{"
        if let id { text += "\"id\": \(id), " }
        text += "\"physicalLocation\": {\(physical)}"
        if let service = place.service { text += ", \"message\": {\"text\": \(JSON.string("service \(service)"))}" }
        return text + "}"
    }

    /// A relative path as a URI reference: each byte outside RFC 3986's unreserved set and `/`
    /// percent-encoded.
    static func uri(_ path: String) -> String {
        var result = ""
        for byte in path.utf8 {
            let isUnreserved =
                (0x41...0x5A).contains(byte) || (0x61...0x7A).contains(byte) || (0x30...0x39).contains(byte)
                || byte == 0x2D || byte == 0x2E || byte == 0x5F || byte == 0x7E || byte == 0x2F
            if isUnreserved {
                result.unicodeScalars.append(Unicode.Scalar(byte))
            } else {
                let hex = String(byte, radix: 16, uppercase: true)
                result += "%" + (hex.count == 1 ? "0" + hex : hex)
            }
        }
        return result
    }
}
