import Glibc
import PortRegistryModel
import PortRegistrySystem

/// Whole-file reads with the errors SPEC.md names: missing or unreadable (66), not UTF-8 (65).
package enum TextFile {
    /// The most a file read whole (a stream, a services file) may hold: 256 MiB. A registry
    /// of a million claims is about 70 MB of CSV; a stream larger than this is not a
    /// registry, and reading it would only fill the memory (`import /dev/zero`). Regular
    /// CSV files are read in 64 KiB chunks and have no limit.
    package static let wholeFileLimit = 256 << 20
    /// How much of a file the import sniffs its format on: 64 KiB.
    package static let headLimit = 64 << 10

    /// Reads `path` (`-` for standard input) as UTF-8 text, at most `limit` bytes (more is 65).
    package static func read(_ path: String, limit: Int = wholeFileLimit) throws -> String {
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
            if bytes.count > limit { throw tooLarge(name, limit: limit) }
        }
        guard let text = String(validating: bytes, as: UTF8.self) else {
            let line = firstInvalidLine(bytes)
            throw RegistryError.data(file: name, line: line, "not valid UTF-8")
        }
        return text
    }

    static func tooLarge(_ name: String, limit: Int) -> RegistryError {
        RegistryError.data(
            file: name, line: nil,
            "holds more than \(limit >> 20) MiB, the most portreg reads whole (from a stream or as a services file); nothing was imported"
        )
    }

    /// The first `headLimit` bytes of `path` (`-` for standard input), for sniffing its
    /// format before the rest is read; cut after its last complete line when more follows.
    /// The bytes read are kept (`remainder`) for a stream, which cannot be read again.
    package static func head(_ path: String) throws -> (text: String, isComplete: Bool) {
        let name = path == "-" ? "<stdin>" : path
        let descriptor = path == "-" ? 0 : open(path, O_RDONLY | O_CLOEXEC)
        guard descriptor >= 0 else {
            throw RegistryError(.inputMissing, "\(path): \(String(cString: strerror(errno)))")
        }
        defer { if descriptor != 0 { close(descriptor) } }
        return try head(descriptor: descriptor, name: name).head
    }

    /// Reads from `descriptor` until a line ends past the first one or `headLimit` bytes
    /// came: what the sniff needs, and never more. Returns the bytes read and the head.
    package static func head(descriptor: Int32, name: String) throws -> (
        bytes: [UInt8], end: Bool, head: (text: String, isComplete: Bool)
    ) {
        var info = stat()
        if fstat(descriptor, &info) != 0 && errno == EBADF {
            throw RegistryError(.inputMissing, "\(name): standard input is closed")
        }
        if (info.st_mode & S_IFMT) == S_IFDIR { throw RegistryError(.inputMissing, "\(name): is a directory") }
        var bytes: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 1 << 14)
        var end = false
        var lineBreaks = 0
        // Two lines at least (a CSV header and one record), unless the first is that long.
        while bytes.count < headLimit, lineBreaks < 2 {
            let wanted = min(chunk.count, headLimit - bytes.count)
            let count = chunk.withUnsafeMutableBytes { SystemCall.read(descriptor, $0.baseAddress, wanted) }
            if count < 0 {
                if errno == EBADF && descriptor == 0 {
                    throw RegistryError(.inputMissing, "\(name): standard input is closed")
                }
                throw RegistryError(.io, "\(name): \(String(cString: strerror(errno)))")
            }
            if count == 0 {
                end = true
                break
            }
            bytes.append(contentsOf: chunk[0..<count])
            lineBreaks += chunk[0..<count].reduce(0) { $0 + ($1 == 0x0A ? 1 : 0) }
        }
        var shown = bytes[...]
        if !end, let lastBreak = bytes.lastIndex(where: { $0 == 0x0A || $0 == 0x0D }) { shown = bytes[...lastBreak] }
        return (bytes, end, (String(decoding: shown, as: UTF8.self), end))
    }

    /// A stream (standard input, a pipe, a FIFO, a device) read once: its head first, for
    /// sniffing, then on demand the rest, at most `wholeFileLimit` bytes in all.
    package final class Stream {
        package let name: String
        package let head: String
        private let descriptor: Int32
        private var bytes: [UInt8]
        private var ended: Bool

        package init(path: String) throws {
            name = path == "-" ? "<stdin>" : path
            let descriptor = path == "-" ? 0 : open(path, O_RDONLY | O_CLOEXEC)
            guard descriptor >= 0 else {
                throw RegistryError(.inputMissing, "\(path): \(String(cString: strerror(errno)))")
            }
            self.descriptor = descriptor
            do {
                let read = try TextFile.head(descriptor: descriptor, name: name)
                (bytes, ended, head) = (read.bytes, read.end, read.head.text)
            } catch {
                if descriptor != 0 { close(descriptor) }
                throw error
            }
        }

        deinit { if descriptor != 0 { close(descriptor) } }

        /// The whole stream as UTF-8 text: 65 past `wholeFileLimit` bytes or when not UTF-8.
        package func text() throws -> String {
            var chunk = [UInt8](repeating: 0, count: 1 << 16)
            while !ended {
                let count = chunk.withUnsafeMutableBytes { SystemCall.read(descriptor, $0.baseAddress, $0.count) }
                if count < 0 { throw RegistryError(.io, "\(name): \(String(cString: strerror(errno)))") }
                if count == 0 {
                    ended = true
                    break
                }
                bytes.append(contentsOf: chunk[0..<count])
                if bytes.count > wholeFileLimit { throw tooLarge(name, limit: wholeFileLimit) }
            }
            guard let text = String(validating: bytes, as: UTF8.self) else {
                throw RegistryError.data(file: name, line: firstInvalidLine(bytes), "not valid UTF-8")
            }
            return text
        }
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

    /// Writes `path` atomically: a temporary file beside it (`.NAME.tmp-PID`, removed if a
    /// signal ends the process), then rename, so a reader never sees half a file and a
    /// failure leaves the old one. A link is followed (the file it names is replaced, the
    /// link stays) and an existing file keeps its mode and owner. A device or pipe has
    /// nothing to replace and is written directly, and so is an open descriptor named as a
    /// file (`-`, `/dev/stdout`, `/dev/fd/N`, `/proc/self/fd/N`): `export -o /dev/stdout >>
    /// log` appends to the log instead of renaming a new file over it.
    package static func writeAtomically(_ path: String, _ body: (Int32) throws -> Void) throws {
        func failure(_ kind: RegistryError.Kind, _ what: String) -> RegistryError {
            RegistryError(kind, "\(path): \(what): \(String(cString: strerror(errno)))")
        }
        if path.isEmpty {
            throw RegistryError(.usage, "the output file name is empty; give a path, or - for standard output")
        }
        if let descriptor = openDescriptor(named: path) {
            guard fcntl(descriptor, F_GETFD) != -1 else { throw failure(.cannotCreate, "cannot write") }
            try body(descriptor)
            return
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
        let slash = target.lastIndex(of: "/")
        let folder = slash.map { String(target[...$0]) } ?? ""
        let name = slash.map { String(target[target.index(after: $0)...]) } ?? target
        let temporary = "\(folder).\(name).tmp-\(getpid())"
        // A leftover of a crashed run with the same pid is ours to replace; the temporary
        // name itself is never followed as a link (O_EXCL | O_NOFOLLOW).
        unlink(temporary)
        TemporaryFiles.writing(temporary)
        defer { TemporaryFiles.finished() }
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

    /// The descriptor a path names when it is one of this process's open descriptors rather
    /// than a file: `-` (standard output), `/dev/stdout`, `/dev/stderr`, `/dev/fd/N`,
    /// `/proc/self/fd/N`, `/proc/PID/fd/N` with this process's id, also through links to
    /// them. Their targets must not be renamed over: they are what the caller redirected.
    static func openDescriptor(named path: String) -> Int32? {
        if path == "-" { return 1 }
        var current = path
        for _ in 0..<40 {
            if let descriptor = descriptorPath(current) { return descriptor }
            // Follow a link one step (`/dev/stdout` → `/proc/self/fd/1`), relative to its folder.
            var buffer = [CChar](repeating: 0, count: Int(PATH_MAX) + 1)
            let count = readlink(current, &buffer, buffer.count - 1)
            guard count > 0 else { break }
            let target = String(decoding: buffer[0..<count].map { UInt8(bitPattern: $0) }, as: UTF8.self)
            if target.hasPrefix("/") {
                current = target
            } else if let slash = current.lastIndex(of: "/") {
                current = String(current[...slash]) + target
            } else {
                current = target
            }
        }
        return nil
    }

    private static func descriptorPath(_ path: String) -> Int32? {
        if path == "/dev/stdout" { return 1 }
        if path == "/dev/stderr" { return 2 }
        let parts = path.split(separator: "/", omittingEmptySubsequences: true)
        guard let last = parts.last, let number = Int32(last), number >= 0, last.allSatisfy(\.isASCII) else {
            return nil
        }
        let folder = Array(parts.dropLast())
        if folder == ["dev", "fd"] { return number }
        if folder.count == 3, folder[0] == "proc", folder[2] == "fd",
            folder[1] == "self" || folder[1] == "thread-self" || folder[1] == Substring(String(getpid()))
        {
            return number
        }
        // The folder through its links (`/dev/fd` is one to `/proc/self/fd`).
        let joined = "/" + folder.joined(separator: "/")
        guard path.hasPrefix("/"), let resolved = realpath(joined, nil) else { return nil }
        defer { free(resolved) }
        let real = String(cString: resolved)
        if real == "/proc/\(getpid())/fd" || real.hasPrefix("/proc/\(getpid())/task/") && real.hasSuffix("/fd") {
            return number
        }
        return nil
    }
}
