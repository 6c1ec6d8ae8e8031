#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Whole-file reads with the errors SPEC.md names: missing or unreadable (66), not UTF-8 (65).
public enum TextFile {
    /// Reads `path` (`-` for standard input) as UTF-8 text.
    public static func read(_ path: String) throws -> String {
        let name = path == "-" ? "<stdin>" : path
        let descriptor = path == "-" ? 0 : open(path, O_RDONLY | O_CLOEXEC)
        guard descriptor >= 0 else {
            throw RegistryError(.inputMissing, "\(path): \(String(cString: strerror(errno)))")
        }
        defer { if descriptor != 0 { close(descriptor) } }
        var info = stat()
        if fstat(descriptor, &info) == 0 && (info.st_mode & S_IFMT) == S_IFDIR {
            throw RegistryError(.inputMissing, "\(path): is a directory")
        }
        var bytes: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 1 << 16)
        while true {
            let count = chunk.withUnsafeMutableBytes { Glibc.read(descriptor, $0.baseAddress, $0.count) }
            if count < 0 {
                if errno == EINTR { continue }
                throw RegistryError(.io, "\(name): \(String(cString: strerror(errno)))")
            }
            if count == 0 { break }
            bytes.append(contentsOf: chunk[0..<count])
        }
        guard let text = String(validating: bytes, as: UTF8.self) else {
            let line = firstInvalidLine(bytes)
            throw RegistryError.data(file: name, line: line, "not valid UTF-8")
        }
        return text
    }

    static func firstInvalidLine(_ bytes: [UInt8]) -> Int {
        var line = 1
        var start = 0
        for (index, byte) in bytes.enumerated() where byte == 0x0A {
            if String(validating: bytes[start..<index], as: UTF8.self) == nil { return line }
            line += 1
            start = index + 1
        }
        return line
    }

    /// Writes `text` to `path` atomically: a temporary file in the same folder, then rename,
    /// so a reader never sees half a file and a failure leaves the old one.
    public static func writeAtomically(_ path: String, _ body: (Int32) throws -> Void) throws {
        let temporary = "\(path).tmp-\(getpid())"
        // A leftover of a crashed run with the same pid is ours to replace; a link is never
        // followed (O_EXCL | O_NOFOLLOW), so the temporary file cannot land elsewhere.
        unlink(temporary)
        let descriptor = open(temporary, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0o644)
        guard descriptor >= 0 else {
            throw RegistryError(.cannotCreate, "\(path): cannot create: \(String(cString: strerror(errno)))")
        }
        do {
            try body(descriptor)
            guard fsync(descriptor) == 0, close(descriptor) == 0 else {
                throw RegistryError(.io, "\(path): \(String(cString: strerror(errno)))")
            }
        } catch {
            close(descriptor)
            unlink(temporary)
            throw error
        }
        guard rename(temporary, path) == 0 else {
            let reason = String(cString: strerror(errno))
            unlink(temporary)
            throw RegistryError(.io, "\(path): cannot rename into place: \(reason)")
        }
    }
}
