import PortRegistryModel
import ArgumentParser
import PortRegistry
import PortRegistryConfigScan

/// `check --format`: four renderings of the same findings.
enum CheckFormat: String, ExpressibleByArgument, CaseIterable {
    case text, json, github, sarif
}

enum CheckOutput {
    /// Writes `report` to `out`; `github` also appends the Markdown report to the file that
    /// `GITHUB_STEP_SUMMARY` names, when it is set (throws an I/O error when that fails).
    static func write(
        _ report: CheckReport, format: CheckFormat, to out: OutputStream = .standardOutput, notes: [String] = []
    ) throws {
        switch format {
        case .text: text(report, to: out, notes: notes)
        case .json: out.write(json(report).text(newline: true))
        case .github:
            github(report, to: out)
            try CheckStepSummary.appendIfRequested(report)
        case .sarif: out.write(sarif(report).text(newline: true))
        }
    }

    static func summary(_ report: CheckReport) -> String {
        func count(_ number: Int, _ noun: String) -> String { "\(number) \(noun)\(number == 1 ? "" : "s")" }
        return
            "\(count(report.files, "file")), \(count(report.ports, "port")): \(count(report.errors, "error")), \(count(report.warnings, "warning"))"
    }

    // MARK: text

    /// Other locations shown under a finding on a terminal; piped output shows them all.
    static let terminalLocations = 5

    /// `file:line: error: message [kind]`, the other locations' `file:line: note: …` under it
    /// (on a terminal the first few and "and N more"), then a summary line and any notes
    /// (the baseline's counts).
    static func text(_ report: CheckReport, to out: OutputStream, notes: [String] = []) {
        let limit = out.isTerminal ? terminalLocations : Int.max
        for finding in report.findings {
            guard let first = finding.places.first else { continue }
            let severity =
                finding.severity == .error
                ? Style.red("error", on: out) : Style.yellow(finding.severity.rawValue, on: out)
            out.writeLine(
                "\(TerminalText.visible(first.location.description)): \(severity): \(TerminalText.visible(finding.message)) [\(finding.kind.rawValue)]"
            )
            let others = finding.places.dropFirst()
            for other in others.prefix(limit) {
                let who = other.service.map { "\(TerminalText.visible($0)) is here" } ?? "the other side is here"
                out.writeLine("\(TerminalText.visible(other.location.description)): note: \(who)")
            }
            if others.count > limit {
                out.writeLine("  and \(others.count - limit) more (every location: --format json)")
            }
        }
        out.writeLine(summary(report))
        if let line = baselineLine(report) { out.writeLine(TerminalText.visible(line)) }
        for note in notes { out.writeLine(TerminalText.visible(note)) }
    }

    /// `baseline FILE: 3 known findings not shown, 1 entry no longer matches`.
    static func baselineLine(_ report: CheckReport) -> String? {
        guard let applied = report.baseline else { return nil }
        let known = "\(applied.known) known finding\(applied.known == 1 ? "" : "s") not shown"
        let stale =
            "\(applied.stale) entr\(applied.stale == 1 ? "y" : "ies") no longer match\(applied.stale == 1 ? "es" : "")"
        // The entries by name (a few), so that a stale one can be found and removed.
        var named = applied.staleEntries.prefix(5).joined(separator: "; ")
        if applied.stale > 5 { named += "; and \(applied.stale - 5) more" }
        return "baseline \(applied.file): \(known), \(stale)" + (named.isEmpty ? "" : ": " + named)
    }

    // MARK: json

    /// SPEC's document: `{"findings": [...], "summary": {...}}`, keys in SPEC's order, every
    /// location of every finding.
    static func json(_ report: CheckReport) -> JSONValue {
        let findings = report.findings.map { finding -> JSONValue in
            let locations = finding.places.map { place -> JSONValue in
                .object([
                    ("file", .string(place.location.file)), ("line", .optional(place.location.line)),
                    ("service", .optional(place.service)),
                ])
            }
            return .object([
                ("severity", .string(finding.severity.rawValue)), ("kind", .string(finding.kind.rawValue)),
                ("port", .optional(finding.ports?.low)), ("port_end", .optional(finding.ports?.high)),
                ("protocol", .optional(finding.transport?.rawValue)), ("message", .string(finding.message)),
                ("locations", .array(locations)),
            ])
        }
        let summary: JSONValue = .object([
            ("files", .int(report.files)), ("ports", .int(report.ports)), ("errors", .int(report.errors)),
            ("warnings", .int(report.warnings)),
        ])
        var members: [(String, JSONValue)] = [("findings", .array(findings, lines: true)), ("summary", summary)]
        if let applied = report.baseline {
            members.append(
                (
                    "baseline",
                    .object([
                        ("file", .string(applied.file)), ("known", .int(applied.known)), ("stale", .int(applied.stale)),
                        ("stale_entries", .array(applied.staleEntries.map { .string($0) })),
                    ])
                ))
        }
        return .object(members, lines: true)
    }

    // MARK: github

    /// Locations named in the primary annotation's "(see …)".
    static let namedLocations = 5

    /// GitHub Actions workflow commands: `::error file=F,line=L,title=T::message`, so that the
    /// findings show on the pull request's lines. GitHub shows at most 10 error and 10 warning
    /// annotations per step, so each finding gets one, at its primary location (a collision's
    /// names the first few others), errors first; every location is in the step summary
    /// (`GITHUB_STEP_SUMMARY`, CheckStepSummary), written when that variable is set.
    static func github(_ report: CheckReport, to out: OutputStream) {
        for finding in errorsFirst(report.findings) {
            guard let first = finding.places.first else { continue }
            let level = finding.severity == .error ? "error" : finding.severity == .warning ? "warning" : "notice"
            let title = "portreg \(finding.kind.rawValue)"
            var message = finding.message
            let others = finding.places.dropFirst()
            if finding.kind == .collision && !others.isEmpty {
                let named = others.prefix(namedLocations).map(\.location.description).joined(separator: ", ")
                let more = others.count > namedLocations ? " and \(others.count - namedLocations) more" : ""
                message += " (see \(named)\(more))"
            }
            out.writeLine(command(level, place: first, title: title, message: message))
        }
        out.writeLine(escapeData("portreg check: \(summary(report))"))
        if let line = baselineLine(report) { out.writeLine(escapeData("portreg check: \(line)")) }
    }

    /// The findings with errors before warnings before notes, each group in report order.
    static func errorsFirst(_ findings: [Finding]) -> [Finding] {
        findings.enumerated().sorted { ($0.element.severity, $0.offset) < ($1.element.severity, $1.offset) }.map(
            \.element)
    }

    static func command(_ level: String, place: Finding.Place, title: String, message: String) -> String {
        var properties = ["file=\(escapeProperty(place.location.file))"]
        if let line = place.location.line { properties.append("line=\(line)") }
        properties.append("title=\(escapeProperty(title))")
        return "::\(level) \(properties.joined(separator: ","))::\(escapeData(message))"
    }

    /// GitHub's escaping of a command's message: `%`, CR and LF; then the terminal escaper
    /// (a workflow log is shown on a terminal too).
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
        return TerminalText.visible(result)
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
        .inUse: "A socket on this machine already listens on the port (--live).",
        .instance: "The same app deployed twice (a per-host copy, a second layout): collisions between the two copies.",
        .parse: "A config file that cannot be read as what its name or content says.",
    ]

    /// SARIF 2.1.0 for code scanning: one rule per kind, each result's first place as its
    /// location (`physicalLocation` with `region.startLine`), the others as
    /// `relatedLocations`, and the baseline's fingerprint in `partialFingerprints`.
    static func sarif(_ report: CheckReport) -> JSONValue {
        let kinds = Finding.Kind.allCases
        let rules = kinds.map { kind -> JSONValue in
            let level = [.collision, .registry, .parse, .inUse].contains(kind) ? "error" : "warning"
            return .object([
                ("id", .string(kind.rawValue)), ("name", .string(kind.rawValue)),
                ("shortDescription", .object([("text", .string(ruleText[kind] ?? kind.rawValue))])),
                ("defaultConfiguration", .object([("level", .string(level))])),
            ])
        }
        let results = report.findings.map { finding -> JSONValue in
            let level = finding.severity == .error ? "error" : finding.severity == .warning ? "warning" : "note"
            var members: [(String, JSONValue)] = [
                ("ruleId", .string(finding.kind.rawValue)),
                ("ruleIndex", .int(kinds.firstIndex(of: finding.kind) ?? 0)),
                ("level", .string(level)), ("message", .object([("text", .string(finding.message))])),
            ]
            if let first = finding.places.first { members.append(("locations", .array([location(first, id: nil)]))) }
            let related = finding.places.dropFirst().enumerated().map { location($0.element, id: $0.offset + 1) }
            if !related.isEmpty { members.append(("relatedLocations", .array(related))) }
            members.append(("partialFingerprints", .object([("portreg/v1", .string(finding.fingerprintDigest))])))
            return .object(members)
        }
        let driver: JSONValue = .object([
            ("name", .string("portreg")), ("version", .string(Portreg.configuration.version)),
            ("rules", .array(rules)),
        ])
        let run: JSONValue = .object([
            ("tool", .object([("driver", driver)])), ("columnKind", .string("unicodeCodePoints")),
            ("results", .array(results, lines: true)),
        ])
        return .object([
            ("$schema", .string("https://json.schemastore.org/sarif-2.1.0.json")), ("version", .string("2.1.0")),
            ("runs", .array([run])),
        ])
    }

    static func location(_ place: Finding.Place, id: Int?) -> JSONValue {
        var physical: [(String, JSONValue)] = [
            ("artifactLocation", .object([("uri", .string(uri(place.location.file)))]))
        ]
        if let line = place.location.line, line > 0 {
            physical.append(("region", .object([("startLine", .int(line))])))
        }
        var members: [(String, JSONValue)] = []
        if let id { members.append(("id", .int(id))) }
        members.append(("physicalLocation", .object(physical)))
        if let service = place.service {
            members.append(("message", .object([("text", .string("service \(service)"))])))
        }
        return .object(members)
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
