import PortRegistryFormats

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Reading the files `check` looks at: bounded in size, UTF-8 only, paths kept as the user
/// sees them (relative to the current directory when under it).
package enum ConfigFile {
    /// Files larger than this are a `parse` finding, not read: no config is that big, and a
    /// generated or hostile one must not cost unbounded time or memory.
    package static let sizeLimit = 10 << 20

    package struct Unreadable: Error {
        var line: Int?
        var message: String
        /// Set when the tree's confinement (`SourceTree`) refused the path: nothing was opened.
        var refusal: SourceTree.Refusal?
    }

    /// Reads a file the user named on the command line (`--env-file`, `--baseline`,
    /// `--config`), or one `SourceTree.read` has confined: every file a tree names goes
    /// through `SourceTree.read`, never here directly.
    package static func read(_ path: String, extraFlags: Int32 = 0) -> Result<String, Unreadable> {
        let descriptor = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK | extraFlags)
        guard descriptor >= 0 else { return .failure(Unreadable(message: "cannot read: \(systemMessage(errno))")) }
        defer { close(descriptor) }
        var info = stat()
        guard fstat(descriptor, &info) == 0, info.st_mode & S_IFMT == S_IFREG else {
            return .failure(Unreadable(message: "not a regular file"))
        }
        guard Int(info.st_size) <= sizeLimit else {
            return .failure(Unreadable(message: "larger than 10 MiB (\(info.st_size) bytes); not read"))
        }
        var bytes = [UInt8](repeating: 0, count: Int(info.st_size) + 1)
        var count = 0
        while true {
            if count == bytes.count {
                guard bytes.count <= sizeLimit else {
                    return .failure(Unreadable(message: "larger than 10 MiB; not read"))
                }
                bytes += [UInt8](repeating: 0, count: 1 << 16)
            }
            let got = bytes.withUnsafeMutableBytes { raw in
                Glibc.read(descriptor, raw.baseAddress! + count, raw.count - count)
            }
            if got < 0 {
                if errno == EINTR { continue }
                return .failure(Unreadable(message: "cannot read: \(systemMessage(errno))"))
            }
            if got == 0 { break }
            count += got
        }
        guard let text = String(validating: bytes[0..<count], as: UTF8.self) else {
            var line = 1
            var start = 0
            for index in 0..<count where bytes[index] == 0x0A {
                if String(validating: bytes[start..<index], as: UTF8.self) == nil { break }
                line += 1
                start = index + 1
            }
            return .failure(Unreadable(line: line, message: "not valid UTF-8"))
        }
        return .success(text.hasPrefix("\u{FEFF}") ? String(text.dropFirst()) : text)
    }

    package static func systemMessage(_ code: Int32) -> String { String(cString: strerror(code)) }

    package static func exists(_ path: String) -> Bool {
        var info = stat()
        return stat(path, &info) == 0
    }

    package static func isRegularFile(_ path: String) -> Bool {
        var info = stat()
        return stat(path, &info) == 0 && info.st_mode & S_IFMT == S_IFREG
    }

    /// The canonical path (links resolved), to tell whether two names are one file.
    package static func canonical(_ path: String) -> String? {
        guard let resolved = realpath(path, nil) else { return nil }
        defer { free(resolved) }
        return String(cString: resolved)
    }

    package static func directory(of path: String) -> String {
        guard let slash = path.lastIndex(of: "/") else { return "." }
        if slash == path.startIndex { return "/" }
        return String(path[..<slash])
    }

    package static func baseName(_ path: String) -> String {
        guard let slash = path.lastIndex(of: "/") else { return path }
        return String(path[path.index(after: slash)...])
    }

    /// `relative` resolved against the folder `directory`, `.` and `..` folded where they can be.
    package static func join(_ directory: String, _ relative: String) -> String {
        if relative.hasPrefix("/") { return normalize(relative) }
        if directory == "." || directory.isEmpty { return normalize(relative) }
        return normalize(directory + "/" + relative)
    }

    package static func normalize(_ path: String) -> String {
        let absolute = path.hasPrefix("/")
        var parts: [Substring] = []
        for part in path.split(separator: "/") {
            if part == "." { continue }
            if part == "..", let last = parts.last, last != ".." {
                parts.removeLast()
            } else if part == ".." && absolute {
                continue
            } else {
                parts.append(part)
            }
        }
        let joined = parts.joined(separator: "/")
        if absolute { return "/" + joined }
        return joined.isEmpty ? "." : joined
    }

    /// How a comment starts in a file: YAML (`#` after whitespace, outside a quoted scalar,
    /// which opens only where a value starts) or a shell line (Procfile, `.env`: quotes
    /// anywhere).
    package enum CommentSyntax { case yaml, shell }

    /// Lines of `text` that carry a `# portreg: ignore` comment (1-based): a comment, not text
    /// inside a quoted value, and the whole word (`# portreg: ignored-by-mistake` is not one).
    /// One pass over the bytes.
    package static func ignoredLines(_ text: String, syntax: CommentSyntax = .yaml) -> Set<Int> {
        guard containsBytes(text, "portreg:") else { return [] }
        var result = Set<Int>()
        let bytes = Array(text.utf8)
        var line = 1
        var start = 0
        for index in 0...bytes.count where index == bytes.count || bytes[index] == 0x0A {
            if let comment = commentStart(bytes, start, index, syntax: syntax),
                isIgnoreDirective(bytes, comment, index)
            {
                result.insert(line)
            }
            line += 1
            start = index + 1
        }
        return result
    }

    /// Whether `needle` occurs in `text`, by a scan of the UTF-8 bytes: `String.contains(_:)`
    /// goes through the generic substring searcher, a quarter of a 9 MiB file's scan.
    static func containsBytes(_ text: String, _ needle: String) -> Bool {
        let pattern = Array(needle.utf8)
        var text = text
        return text.withUTF8 { haystack in
            guard let first = pattern.first, haystack.count >= pattern.count else { return pattern.isEmpty }
            var index = 0
            let last = haystack.count - pattern.count
            while index <= last {
                if haystack[index] == first, haystack[index..<index + pattern.count].elementsEqual(pattern) {
                    return true
                }
                index += 1
            }
            return false
        }
    }

    /// The index just after the `#` that starts the line's comment, if any.
    private static func commentStart(_ bytes: [UInt8], _ start: Int, _ end: Int, syntax: CommentSyntax) -> Int? {
        var quote: UInt8?
        var previous: UInt8 = 0x20  // line start counts as whitespace
        var lastSignificant: UInt8 = 0x20  // the last byte that is not a space
        var index = start
        while index < end {
            let byte = bytes[index]
            if let open = quote {
                if open == 0x22 && byte == 0x5C {  // \ escapes in double quotes
                    index += 2
                    continue
                }
                if byte == open {
                    // '' is an escaped quote inside a YAML single-quoted scalar.
                    if open == 0x27 && syntax == .yaml && index + 1 < end && bytes[index + 1] == 0x27 {
                        index += 2
                        continue
                    }
                    quote = nil
                }
            } else if byte == 0x23 && (previous == 0x20 || previous == 0x09) {
                return index + 1
            } else if byte == 0x22 || byte == 0x27 {
                // In YAML a quote opens a scalar only where a value starts: at the line's start
                // or after `:`, `-`, `?`, `[`, `{`, `,` and a space (or a flow indicator).
                let opensValue: Bool
                switch syntax {
                case .shell: opensValue = true
                case .yaml:
                    opensValue =
                        (previous == 0x20 || previous == 0x09 || previous == 0x5B || previous == 0x7B
                            || previous == 0x2C)
                        && [0x20, 0x3A, 0x2D, 0x3F, 0x5B, 0x7B, 0x2C].contains(lastSignificant)
                }
                if opensValue { quote = byte }
            }
            if byte != 0x20 && byte != 0x09 { lastSignificant = byte }
            previous = byte
            index += 1
        }
        return nil
    }

    /// `portreg: ignore` (or `portreg:ignore`) at `from`, after optional blanks, as a whole word.
    private static func isIgnoreDirective(_ bytes: [UInt8], _ from: Int, _ end: Int) -> Bool {
        var index = from
        func skipBlanks() { while index < end && (bytes[index] == 0x20 || bytes[index] == 0x09) { index += 1 } }
        func take(_ word: String) -> Bool {
            for byte in word.utf8 {
                guard index < end, bytes[index] == byte else { return false }
                index += 1
            }
            return true
        }
        skipBlanks()
        guard take("portreg:") else { return false }
        skipBlanks()
        guard take("ignore") else { return false }
        guard index < end else { return true }
        let next = bytes[index]
        let isWordByte =
            (next >= 0x30 && next <= 0x39) || (next >= 0x41 && next <= 0x5A) || (next >= 0x61 && next <= 0x7A)
            || next == 0x5F || next == 0x2D || next >= 0x80
        return !isWordByte
    }
}
