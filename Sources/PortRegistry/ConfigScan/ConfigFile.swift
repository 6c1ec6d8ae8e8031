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
    }

    package static func read(_ path: String) -> Result<String, Unreadable> {
        let descriptor = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK)
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

    /// Lines of `text` that carry `# portreg: ignore` (1-based).
    package static func ignoredLines(_ text: String) -> Set<Int> {
        guard text.contains("portreg:") else { return [] }
        var result = Set<Int>()
        for (index, line) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            for hash in line.indices where line[hash] == "#" {
                let comment = line[line.index(after: hash)...].drop { $0 == " " || $0 == "\t" }
                if comment.hasPrefix("portreg: ignore") || comment.hasPrefix("portreg:ignore") {
                    result.insert(index + 1)
                    break
                }
            }
        }
        return result
    }
}
