import PortRegistryFormats
import PortRegistryModel

/// `check --baseline FILE` / `--write-baseline FILE`: the error findings a repository already
/// had when it adopted the gate, so that only new ones fail it.
///
/// The file is text, one finding per line, sorted, so that it diffs and merges like code:
///
///     # portreg check baseline: known error findings, one per line (kind protocol ports claimants…).
///     collision tcp 8080 billing/billing shop/storefront
///
/// A line is the finding's fingerprint (`Finding.fingerprint`): kind, protocol, port span
/// and the claimants' `project/service` sorted, never a line number, so unrelated edits do
/// not make an entry stale. Blank lines and `#` comments are ignored.
package struct CheckBaseline: Sendable, Equatable {
    package var fingerprints: Set<String>

    package init(fingerprints: Set<String>) { self.fingerprints = fingerprints }

    /// The error findings of `report`.
    package init(recording report: CheckReport) {
        fingerprints = Set(report.findings.filter { $0.severity == .error }.map(\.fingerprint))
    }

    package static let header =
        "# portreg check baseline: known error findings, one per line (kind protocol ports claimants...)."

    /// The file's text.
    package var text: String {
        ([CheckBaseline.header] + fingerprints.sorted()).joined(separator: "\n") + "\n"
    }

    /// Reads a baseline; a missing file is 66, a line that is not a fingerprint 65 with its
    /// file and line.
    package static func read(_ path: String) throws -> CheckBaseline {
        try parse(try TextFile.read(path), file: path)
    }

    /// A baseline's text (LF or CRLF line ends, a UTF-8 byte order mark ignored), named
    /// `file` in errors.
    package static func parse(_ text: String, file path: String) throws -> CheckBaseline {
        var fingerprints = Set<String>()
        let text =
            text.unicodeScalars.first == "\u{FEFF}" ? Substring(text.unicodeScalars.dropFirst()) : Substring(text)
        for (index, line) in text.lines().enumerated() {
            if line.allSatisfy({ $0 == " " || $0 == "\t" }) || line.hasPrefix("#") { continue }
            let tokens = line.split(separator: " ", omittingEmptySubsequences: false)
            let problem: String? =
                if tokens.count < 4 || tokens.contains(where: \.isEmpty) {
                    "not a baseline entry: 'KIND PROTOCOL PORTS CLAIMANT...' separated by single spaces"
                } else if Finding.Kind(rawValue: String(tokens[0])) == nil {
                    "unknown kind '\(tokens[0])': one of \(Finding.Kind.allCases.map(\.rawValue).joined(separator: ", "))"
                } else if tokens[1] != "-" && TransportProtocol(rawValue: String(tokens[1])) == nil {
                    "unknown protocol '\(tokens[1])': tcp, udp, sctp or -"
                } else if tokens[2] != "-" && PortRange(parsing: tokens[2]) == nil {
                    "invalid ports '\(tokens[2])': a port, LO-HI or -"
                } else {
                    nil
                }
            if let problem { throw RegistryError.data(file: path, line: index + 1, problem) }
            fingerprints.insert(String(line))
        }
        return CheckBaseline(fingerprints: fingerprints)
    }

    /// What applying a baseline did to a report.
    package struct Applied: Sendable, Equatable {
        package var file: String
        /// Findings of the run that the baseline knew (not reported).
        package var known: Int
        /// Baseline entries that no finding of the run matched (fixed, or changed).
        package var stale: Int
    }

    /// `report` without the error findings the baseline knows.
    package func apply(to report: CheckReport, file: String) -> CheckReport {
        var matched = Set<String>()
        var known = 0
        var result = report
        result.findings = report.findings.filter { finding in
            guard finding.severity == .error else { return true }
            let fingerprint = finding.fingerprint
            guard fingerprints.contains(fingerprint) else { return true }
            matched.insert(fingerprint)
            known += 1
            return false
        }
        result.baseline = Applied(file: file, known: known, stale: fingerprints.count - matched.count)
        return result
    }
}
