import PortRegistryModel

/// The services(5) format of `/etc/services`: `name port/proto [aliases...] [# comment]`.
///
/// It is the catalog every Unix host already has, so `system` rows come from here.
package struct ServicesFile {
    /// The entries of `text`, and how many lines name a protocol portreg does not track
    /// (Debian still lists AppleTalk `ddp`); such lines are skipped, not errors.
    package static func parse(_ text: String, file: String) throws(RegistryError) -> (
        entries: [CatalogEntry], skipped: Int
    ) {
        var entries: [CatalogEntry] = []
        var skipped = 0
        for (index, line) in lines(text).enumerated() {
            let (tokens, comment) = split(line)
            guard let first = tokens.first else { continue }
            let lineNumber = index + 1
            guard tokens.count >= 2, case (let portText, let protocolText)? = portAndProtocol(tokens[1]) else {
                throw RegistryError.data(
                    file: file, line: lineNumber,
                    "expected NAME PORT/PROTOCOL [ALIASES...] [# COMMENT], found \"\(line.trimmed())\"")
            }
            guard !portText.contains("-"), let port = PortRange(parsing: portText) else {
                throw RegistryError.data(
                    file: file, line: lineNumber, "bad port \"\(portText)\" for \(first): port must be 0-65535")
            }
            guard let transport = TransportProtocol(name: protocolText) else {
                skipped += 1
                continue
            }
            entries.append(
                CatalogEntry(
                    source: .system, service: String(first), ports: port, transport: transport,
                    description: comment.map { $0.trimmed() } ?? "", aliases: tokens.dropFirst(2).map(String.init)))
        }
        return (entries, skipped)
    }

    /// True when the first line that is not blank or a comment reads `name port/proto`: lets
    /// `portreg import` tell a services file from a CSV without being told.
    package static func looksLikeServicesFile(_ firstBytes: String) -> Bool {
        for line in lines(firstBytes) {
            let (tokens, _) = split(line)
            if tokens.isEmpty { continue }
            guard tokens.count >= 2, case (let port, let proto)? = portAndProtocol(tokens[1]) else { return false }
            return !port.isEmpty && port.allSatisfy { $0.isASCII && $0.isNumber }
                && proto.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber) }
        }
        return false
    }

    /// Lines split at LF, CRLF or CR; `Character` treats CRLF as one character.
    private static func lines(_ text: String) -> [Substring] {
        text.split(omittingEmptySubsequences: false) { $0 == "\n" || $0 == "\r\n" || $0 == "\r" }
    }

    /// The whitespace-separated words before `#`, and the text after it.
    private static func split(_ line: Substring) -> (tokens: [Substring], comment: Substring?) {
        var content = line
        var comment: Substring?
        if let hash = line.firstIndex(of: "#") {
            content = line[..<hash]
            comment = line[line.index(after: hash)...]
        }
        return (content.split(whereSeparator: \.isWhitespace), comment)
    }

    /// `80/tcp` → ("80", "tcp"); nil when there is no slash or no protocol.
    private static func portAndProtocol(_ token: Substring) -> (Substring, Substring)? {
        guard let slash = token.firstIndex(of: "/") else { return nil }
        let proto = token[token.index(after: slash)...]
        guard !proto.isEmpty else { return nil }
        return (token[..<slash], proto)
    }
}
