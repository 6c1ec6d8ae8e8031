import Testing
@testable import PortRegistryFormats
@testable import PortRegistryModel

@testable import PortRegistry
import PortregTestSupport

import Glibc

extension SharedData {
    /// The current IANA file, parsed once for every test that needs it.
    static let ianaParsed: Result<ParsedCSV, RegistryError> = ParsedCSV.read(iana)
    static let ianaOlderParsed: Result<ParsedCSV, RegistryError> = ParsedCSV.read(ianaOlder)
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
        #expect(error.description.hasPrefix("\(location): "), "\(error)", sourceLocation: sourceLocation)
        #expect(error.message.contains(fragment), "\(error)", sourceLocation: sourceLocation)
    } catch {
        Issue.record("expected a RegistryError, got \(error)", sourceLocation: sourceLocation)
    }
}
