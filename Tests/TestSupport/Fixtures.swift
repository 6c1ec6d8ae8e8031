import Testing

import Glibc

/// Fixtures shared by both test targets: the one temporary-folder type, the one place that
/// knows where the real data lives, and the few file operations the tests need, without
/// Foundation.

/// A failure of the test machinery itself (a temporary file that cannot be made).
public struct TestFailure: Error, CustomStringConvertible {
    public var description: String
    public init(_ description: String) { self.description = description }
}

/// The repository's root folder.
public enum Repository {
    /// #filePath is REPO/Tests/TestSupport/Fixtures.swift.
    public static let root: String = {
        let components = "\(#filePath)".split(separator: "/", omittingEmptySubsequences: false)
        return components.dropLast(3).joined(separator: "/")
    }()
}

/// The real catalog files in `REPO/../shared/data` (the IANA CSV, its older release, an
/// /etc/services). Tests on them are skipped, visibly, on a machine that lacks the folder.
public enum SharedData {
    public static let directory: String = {
        var components = Repository.root.split(separator: "/", omittingEmptySubsequences: false)
        components.removeLast()
        return components.joined(separator: "/") + "/shared/data"
    }()

    public static let iana = path("service-names-port-numbers.csv")
    public static let ianaOlder = path("service-names-port-numbers.older.csv")
    public static let services = path("etc-services")

    public static func path(_ name: String) -> String { directory + "/" + name }

    public static var isAvailable: Bool {
        ([iana, ianaOlder, services] as [String]).allSatisfy { access($0, R_OK) == 0 }
    }

    public static let skipMessage: Comment =
        "\(directory) not found: skipping the tests on the real IANA and /etc/services files"

    /// The whole file at `path`.
    public static func bytes(_ path: String) throws -> [UInt8] { try FileSystem.bytes(path) }

    public static func text(_ path: String) throws -> String { String(decoding: try bytes(path), as: UTF8.self) }
}

/// A fresh folder under /tmp, removed with everything in it (a database, its -wal and -shm,
/// any folders a test made) when the last reference goes away.
public final class TemporaryDirectory: Sendable {
    public let path: String

    public init(prefix: String = "portreg-test") throws {
        var template = Array("/tmp/\(prefix)-XXXXXX".utf8CString)
        guard mkdtemp(&template) != nil else {
            throw TestFailure("mkdtemp failed: \(String(cString: strerror(errno)))")
        }
        path = template.withUnsafeBufferPointer { String(cString: $0.baseAddress!) }
    }

    deinit { FileSystem.removeTree(path) }
}

/// The few file operations the tests need, without Foundation.
public enum FileSystem {
    public static func exists(_ path: String) -> Bool { access(path, F_OK) == 0 }

    public static func isDirectory(_ path: String) -> Bool {
        var info = stat()
        return lstat(path, &info) == 0 && (info.st_mode & S_IFMT) == S_IFDIR
    }

    public static func bytes(_ path: String) throws -> [UInt8] {
        guard let file = fopen(path, "rb") else { throw TestFailure("cannot open \(path)") }
        defer { fclose(file) }
        var bytes: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 65536)
        while true {
            let count = fread(&chunk, 1, chunk.count, file)
            if count == 0 { break }
            bytes += chunk[..<count]
        }
        return bytes
    }

    public static func write(_ bytes: [UInt8], to path: String) throws {
        guard let file = fopen(path, "wb") else { throw TestFailure("cannot create \(path)") }
        defer { fclose(file) }
        guard fwrite(bytes, 1, bytes.count, file) == bytes.count else { throw TestFailure("short write to \(path)") }
    }

    /// Names in a folder, without `.` and `..`, sorted.
    public static func entries(of directory: String) throws -> [String] {
        guard let handle = opendir(directory) else { throw TestFailure("cannot list \(directory)") }
        defer { closedir(handle) }
        var names: [String] = []
        while let entry = readdir(handle) {
            let name = withUnsafePointer(to: &entry.pointee.d_name) {
                String(cString: UnsafeRawPointer($0).assumingMemoryBound(to: CChar.self))
            }
            if name != "." && name != ".." { names.append(name) }
        }
        return names.sorted()
    }

    public static func removeTree(_ path: String) {
        if isDirectory(path) {
            for name in (try? entries(of: path)) ?? [] { removeTree(path + "/" + name) }
            rmdir(path)
        } else {
            unlink(path)
        }
    }
}
