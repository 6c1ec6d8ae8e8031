import PortRegistryFormats
import PortRegistryModel

/// `check --baseline FILE` / `--write-baseline FILE`: the error findings a repository already
/// had when it adopted the gate, so that only new ones fail it.
///
/// The file is text, one finding per line, sorted, so that it diffs and merges like code:
///
///     # portreg check baseline: known error findings, one per line (kind protocol ports claimants…).
///     collision tcp 8080 compose:billing/billing compose:shop/storefront
///
/// A line is the finding's fingerprint (`Finding.fingerprint`): kind, protocol, port span
/// and the claimants' identities sorted (`ConfigCheck.claimant`: config kind, project or
/// namespace, service, object or process, paths relative to the checked PATH), never a line
/// number, so unrelated edits do not make an entry stale. Blank lines and `#` comments are
/// ignored.
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
        /// Baseline entries that no finding of the run matched (fixed, or changed), sorted.
        package var staleEntries: [String] = []
        package var stale: Int { staleEntries.count }
    }

    /// `report` without the error findings the baseline knows. A collision that a known one
    /// grew into (the same kind, protocol and ports, and every known claimant, plus others)
    /// is new, and its message names the newcomers; its entry is not stale.
    package func apply(to report: CheckReport, file: String) -> CheckReport {
        var matched = Set<String>()
        var known = 0
        var bySpan: [String: [(entry: String, claimants: Set<String>)]] = [:]
        for entry in fingerprints {
            let tokens = entry.split(separator: " ").map(String.init)
            guard tokens.count > 3 else { continue }
            bySpan[tokens[0..<3].joined(separator: " "), default: []].append((entry, Set(tokens[3...])))
        }
        var result = report
        result.findings = report.findings.compactMap { finding in
            guard finding.severity == .error else { return finding }
            let fingerprint = finding.fingerprint
            if fingerprints.contains(fingerprint) {
                matched.insert(fingerprint)
                known += 1
                return nil
            }
            guard finding.kind != .parse, !finding.claimants.isEmpty else { return finding }
            let tokens = fingerprint.split(separator: " ").map(String.init)
            let claimants = Set(tokens.dropFirst(3))
            let grown = bySpan[tokens.prefix(3).joined(separator: " ")]?
                .filter { $0.claimants.isStrictSubset(of: claimants) }
                .max { ($0.claimants.count, $1.entry) < ($1.claimants.count, $0.entry) }
            guard let grown else { return finding }
            matched.insert(grown.entry)
            var joined = finding
            joined.message +=
                "; new since the baseline: " + claimants.subtracting(grown.claimants).sorted().joined(separator: ", ")
            return joined
        }
        result.baseline = Applied(file: file, known: known, staleEntries: fingerprints.subtracting(matched).sorted())
        return result
    }

    /// A path inside a claimant's identity, to be made relative to the checked PATH by
    /// `rooted` (NUL never occurs in a path).
    package static func marked(_ path: String) -> String { "\u{0}\(path)\u{0}" }

    /// `findings` with every marked path of their claimants relative to the first of `roots`
    /// (the config root, else the checked PATHs) that holds it, and findings about a file
    /// (`parse`) given claimants of their own: the file (relative likewise), the service,
    /// the message, and `#N` for the N-th finding alike in one file, so a second bad port
    /// with the same message is a new entry, not hidden by the first.
    /// One claimant with its marked paths made relative to the first of `roots` that holds
    /// them, as `rooted` writes it into a fingerprint.
    package static func rootedClaimant(_ claimant: String, roots: [String]) -> String {
        guard claimant.contains("\u{0}") else { return claimant }
        return claimant.split(separator: "\u{0}", omittingEmptySubsequences: false).enumerated().map { part in
            guard part.offset % 2 == 1 else { return String(part.element) }
            let path = String(part.element)
            return roots.lazy.compactMap { CheckConfig.relative(path, to: $0) }.first ?? ConfigFile.normalize(path)
        }.joined()
    }

    package static func rooted(_ findings: [Finding], roots: [String]) -> [Finding] {
        var cache: [String: String] = [:]
        func relative(_ path: String) -> String {
            if let known = cache[path] { return known }
            let result =
                roots.lazy.compactMap { CheckConfig.relative(path, to: $0) }.first ?? ConfigFile.normalize(path)
            cache[path] = result
            return result
        }
        var occurrences: [[String]: Int] = [:]
        return findings.map { finding in
            var finding = finding
            if finding.claimants.isEmpty, let first = finding.places.first {
                var identity = [finding.kind.rawValue + ":" + relative(first.location.file)]
                if let service = first.service { identity.append("service:" + service) }
                identity.append(finding.message)
                let count = occurrences[identity, default: 0] + 1
                occurrences[identity] = count
                if count > 1 { identity.append("#\(count)") }
                finding.claimants = identity
            } else {
                finding.claimants = finding.claimants.map { claimant in
                    guard claimant.contains("\u{0}") else { return claimant }
                    return claimant.split(separator: "\u{0}", omittingEmptySubsequences: false).enumerated()
                        .map { $0.offset % 2 == 1 ? relative(String($0.element)) : String($0.element) }.joined()
                }
            }
            return finding
        }
    }
}

extension CheckOptions {
    /// The folders claimants' paths are relative to in fingerprints: the config root, else
    /// each checked PATH (a file's folder).
    package var fingerprintRoots: [String] {
        if let configRoot { return [configRoot] }
        return paths.filter { $0 != "-" }.map { ConfigFile.isRegularFile($0) ? ConfigFile.directory(of: $0) : $0 }
    }
}
