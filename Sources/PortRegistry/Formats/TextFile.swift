import Glibc
import PortRegistryModel
import PortRegistrySystem

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
        if fstat(descriptor, &info) != 0 && errno == EBADF {
            throw RegistryError(.inputMissing, "\(name): standard input is closed")
        }
        if (info.st_mode & S_IFMT) == S_IFDIR {
            throw RegistryError(.inputMissing, "\(path): is a directory")
        }
        var bytes: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 1 << 16)
        while true {
            let count = chunk.withUnsafeMutableBytes { SystemCall.read(descriptor, $0.baseAddress, $0.count) }
            if count < 0 {
                if errno == EBADF && descriptor == 0 {
                    throw RegistryError(.inputMissing, "\(name): standard input is closed")
                }
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

    package static func firstInvalidLine(_ bytes: [UInt8]) -> Int {
        var line = 1
        var start = 0
        for (index, byte) in bytes.enumerated() where byte == 0x0A {
            if String(validating: bytes[start..<index], as: UTF8.self) == nil { return line }
            line += 1
            start = index + 1
        }
        return line
    }

    /// Writes `path` atomically: a temporary file beside it, then rename, so a reader never
    /// sees half a file and a failure leaves the old one. A link is followed (the file it
    /// names is replaced, the link stays) and an existing file keeps its mode and owner. A
    /// device or pipe (`/dev/stdout`) has nothing to replace and is written directly.
    public static func writeAtomically(_ path: String, _ body: (Int32) throws -> Void) throws {
        func failure(_ kind: RegistryError.Kind, _ what: String) -> RegistryError {
            RegistryError(kind, "\(path): \(what): \(String(cString: strerror(errno)))")
        }
        var existing = stat()
        let exists = stat(path, &existing) == 0
        if exists && (existing.st_mode & S_IFMT) == S_IFDIR {
            throw RegistryError(.cannotCreate, "\(path): is a directory")
        }
        if exists && (existing.st_mode & S_IFMT) != S_IFREG {
            let descriptor = open(path, O_WRONLY | O_CLOEXEC)
            guard descriptor >= 0 else { throw failure(.cannotCreate, "cannot open") }
            defer { close(descriptor) }
            try body(descriptor)
            return
        }
        var target = path
        if exists, let resolved = realpath(path, nil) {
            target = String(cString: resolved)
            free(resolved)
        }
        let temporary = "\(target).tmp-\(getpid())"
        // A leftover of a crashed run with the same pid is ours to replace; the temporary
        // name itself is never followed as a link (O_EXCL | O_NOFOLLOW).
        unlink(temporary)
        let descriptor = open(temporary, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0o666)
        guard descriptor >= 0 else { throw failure(.cannotCreate, "cannot create") }
        if exists {
            _ = fchmod(descriptor, existing.st_mode & 0o7777)
            _ = fchown(descriptor, existing.st_uid, existing.st_gid)
        }
        do {
            try body(descriptor)
            guard fsync(descriptor) == 0 else { throw failure(.io, "cannot write") }
        } catch {
            close(descriptor)
            unlink(temporary)
            throw error
        }
        guard close(descriptor) == 0 else {
            let error = failure(.io, "cannot write")
            unlink(temporary)
            throw error
        }
        guard rename(temporary, target) == 0 else {
            let error = failure(.io, "cannot rename into place")
            unlink(temporary)
            throw error
        }
    }
}
