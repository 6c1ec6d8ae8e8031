import PortRegistryModel
import PortRegistry
import PortRegistryConfigScan

/// `check --list`: the claims a tree makes instead of the findings, in every format, so a
/// user can see why a finding is absent (the claim runs in another deployment, is the same
/// app as another folder's, or publishes nothing).
enum CheckListing {
    static func write(
        _ claims: [ListedClaim], files: Int, format: CheckFormat, to out: OutputStream = .standardOutput
    ) {
        switch format {
        case .text:
            for claim in claims { out.writeLine(TerminalText.visible(line(claim))) }
            out.writeLine(
                "\(files) file\(files == 1 ? "" : "s"), \(claims.count) entr\(claims.count == 1 ? "y" : "ies")")
        case .json:
            out.write(
                JSONValue.object(
                    [
                        ("claims", .array(claims.map(json), lines: true)),
                        ("summary", .object([("files", .int(files)), ("entries", .int(claims.count))])),
                    ], lines: true
                ).text(newline: true))
        case .github:
            for claim in claims {
                out.writeLine(
                    "::notice file=\(CheckOutput.escapeProperty(claim.location.file)),line=\(claim.location.line ?? 1),title=\(CheckOutput.escapeProperty("portreg claim"))::\(CheckOutput.escapeData(line(claim, withLocation: false)))"
                )
            }
        case .sarif:
            out.write(sarif(claims).text(newline: true))
        }
    }

    /// `compose.yaml:5: service web: 8080/tcp on * (docker host, host *); runs in base, compose.prod.yaml`.
    static func line(_ claim: ListedClaim, withLocation: Bool = true) -> String {
        var text = withLocation ? "\(claim.location): " : ""
        text += claim.service + ": "
        if let silence = claim.silence, claim.ports == nil {
            return text + "publishes nothing (\(silence))"
        }
        if let ports = claim.ports, let transport = claim.transport {
            text += "\(ports)/\(transport.rawValue) on \(claim.bind ?? "*") (\(claim.scope), host \(claim.host))"
        }
        if let silence = claim.silence { text += "; not judged (\(silence))" }
        if !claim.runsIn.isEmpty { text += "; runs in " + claim.runsIn.joined(separator: ", ") }
        if !claim.sameAppAs.isEmpty { text += "; the same app as " + claim.sameAppAs.joined(separator: ", ") }
        return text
    }

    static func json(_ claim: ListedClaim) -> JSONValue {
        .object([
            ("file", .string(claim.location.file)), ("line", claim.location.line.map(JSONValue.int) ?? .null),
            ("service", .string(claim.service)),
            ("port", claim.ports.map { .int($0.low) } ?? .null),
            ("port_end", claim.ports.map { .int($0.high) } ?? .null),
            ("protocol", claim.transport.map { .string($0.rawValue) } ?? .null),
            ("bind", claim.bind.map(JSONValue.string) ?? .null), ("scope", .string(claim.scope)),
            ("host", .string(claim.host)), ("runs_in", .array(claim.runsIn.map(JSONValue.string))),
            ("same_app_as", .array(claim.sameAppAs.map(JSONValue.string))),
            ("publishes", .bool(claim.ports != nil && claim.silence == nil)),
            ("reason", claim.silence.map(JSONValue.string) ?? .null),
        ])
    }

    /// SARIF 2.1.0: one `note` result per entry, rule `claim`.
    static func sarif(_ claims: [ListedClaim]) -> JSONValue {
        let results: [JSONValue] = claims.map { claim in
            .object([
                ("ruleId", .string("claim")), ("level", .string("note")),
                ("message", .object([("text", .string(line(claim, withLocation: false)))])),
                (
                    "locations",
                    .array([
                        .object([
                            (
                                "physicalLocation",
                                .object([
                                    ("artifactLocation", .object([("uri", .string(claim.location.file))])),
                                    ("region", .object([("startLine", .int(claim.location.line ?? 1))])),
                                ])
                            )
                        ])
                    ])
                ),
            ])
        }
        let driver: JSONValue = .object([
            ("name", .string("portreg")),
            (
                "rules",
                .array([
                    .object([
                        ("id", .string("claim")),
                        ("shortDescription", .object([("text", .string("A host port a config file publishes."))])),
                    ])
                ])
            ),
        ])
        return .object([
            ("$schema", .string("https://json.schemastore.org/sarif-2.1.0.json")), ("version", .string("2.1.0")),
            (
                "runs",
                .array([.object([("tool", .object([("driver", driver)])), ("results", .array(results, lines: true))])])
            ),
        ])
    }
}
