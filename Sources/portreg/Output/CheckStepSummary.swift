import Glibc
import PortRegistry
import PortRegistryConfigScan
import PortRegistryModel

/// `check --format github`'s step summary: the whole report as Markdown, appended to the file
/// that `GITHUB_STEP_SUMMARY` names (GitHub shows it on the run's page). The annotations are
/// limited to 10 errors and 10 warnings a step and name one location each; this names every
/// finding and every location.
enum CheckStepSummary {
    static let variable = "GITHUB_STEP_SUMMARY"

    /// Appends the report when `GITHUB_STEP_SUMMARY` is set and not empty.
    static func appendIfRequested(_ report: CheckReport) throws {
        guard let value = getenv(variable), value.pointee != 0 else { return }
        try append(report, to: String(cString: value))
    }

    /// Appends `markdown(report)` to `path`, creating it (as GitHub's runner does).
    static func append(_ report: CheckReport, to path: String) throws {
        let descriptor = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0o644)
        guard descriptor >= 0 else {
            throw RegistryError(.io, "\(variable) \(TerminalText.visible(path)): \(String(cString: strerror(errno)))")
        }
        defer { close(descriptor) }
        let stream = OutputStream(descriptor: descriptor)
        stream.write(markdown(report))
        stream.flush()
        if let failure = stream.failure {
            throw RegistryError(.io, "\(variable) \(TerminalText.visible(path)): \(failure)")
        }
    }

    /// A heading, the summary line, then each finding (errors first) with every location.
    static func markdown(_ report: CheckReport) -> String {
        var lines = ["## portreg check", "", escape(CheckOutput.summary(report))]
        if let line = CheckOutput.baselineLine(report) { lines += ["", escape(line)] }
        let findings = CheckOutput.errorsFirst(report.findings)
        if findings.isEmpty { lines += ["", "No findings."] }
        for (number, finding) in findings.enumerated() {
            let severity = finding.severity == .error ? "**error**" : finding.severity.rawValue
            lines += [
                "", "\(number + 1). \(severity) (\(escape(finding.kind.rawValue))): \(escape(finding.message))",
            ]
            for (index, place) in finding.places.enumerated() {
                var item = "    - \(escape(place.location.description))"
                if let service = place.service { item += ": \(escape(service))" }
                if index == 0 && finding.places.count > 1 { item += " (reported here)" }
                lines.append(item)
            }
        }
        return lines.joined(separator: "\n") + "\n\n"
    }

    /// Text from the tree as literal Markdown: each character that Markdown or its HTML could
    /// read inside a line (`*`, `_`, `` ` ``, `[`, `(`, `<`, `&`, `|`, `#`, `!`, `~`, `\`, …)
    /// backslash-escaped, as CommonMark allows for any ASCII punctuation, and control
    /// characters (a line break among them) shown as escapes: a file name can make no
    /// emphasis, code span, link, image, table cell, entity or tag. Every escaped text follows
    /// a list marker, so none starts a line.
    static func escape(_ text: String) -> String {
        var out = ""
        for scalar in TerminalText.visible(text).unicodeScalars {
            if scalar.isASCII, "\\`*_{}[]()<>#!|~&".unicodeScalars.contains(scalar) {
                out += "\\"
            }
            out.unicodeScalars.append(scalar)
        }
        return out
    }
}
