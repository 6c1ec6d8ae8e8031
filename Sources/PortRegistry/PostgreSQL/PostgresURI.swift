/// libpq connection strings as portreg shows them: never with a password.
public enum PostgresURI {
    /// True for `postgres://…` and `postgresql://…` (scheme case-insensitive), the two URI
    /// prefixes libpq accepts: what `--db` treats as a server rather than a file path.
    public static func isPostgres(_ text: String) -> Bool {
        let lowered = text.prefix(13).lowercased()
        return lowered.hasPrefix("postgres://") || lowered.hasPrefix("postgresql://")
    }

    /// `uri` with its password replaced by `***`: in the user-info part
    /// (`postgresql://alice:***@db/registry`), in a `password=` query parameter (its key
    /// percent-decoded, as libpq reads it), or in a `password=` keyword of a `key=value`
    /// connection string.
    ///
    /// The user info is taken up to the last `@` of the URI, not libpq's first one before a
    /// `/`: a password holding an unencoded `/`, `?` or `@` is hidden whole, and a malformed
    /// URI is over-redacted rather than shown in part.
    public static func redacted(_ uri: String) -> String {
        guard let schemeEnd = uri.firstRange(of: "://") else { return redactedKeywords(uri) }
        var text = Substring(uri)
        let rest = text[schemeEnd.upperBound...]
        if let at = rest.lastIndex(of: "@"), let colon = rest[..<at].firstIndex(of: ":") {
            text = text[..<text.index(after: colon)] + "***" + text[at...]
        }
        let afterUserInfo = text.lastIndex(of: "@") ?? text.startIndex
        guard let query = text[afterUserInfo...].firstIndex(of: "?") else { return String(text) }
        let parameters = text[text.index(after: query)...].split(separator: "&", omittingEmptySubsequences: false)
            .map { parameter -> String in
                let key = parameter.prefix { $0 != "=" }
                return isPasswordKey(key) && key.count < parameter.count ? "\(key)=***" : String(parameter)
            }
        return text[...query] + parameters.joined(separator: "&")
    }

    /// `password`, in any case, percent-encoded or not (`pass%77ord`).
    private static func isPasswordKey(_ key: Substring) -> Bool {
        (percentDecoded(key) ?? String(key)).lowercased() == "password"
    }

    /// Why libpq would refuse `uri` as a URI, found without giving it to libpq (whose
    /// messages quote the URI whole): nil when it looks well-formed. Checks what libpq's URI
    /// parser checks before connecting: percent-encoding (`%` and two hex digits, never
    /// `%00`), bracketed IPv6 hosts (closed, not empty, followed by `:`, `,`, `/`, `?` or the end).
    package static func problem(in uri: String) -> String? {
        if uri.utf8.contains(0) { return "a connection URI cannot hold a NUL character" }
        guard let schemeEnd = uri.firstRange(of: "://") else { return nil }
        let bytes = Array(uri.utf8)
        var index = 0
        while index < bytes.count {
            if bytes[index] == 0x25 {  // %
                guard index + 2 < bytes.count, hexValue(bytes[index + 1]) != nil, hexValue(bytes[index + 2]) != nil
                else { return "a % is not followed by two hexadecimal digits" }
                if bytes[index + 1] == 0x30 && bytes[index + 2] == 0x30 { return "%00 (a NUL character) is not allowed" }
                index += 3
            } else {
                index += 1
            }
        }
        // The host list as libpq reads it: after the first `@` before a `/`, up to `/` or `?`.
        var hosts = uri[schemeEnd.upperBound...]
        let slash = hosts.firstIndex(of: "/") ?? hosts.endIndex
        if let at = hosts[..<slash].firstIndex(of: "@") { hosts = hosts[hosts.index(after: at)...] }
        hosts = hosts.prefix { $0 != "/" && $0 != "?" }
        var cursor = hosts.startIndex
        while cursor < hosts.endIndex {
            if hosts[cursor] == "[" {
                guard let close = hosts[cursor...].firstIndex(of: "]") else {
                    return "an IPv6 host address has no closing ]"
                }
                if hosts.index(after: cursor) == close { return "an IPv6 host address is empty ([])" }
                cursor = hosts.index(after: close)
                if cursor < hosts.endIndex, hosts[cursor] != ":", hosts[cursor] != "," {
                    return "an IPv6 host address is followed by something else than :port"
                }
            }
            guard let comma = hosts[cursor...].firstIndex(of: ",") else { break }
            cursor = hosts.index(after: comma)
        }
        return nil
    }

    /// Every form in which `uri`'s secrets could appear in a message: each reading of its
    /// user info (`user:password`, up to any of its `@`) and of its password, `password=`
    /// values of the query or of a keyword string, each raw, percent-decoded and percent-encoded.
    package static func secrets(in uri: String) -> [String] {
        var found: [Substring] = []
        if let schemeEnd = uri.firstRange(of: "://") {
            let rest = uri[schemeEnd.upperBound...]
            var index = rest.startIndex
            while let at = rest[index...].firstIndex(of: "@") {
                let userInfo = rest[..<at]
                if let colon = userInfo.firstIndex(of: ":") {
                    found.append(userInfo)
                    found.append(userInfo[userInfo.index(after: colon)...])
                }
                index = rest.index(after: at)
            }
            for separator in ["?", "&"] {
                for range in uri.ranges(of: separator) {
                    let parameter = uri[range.upperBound...].prefix { $0 != "&" }
                    let key = parameter.prefix { $0 != "=" }
                    if isPasswordKey(key), key.count < parameter.count {
                        found.append(parameter[parameter.index(after: key.endIndex)...])
                    }
                }
            }
        } else {
            found += keywordPasswords(uri)
        }
        var forms: [String] = []
        for secret in found where !secret.isEmpty {
            forms.append(String(secret))
            if let decoded = percentDecoded(secret) {
                forms.append(decoded)
                forms.append(percentEncoded(decoded))
            }
        }
        // Longest first: a user info is replaced whole before the password inside it.
        return Array(Set(forms)).sorted { $0.utf8.count > $1.utf8.count }
    }

    /// `message` (from libpq or the server, about `uri`) with `uri` shown redacted, every
    /// form of its secrets (`secrets(in:)`, 4 characters or more) replaced by `***`, and the
    /// value of anything that says `password=` hidden.
    package static func scrub(_ message: String, uri: String) -> String {
        scrub(message, uri: uri, secrets: secrets(in: uri))
    }

    package static func scrub(_ message: String, uri: String, secrets: [String]) -> String {
        var text = uri.isEmpty ? message : message.replacing(uri, with: redacted(uri))
        for secret in secrets { text = scrub(text, secret: secret) }
        return maskedPasswordAssignments(text)
    }

    /// Every `password=VALUE` (any case, spaces around `=`, quoted or not) as `password=***`.
    static func maskedPasswordAssignments(_ text: String) -> String {
        guard text.lowercased().contains("password") else { return text }
        let characters = Array(text)
        var out = ""
        var index = 0
        while index < characters.count {
            if matchesPassword(characters, at: index) {
                var cursor = index + 8
                while cursor < characters.count, characters[cursor] == " " { cursor += 1 }
                if cursor < characters.count, characters[cursor] == "=" {
                    cursor += 1
                    while cursor < characters.count, characters[cursor] == " " { cursor += 1 }
                    if cursor < characters.count, characters[cursor] == "'" || characters[cursor] == "\"" {
                        let quote = characters[cursor]
                        cursor += 1
                        while cursor < characters.count, characters[cursor] != quote {
                            cursor += characters[cursor] == "\\" ? 2 : 1
                        }
                        cursor = min(cursor + 1, characters.count)
                    } else {
                        while cursor < characters.count, !characters[cursor].isWhitespace, characters[cursor] != "&" {
                            cursor += 1
                        }
                    }
                    out += String(characters[index..<index + 8]) + "=***"
                    index = cursor
                    continue
                }
            }
            out.append(characters[index])
            index += 1
        }
        return out
    }

    /// The values of `password` keywords in a `key=value` connection string.
    static func keywordPasswords(_ text: String) -> [Substring] {
        var values: [Substring] = []
        var rest = Substring(text)
        while let range = rest.firstRange(of: "password") {
            var value = rest[range.upperBound...].drop { $0 == " " }
            rest = rest[range.upperBound...]
            guard value.first == "=" else { continue }
            value = value.dropFirst().drop { $0 == " " }
            if value.first == "'" {
                values.append(value.dropFirst().prefix { $0 != "'" })
            } else {
                values.append(value.prefix { !$0.isWhitespace })
            }
        }
        return values
    }

    static func hexValue(_ byte: UInt8) -> UInt8? {
        switch byte {
        case 0x30...0x39: byte - 0x30
        case 0x41...0x46: byte - 0x41 + 10
        case 0x61...0x66: byte - 0x61 + 10
        default: nil
        }
    }

    /// `text` with `%XX` decoded; nil when an escape is malformed or the result is not UTF-8.
    static func percentDecoded(_ text: Substring) -> String? {
        guard text.contains("%") else { return String(text) }
        let bytes = Array(text.utf8)
        var out: [UInt8] = []
        var index = 0
        while index < bytes.count {
            if bytes[index] == 0x25 {
                guard index + 2 < bytes.count, let high = hexValue(bytes[index + 1]), let low = hexValue(bytes[index + 2])
                else { return nil }
                out.append(high << 4 | low)
                index += 3
            } else {
                out.append(bytes[index])
                index += 1
            }
        }
        return String(validating: out, as: UTF8.self)
    }

    /// `host=db password='s3 cret' dbname=x` → `host=db password=*** dbname=x`.
    static func redactedKeywords(_ text: String) -> String {
        let characters = Array(text)
        var out = ""
        var index = 0
        while index < characters.count {
            // A keyword starts at the beginning or after whitespace.
            let atWordStart = index == 0 || characters[index - 1].isWhitespace
            if atWordStart, matchesPassword(characters, at: index) {
                var cursor = index + 8
                while cursor < characters.count, characters[cursor].isWhitespace { cursor += 1 }
                if cursor < characters.count, characters[cursor] == "=" {
                    cursor += 1
                    while cursor < characters.count, characters[cursor].isWhitespace { cursor += 1 }
                    // Skip the value: quoted (with \' and \\ escapes) or up to whitespace.
                    if cursor < characters.count, characters[cursor] == "'" {
                        cursor += 1
                        while cursor < characters.count, characters[cursor] != "'" {
                            cursor += characters[cursor] == "\\" ? 2 : 1
                        }
                        cursor = min(cursor + 1, characters.count)
                    } else {
                        while cursor < characters.count, !characters[cursor].isWhitespace { cursor += 1 }
                    }
                    out += "password=***"
                    index = cursor
                    continue
                }
            }
            out.append(characters[index])
            index += 1
        }
        return out
    }

    private static func matchesPassword(_ characters: [Character], at index: Int) -> Bool {
        let word = "password"
        guard index + word.count <= characters.count else { return false }
        return String(characters[index..<index + word.count]).lowercased() == word
    }

    /// `message` with every occurrence of `secret` (and its percent-encoded form, as it
    /// appears in a URI) replaced by `***`. Secrets shorter than 4 characters are left alone:
    /// replacing every "a" of a message would hide more than it protects.
    static func scrub(_ message: String, secret: String?) -> String {
        guard let secret, secret.count >= 4, secret.contains(where: { $0 != "*" }) else { return message }
        var text = message
        for form in Set([secret, percentEncoded(secret)]) {
            // Each pass shortens the text (4 or more characters become 3): replacing until
            // none is left ends, and leaves no occurrence that a replacement put together.
            while text.contains(form) { text = text.replacing(form, with: "***") }
        }
        return text
    }

    static func percentEncoded(_ text: String) -> String {
        var out = ""
        for byte in text.utf8 {
            let unreserved =
                (byte >= 0x30 && byte <= 0x39) || (byte >= 0x41 && byte <= 0x5A) || (byte >= 0x61 && byte <= 0x7A)
                || byte == 0x2D || byte == 0x2E || byte == 0x5F || byte == 0x7E
            if unreserved {
                out.unicodeScalars.append(Unicode.Scalar(byte))
            } else {
                let hex = Array("0123456789ABCDEF")
                out += "%" + String(hex[Int(byte >> 4)]) + String(hex[Int(byte & 0x0F)])
            }
        }
        return out
    }
}
