// The library's layers, built by fuzz/run.sh with SwiftPM (debug, instrumented).
@testable import PortRegistry
@testable import PortRegistryAssignments
@testable import PortRegistryCatalog
@testable import PortRegistryConfigScan
@testable import PortRegistryConflicts
@testable import PortRegistryFormats
@testable import PortRegistryModel
@testable import PortRegistryPostgreSQL
@testable import PortRegistrySearch
@testable import PortRegistryStorage
@testable import PortRegistrySystem

#if canImport(Glibc)
    import Glibc
#endif

// The CSV reader on arbitrary bytes, read from a file descriptor in chunks of 4-67 bytes
// (the first byte picks the size, so every byte lands on a chunk boundary somewhere), and the
// same bytes as text when they are UTF-8. Invariants: no trap, no hang; an error is a
// RegistryError naming a line within the input; records' lines never go backwards.
private let memory: Int32 = {
    // A temporary file, unlinked at once; /proc/self/fd/N reopens it at offset 0.
    var template = Array("/tmp/portreg-fuzz-csv-XXXXXX".utf8CString)
    let descriptor = mkstemp(&template)
    precondition(descriptor >= 0, "mkstemp failed")
    unlink(String(cString: template))
    return descriptor
}()

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzCSV(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let bytes = Array(UnsafeBufferPointer(start: data, count: size))
    let chunk = 4 + Int(bytes.first ?? 0) % 64
    let body = Array(bytes.dropFirst())
    ftruncate(memory, 0)
    _ = body.withUnsafeBytes { pwrite(memory, $0.baseAddress, $0.count, 0) }
    let lines = body.reduce(1) { $0 + ($1 == 0x0A || $1 == 0x0D ? 1 : 0) }
    func drain(_ reader: inout CSVReader) {
        var last = 0
        do {
            while let record = try reader.next() {
                precondition(record.line >= last && record.line <= lines, "record line \(record.line) of \(lines)")
                last = record.line
            }
            _ = reader.sha256
        } catch {
            precondition(error.kind == .dataFormat, "unexpected error kind: \(error)")
        }
    }
    do {
        var reader = try CSVReader(path: "/proc/self/fd/\(memory)", chunkSize: chunk)
        drain(&reader)
    } catch {
        preconditionFailure("cannot open the memfd: \(error)")
    }
    if let text = String(validating: body, as: UTF8.self) {
        var reader = CSVReader(text: text, name: "<fuzz>")
        drain(&reader)
    }
    return 0
}
