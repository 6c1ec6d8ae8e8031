import Testing

@testable import PortRegistry

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// The real catalog files in `shared/data`, next to the repository (`REPO/../shared/data`).
/// Tests on them are skipped, visibly, on a machine that lacks the folder.
enum SharedData {
    static let directory: String = {
        // #filePath is REPO/Tests/PortRegistryTests/SharedData.swift: drop 4 components for REPO/..
        let components = "\(#filePath)".split(separator: "/", omittingEmptySubsequences: false)
        return components.dropLast(4).joined(separator: "/") + "/shared/data"
    }()

    static let iana = "service-names-port-numbers.csv"
    static let ianaOlder = "service-names-port-numbers.older.csv"
    static let services = "etc-services"

    static var isAvailable: Bool { exists(iana) && exists(ianaOlder) && exists(services) }

    static func path(_ name: String) -> String { directory + "/" + name }

    static func exists(_ name: String) -> Bool { access(path(name), R_OK) == 0 }

    static let skipMessage: Comment = "\(directory) not found: skipping real-file tests"

    /// The current IANA file, parsed once for every test that needs it.
    static let ianaParsed: Result<ParsedCSV, RegistryError> = ParsedCSV.read(path(iana))
    static let ianaOlderParsed: Result<ParsedCSV, RegistryError> = ParsedCSV.read(path(ianaOlder))

    /// The whole file (`ServicesFile.parse` takes text).
    static func bytes(_ name: String) throws -> [UInt8] { try FileSystem.bytes(path(name)) }

    static func text(_ name: String) throws -> String {
        String(decoding: try bytes(name), as: UTF8.self)
    }
}

struct ParsedCSV: Sendable {
    var header: CSVRecord
    var records: [CSVRecord]
    var sha256: String

    static func read(_ path: String) -> Result<ParsedCSV, RegistryError> {
        Result { () throws(RegistryError) in
            var reader = try CSVReader(path: path)
            guard let header = try reader.next() else { throw RegistryError(.dataFormat, "\(path): empty") }
            var records: [CSVRecord] = []
            while let record = try reader.next() { records.append(record) }
            return ParsedCSV(header: header, records: records, sha256: reader.sha256)
        }
    }
}

struct TestFailure: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}

/// A file in /tmp holding `bytes`, removed when the value is released.
final class TemporaryFile {
    let path: String

    init(_ bytes: [UInt8]) throws {
        var template = Array("/tmp/portreg-test-XXXXXX".utf8CString)
        let descriptor = mkstemp(&template)
        guard descriptor >= 0 else { throw TestFailure("mkstemp failed") }
        path = template.withUnsafeBufferPointer { String(cString: $0.baseAddress!) }
        defer { close(descriptor) }
        let written = bytes.withUnsafeBytes { write(descriptor, $0.baseAddress, $0.count) }
        guard written == bytes.count else { throw TestFailure("short write to \(path)") }
    }

    convenience init(_ text: String) throws { try self.init(Array(text.utf8)) }

    deinit { unlink(path) }
}

/// Every record of `text`.
func readAll(_ text: String, name: String = "t.csv") throws(RegistryError) -> [CSVRecord] {
    var reader = CSVReader(text: text, name: name)
    var records: [CSVRecord] = []
    while let record = try reader.next() { records.append(record) }
    return records
}

/// Expects `body` to fail with a `.dataFormat` error whose message starts with `location: `
/// (e.g. `t.csv:3`) and contains `fragment`.
func expectDataError(
    at location: String, _ fragment: String, sourceLocation: Testing.SourceLocation = #_sourceLocation,
    _ body: () throws -> Void
) {
    do {
        try body()
        Issue.record("expected a data error at \(location) containing \"\(fragment)\"", sourceLocation: sourceLocation)
    } catch let error as RegistryError {
        #expect(error.kind == .dataFormat, "\(error)", sourceLocation: sourceLocation)
        #expect(error.message.hasPrefix("\(location): "), "\(error)", sourceLocation: sourceLocation)
        #expect(error.message.contains(fragment), "\(error)", sourceLocation: sourceLocation)
    } catch {
        Issue.record("expected a RegistryError, got \(error)", sourceLocation: sourceLocation)
    }
}
