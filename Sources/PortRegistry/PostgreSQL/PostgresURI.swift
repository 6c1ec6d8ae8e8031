import PortRegistryFormats

/// libpq connection strings as portreg shows them: never with a password.
package enum PostgresURI {
    /// True for `postgres://…` and `postgresql://…` (scheme case-insensitive), the two URI
    /// prefixes libpq accepts: what `--db` treats as a server rather than a file path.
    static func isPostgres(_ text: String) -> Bool {
        let lowered = text.prefix(13).lowercased()
        return lowered.hasPrefix("postgres://") || lowered.hasPrefix("postgresql://")
    }

    /// libpq's connection keywords (PostgreSQL 15, "Parameter Key Words"): a `--db` whose first
    /// word is one of them followed by `=` is a keyword connection string, never a file name.
    static let keywords: Set<String> = [
        "host", "hostaddr", "port", "dbname", "user", "password", "passfile", "require_auth", "channel_binding",
        "connect_timeout", "client_encoding", "options", "application_name", "fallback_application_name",
        "keepalives", "keepalives_idle", "keepalives_interval", "keepalives_count", "tcp_user_timeout",
        "replication", "gssencmode", "sslmode", "requiressl", "sslcompression", "sslcert", "sslkey", "sslpassword",
        "sslcertmode", "sslrootcert", "sslcrl", "sslcrldir", "sslsni", "requirepeer", "ssl_min_protocol_version",
        "ssl_max_protocol_version", "krbsrvname", "gsslib", "gssdelegation", "service", "target_session_attrs",
        "load_balance_hosts",
    ]

    /// The first keyword of a `key=value` connection string (`host` in `host=db dbname=x`):
    /// what stands before the first `=`, when that is one word of letters, digits and `_`.
    /// nil for anything else (a path, a URI).
    package static func leadingKeyword(_ text: String) -> String? {
        let trimmed = text.drop { $0 == " " || $0 == "\t" }
        guard let equals = trimmed.firstIndex(of: "=") else { return nil }
        var word = trimmed[..<equals]
        while let last = word.last, last == " " || last == "\t" { word = word.dropLast() }
        let isWordScalar = { (scalar: Unicode.Scalar) in
            ("a"..."z").contains(scalar) || ("A"..."Z").contains(scalar) || ("0"..."9").contains(scalar)
                || scalar == "_"
        }
        guard !word.isEmpty, word.unicodeScalars.allSatisfy(isWordScalar) else { return nil }
        return String(word)
    }

    /// True for a libpq connection string that names a server: a `postgres://` URI
    /// (`isPostgres`) or a keyword string whose first keyword is libpq's (`host=db dbname=x`).
    package static func isConnectionString(_ text: String) -> Bool {
        if isPostgres(text) { return true }
        return leadingKeyword(text).map { keywords.contains($0) } ?? false
    }

    /// `uri` with its password replaced by `***`: in the user-info part
    /// (`postgresql://alice:***@db/registry`), in a `password=` query parameter (its key
    /// percent-decoded, as libpq reads it), or in a `password=` keyword of a `key=value`
    /// connection string.
    ///
    /// The user info is taken up to the last `@` of the URI, not libpq's first one before a
    /// `/`: a password holding an unencoded `/`, `?` or `@` is hidden whole, and a malformed
    /// URI is over-redacted rather than shown in part. Everything works on Unicode scalars,
    /// as libpq works on bytes: a combining mark after `/` or `@` (one `Character` with it)
    /// hides no separator.
    package static func redacted(_ uri: String) -> String {
        let text = Array(uri.unicodeScalars)
        guard let scheme = find(Array("://".unicodeScalars), in: text) else { return redactedKeywords(uri) }
        let restStart = scheme + 3
        // What to hide is marked on the original text, then each run of marked scalars is
        // shown as `***`: the user info and a `password=` value that overlap (a password
        // holding `?password=`, a query value holding `@`) are hidden together.
        var hidden = [Bool](repeating: false, count: text.count)
        if let at = text[restStart...].lastIndex(of: "@"), let colon = text[restStart..<at].firstIndex(of: ":") {
            for index in (colon + 1)..<at { hidden[index] = true }
        }
        for value in passwordValues(text, from: restStart) {
            for index in value { hidden[index] = true }
        }
        var out: Scalars = []
        var index = 0
        while index < text.count {
            if hidden[index] {
                out += Array("***".unicodeScalars)
                while index < text.count, hidden[index] { index += 1 }
            } else {
                out.append(text[index])
                index += 1
            }
        }
        return string(out)
    }

    package typealias Scalars = [Unicode.Scalar]

    package static func string(_ scalars: some Sequence<Unicode.Scalar>) -> String {
        var view = String.UnicodeScalarView()
        view.append(contentsOf: scalars)
        return String(view)
    }

    /// The first index of `needle` in `text` at or after `start`.
    package static func find(_ needle: Scalars, in text: Scalars, from start: Int = 0) -> Int? {
        guard !needle.isEmpty, text.count >= needle.count, start <= text.count - needle.count else { return nil }
        var index = start
        while index <= text.count - needle.count {
            if text[index] == needle[0], text[index..<index + needle.count].elementsEqual(needle) { return index }
            index += 1
        }
        return nil
    }

    /// The value of every `password=` parameter after a `?` or `&` (up to the next `&`),
    /// wherever it is: a `?` or `@` inside a password does not hide the next one.
    static func passwordValues(_ text: Scalars, from start: Int) -> [Range<Int>] {
        var values: [Range<Int>] = []
        for separator in text.indices where separator >= start && (text[separator] == "?" || text[separator] == "&") {
            let keyStart = separator + 1
            let keyEnd = text[keyStart...].firstIndex { $0 == "=" || $0 == "&" || $0 == "?" } ?? text.count
            guard keyEnd < text.count, text[keyEnd] == "=", isPasswordKey(text[keyStart..<keyEnd]) else { continue }
            let valueEnd = text[(keyEnd + 1)...].firstIndex(of: "&") ?? text.count
            if keyEnd + 1 < valueEnd { values.append((keyEnd + 1)..<valueEnd) }
        }
        return values
    }

    /// `password`, in any case, percent-encoded or not (`pass%77ord`).
    private static func isPasswordKey(_ key: ArraySlice<Unicode.Scalar>) -> Bool {
        let raw = string(key)
        return (percentDecoded(Substring(raw)) ?? raw).lowercased() == "password"
    }

    /// Why libpq would refuse `uri` as a URI, found without giving it to libpq (whose
    /// messages quote the URI whole): nil when it looks well-formed. Checks what libpq's URI
    /// parser checks before connecting: percent-encoding (`%` and two hex digits, never
    /// `%00`), bracketed IPv6 hosts (closed, not empty, followed by `:`, `,`, `/`, `?` or the end).
    package static func problem(in uri: String) -> String? {
        if uri.utf8.contains(0) { return "a connection URI cannot hold a NUL character" }
        let text = Array(uri.unicodeScalars)
        guard let scheme = find(Array("://".unicodeScalars), in: text) else { return nil }
        let bytes = Array(uri.utf8)
        var index = 0
        while index < bytes.count {
            if bytes[index] == 0x25 {  // %
                guard index + 2 < bytes.count, hexValue(bytes[index + 1]) != nil, hexValue(bytes[index + 2]) != nil
                else { return "a % is not followed by two hexadecimal digits" }
                if bytes[index + 1] == 0x30 && bytes[index + 2] == 0x30 {
                    return "a percent-encoded NUL character is not allowed"
                }
                index += 3
            } else {
                index += 1
            }
        }
        // The host list as libpq reads it: after the first `@` before a `/`, up to `/` or `?`.
        var hosts = text[(scheme + 3)...]
        let slash = hosts.firstIndex(of: "/") ?? hosts.endIndex
        if let at = hosts[..<slash].firstIndex(of: "@") { hosts = hosts[(at + 1)...] }
        hosts = hosts.prefix { $0 != "/" && $0 != "?" }
        var cursor = hosts.startIndex
        while cursor < hosts.endIndex {
            if hosts[cursor] == "[" {
                guard let close = hosts[cursor...].firstIndex(of: "]") else {
                    return "an IPv6 host address has no closing ]"
                }
                if cursor + 1 == close { return "an IPv6 host address is empty ([])" }
                cursor = close + 1
                if cursor < hosts.endIndex, hosts[cursor] != ":", hosts[cursor] != "," {
                    return "an IPv6 host address is followed by something else than :port"
                }
            }
            guard let comma = hosts[cursor...].firstIndex(of: ",") else { break }
            cursor = comma + 1
        }
        return nil
    }

    /// Every form in which `uri`'s secrets could appear in a message: each reading of its
    /// user info (`user:password`, up to any of its `@`) and of its password, `password=`
    /// values of the query or of a keyword string, each raw, percent-decoded and percent-encoded.
    static func secrets(in uri: String) -> [String] {
        let text = Array(uri.unicodeScalars)
        var found: [String] = []
        if let scheme = find(Array("://".unicodeScalars), in: text) {
            let restStart = scheme + 3
            for at in text.indices where at >= restStart && text[at] == "@" {
                let userInfo = text[restStart..<at]
                if let colon = userInfo.firstIndex(of: ":") {
                    found.append(string(userInfo))
                    found.append(string(text[(colon + 1)..<at]))
                }
            }
            for value in passwordValues(text, from: restStart) { found.append(string(text[value])) }
        } else {
            found += keywordPasswords(uri)
        }
        var forms: [String] = []
        for secret in found where !secret.isEmpty {
            forms.append(secret)
            if let decoded = percentDecoded(Substring(secret)) {
                forms.append(decoded)
                forms.append(percentEncoded(decoded))
            }
        }
        // Longest first: a user info is replaced whole before the password inside it.
        return Array(Set(forms)).sorted { $0.unicodeScalars.count > $1.unicodeScalars.count }
    }

    /// `message` (from libpq or the server, about `uri`) with `uri` shown redacted, every
    /// form of its secrets (`secrets(in:)`, 4 characters or more) replaced by `***`, and the
    /// value of anything that says `password=` hidden.
    static func scrub(_ message: String, uri: String) -> String {
        scrub(message, uri: uri, secrets: secrets(in: uri))
    }

    static func scrub(_ message: String, uri: String, secrets: [String]) -> String {
        var text = Array(message.unicodeScalars)
        if !uri.isEmpty {
            text = replacingAll(Array(uri.unicodeScalars), in: text, with: Array(redacted(uri).unicodeScalars))
        }
        var result = string(text)
        for secret in secrets { result = scrub(result, secret: secret) }
        return maskedPasswordAssignments(result)
    }

    /// `text` with every `needle` replaced, scalar by scalar (never missed for a combining
    /// mark beside it, as a `Character` comparison would).
    static func replacingAll(_ needle: Scalars, in text: Scalars, with replacement: Scalars) -> Scalars {
        guard !needle.isEmpty, find(needle, in: text) != nil else { return text }
        var out: Scalars = []
        var index = 0
        while let found = find(needle, in: text, from: index) {
            out += text[index..<found]
            out += replacement
            index = found + needle.count
        }
        return out + text[index...]
    }

    /// Every `password=VALUE` (any case, spaces around `=`, quoted or not) as `password=***`.
    static func maskedPasswordAssignments(_ message: String) -> String {
        guard message.lowercased().contains("password") else { return message }
        let text = Array(message.unicodeScalars)
        var out: Scalars = []
        var index = 0
        while index < text.count {
            if matchesPassword(text, at: index) {
                var cursor = index + 8
                while cursor < text.count, text[cursor] == " " { cursor += 1 }
                if cursor < text.count, text[cursor] == "=" {
                    cursor += 1
                    while cursor < text.count, text[cursor] == " " { cursor += 1 }
                    if cursor < text.count, text[cursor] == "'" || text[cursor] == "\"" {
                        let quote = text[cursor]
                        cursor += 1
                        while cursor < text.count, text[cursor] != quote { cursor += text[cursor] == "\\" ? 2 : 1 }
                        cursor = min(cursor + 1, text.count)
                    } else {
                        while cursor < text.count, !text[cursor].properties.isWhitespace, text[cursor] != "&" {
                            cursor += 1
                        }
                    }
                    out += text[index..<index + 8]
                    out += Array("=***".unicodeScalars)
                    index = cursor
                    continue
                }
            }
            out.append(text[index])
            index += 1
        }
        return string(out)
    }

    /// The values of `password` keywords in a `key=value` connection string.
    static func keywordPasswords(_ connection: String) -> [String] {
        let text = Array(connection.unicodeScalars)
        var values: [String] = []
        var index = 0
        while let found = find(Array("password".unicodeScalars), in: text, from: index) {
            index = found + 8
            var cursor = index
            while cursor < text.count, text[cursor] == " " { cursor += 1 }
            guard cursor < text.count, text[cursor] == "=" else { continue }
            cursor += 1
            while cursor < text.count, text[cursor] == " " { cursor += 1 }
            if cursor < text.count, text[cursor] == "'" {
                let end = text[(cursor + 1)...].firstIndex(of: "'") ?? text.count
                values.append(string(text[(cursor + 1)..<end]))
            } else {
                let end = text[cursor...].firstIndex { $0.properties.isWhitespace } ?? text.count
                values.append(string(text[cursor..<end]))
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
        guard text.utf8.contains(0x25) else { return String(text) }
        let bytes = Array(text.utf8)
        var out: [UInt8] = []
        var index = 0
        while index < bytes.count {
            if bytes[index] == 0x25 {
                guard index + 2 < bytes.count, let high = hexValue(bytes[index + 1]),
                    let low = hexValue(bytes[index + 2])
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
    static func redactedKeywords(_ connection: String) -> String {
        let text = Array(connection.unicodeScalars)
        var out: Scalars = []
        var index = 0
        while index < text.count {
            // A keyword starts at the beginning or after whitespace.
            let atWordStart = index == 0 || text[index - 1].properties.isWhitespace
            if atWordStart, matchesPassword(text, at: index) {
                var cursor = index + 8
                while cursor < text.count, text[cursor].properties.isWhitespace { cursor += 1 }
                if cursor < text.count, text[cursor] == "=" {
                    cursor += 1
                    while cursor < text.count, text[cursor].properties.isWhitespace { cursor += 1 }
                    // Skip the value: quoted (with \' and \\ escapes) or up to whitespace.
                    if cursor < text.count, text[cursor] == "'" {
                        cursor += 1
                        while cursor < text.count, text[cursor] != "'" { cursor += text[cursor] == "\\" ? 2 : 1 }
                        cursor = min(cursor + 1, text.count)
                    } else {
                        while cursor < text.count, !text[cursor].properties.isWhitespace { cursor += 1 }
                    }
                    out += Array("password=***".unicodeScalars)
                    index = cursor
                    continue
                }
            }
            out.append(text[index])
            index += 1
        }
        return string(out)
    }

    private static func matchesPassword(_ text: Scalars, at index: Int) -> Bool {
        guard index + 8 <= text.count else { return false }
        return string(text[index..<index + 8]).lowercased() == "password"
    }

    /// `message` with every occurrence of `secret` (and its percent-encoded form, as it
    /// appears in a URI) replaced by `***`, compared scalar by scalar. Secrets shorter than 4
    /// scalars are left alone: replacing every "a" of a message would hide more than it
    /// protects.
    static func scrub(_ message: String, secret: String?) -> String {
        guard let secret, secret.unicodeScalars.count >= 4, secret.unicodeScalars.contains(where: { $0 != "*" })
        else { return message }
        var text = Array(message.unicodeScalars)
        let stars = Array("***".unicodeScalars)
        for form in Set([secret, percentEncoded(secret)]) {
            let needle = Array(form.unicodeScalars)
            // Each pass shortens the text (4 or more scalars become 3): replacing until none
            // is left ends, and leaves no occurrence that a replacement put together.
            while find(needle, in: text) != nil { text = replacingAll(needle, in: text, with: stars) }
        }
        return string(text)
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
