import PortRegistryFormats
import PortRegistryModel

/// One thing `check` reports: a value that the text, JSON, GitHub and SARIF renderers all
/// print, so the four formats never disagree.
package struct Finding: Hashable, Sendable {
    package enum Kind: String, CaseIterable, Sendable {
        /// Two services publish the same socket (error).
        case collision
        /// The registry assigns the port to another service (error).
        case registry
        /// The catalog registers the port to other software (warning).
        case registered
        /// Below 1024, for a process that binds the port itself (warning).
        case privileged
        /// Inside the ephemeral range (warning).
        case ephemeral
        /// `--strict`: the registry does not assign this port to this service (warning).
        case unregistered
        /// `--live`: a socket listening on this machine holds the port (error).
        case inUse = "in-use"
        /// The same app twice (a per-host copy, a second layout, a generated form): its
        /// collisions are warnings until `.portreg.yaml` says where each runs (error with
        /// `--strict`); also two folders of one Compose project name.
        case instance
        /// A config file that cannot be read as what its name or content says (error), or a
        /// port left unpublished by an unset variable (warning).
        case parse
    }

    /// A file, line and service that the finding is about; the first place is where it is
    /// reported, the others are the other sides (a collision's second service).
    package struct Place: Hashable, Sendable {
        package var location: SourceLocation
        package var service: String?

        package init(location: SourceLocation, service: String? = nil) {
            self.location = location
            self.service = service
        }
    }

    package var severity: Severity
    package var kind: Kind
    package var ports: PortRange?
    package var transport: TransportProtocol?
    package var message: String
    package var places: [Place]
    /// The claimants' identities (`ConfigCheck.claimant`: `compose:FOLDER/SERVICE`,
    /// `kubernetes:NAMESPACE/KIND/NAME`, `procfile:FILE:PROCESS`, `env:FOLDER`): what the
    /// fingerprint names instead of lines. A finding about a file gets its own at the end of
    /// `evaluate` (`CheckBaseline.rooted`).
    package var claimants: [String] = []

    package init(
        severity: Severity, kind: Kind, ports: PortRange? = nil, transport: TransportProtocol? = nil, message: String,
        places: [Place]
    ) {
        self.severity = severity
        self.kind = kind
        self.ports = ports
        self.transport = transport
        self.message = message
        self.places = places
    }

    /// What identifies this finding across unrelated edits, for `--baseline` and SARIF's
    /// `partialFingerprints`: kind, protocol, port span and the claimants sorted (a finding
    /// about a file: its path and message), never a line number. Space-separated tokens, each
    /// percent-encoded where it holds a space, `%`, `#` or a control character.
    package var fingerprint: String {
        var tokens = [kind.rawValue, transport?.rawValue ?? "-", ports?.description ?? "-"]
        if claimants.isEmpty {
            tokens += [places.first?.location.file ?? "-", message]
        } else {
            tokens += Set(claimants).sorted()
        }
        return tokens.map(Finding.fingerprintToken).joined(separator: " ")
    }

    /// The fingerprint's SHA-256, hexadecimal: SARIF's `partialFingerprints` value.
    package var fingerprintDigest: String {
        var hash = SHA256()
        hash.update(Array(fingerprint.utf8))
        return hash.finalize()
    }

    package static func fingerprintToken(_ text: String) -> String {
        guard !text.isEmpty else { return "%" }
        var out = ""
        for scalar in text.unicodeScalars {
            let value = scalar.value
            if value <= 0x20 || value == 0x25 || value == 0x23 || (0x7F...0x9F).contains(value) {
                for byte in String(scalar).utf8 {
                    let hex = String(byte, radix: 16, uppercase: true)
                    out += "%" + (hex.count == 1 ? "0" + hex : hex)
                }
            } else {
                out.unicodeScalars.append(scalar)
            }
        }
        return out
    }

    /// Report order: by file and line of the first place, then errors before warnings.
    package static func reportOrder(_ a: Finding, _ b: Finding) -> Bool {
        let left = a.places.first?.location ?? SourceLocation(file: "")
        let right = b.places.first?.location ?? SourceLocation(file: "")
        if left != right { return left < right }
        if a.severity != b.severity { return a.severity < b.severity }
        if a.kind != b.kind { return a.kind.rawValue < b.kind.rawValue }
        return (a.ports?.low ?? 0, a.message) < (b.ports?.low ?? 0, b.message)
    }
}

/// Text from a file of the tree in a message (SPEC "An untrusted tree"): quoted and cut at 64
/// characters, so a hostile value cannot flood the report; the renderers escape it for the
/// terminal.
package enum ConfigText {
    package static func quoted(_ text: String) -> String {
        let cut = text.count > 64 ? String(text.prefix(63)) + "…" : text
        return "'" + cut + "'"
    }
}

/// What one `check` run found.
package struct CheckReport: Sendable {
    package var findings: [Finding]
    /// Config files read (Compose, Kubernetes, Procfile, `.env`, registry CSV).
    package var files: Int
    /// Host ports published (one per port entry, a range counting once).
    package var ports: Int

    /// Set when a baseline was applied: how many findings it knew and how many of its entries
    /// no longer match.
    package var baseline: CheckBaseline.Applied?

    package init(findings: [Finding], files: Int, ports: Int) {
        self.findings = findings
        self.files = files
        self.ports = ports
    }

    package var errors: Int { findings.count { $0.severity == .error } }
    package var warnings: Int { findings.count { $0.severity == .warning } }

    /// A config file could not be read for what it is (exit 65 once everything is reported).
    package var hasUnparsableFile: Bool { findings.contains { $0.kind == .parse && $0.severity == .error } }
}
