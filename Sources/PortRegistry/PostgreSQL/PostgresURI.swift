/// libpq connection strings as portreg shows them: never with a password.
public enum PostgresURI {
    /// True for `postgres://…` and `postgresql://…` (scheme case-insensitive), the two URI
    /// prefixes libpq accepts: what `--db` treats as a server rather than a file path.
    public static func isPostgres(_ text: String) -> Bool {
        let lowered = text.prefix(13).lowercased()
        return lowered.hasPrefix("postgres://") || lowered.hasPrefix("postgresql://")
    }

    /// `uri` with its password replaced by `***`: in the user-info part
    /// (`postgresql://alice:***@db/registry`), in a `password=` query parameter, or in a
    /// `password=` keyword of a `key=value` connection string.
    public static func redacted(_ uri: String) -> String {
        if let schemeEnd = uri.firstRange(of: "://") {
            var text = Substring(uri)
            let rest = text[schemeEnd.upperBound...]
            let authorityEnd = rest.firstIndex { $0 == "/" || $0 == "?" } ?? rest.endIndex
            if let at = rest[..<authorityEnd].lastIndex(of: "@"),
                let colon = rest[..<at].firstIndex(of: ":")
            {
                text = text[..<text.index(after: colon)] + "***" + text[at...]
            }
            guard let query = text.firstIndex(of: "?") else { return String(text) }
            let parameters = text[text.index(after: query)...].split(separator: "&", omittingEmptySubsequences: false)
                .map { parameter -> String in
                    let key = parameter.prefix { $0 != "=" }
                    return key.lowercased() == "password" && key.count < parameter.count
                        ? "\(key)=***" : String(parameter)
                }
            return text[...query] + parameters.joined(separator: "&")
        }
        return redactedKeywords(uri)
    }

    /// `host=db password='s3 cret' dbname=x` → `host=db password=*** dbname=x`.
    package static func redactedKeywords(_ text: String) -> String {
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
    package static func scrub(_ message: String, secret: String?) -> String {
        guard let secret, secret.count >= 4 else { return message }
        var text = message
        for form in Set([secret, percentEncoded(secret)]) {
            text = text.replacing(form, with: "***")
        }
        return text
    }

    package static func percentEncoded(_ text: String) -> String {
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
