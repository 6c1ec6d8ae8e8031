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

// The services(5) reader on arbitrary text: no trap; every entry it returns has a valid
// port and a name; the sniffing test never traps either.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzServices(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let text = String(decoding: UnsafeBufferPointer(start: data, count: size), as: UTF8.self)
    _ = ServicesFile.looksLikeServicesFile(text)
    do {
        let (entries, _) = try ServicesFile.parse(text, file: "<fuzz>")
        for entry in entries {
            precondition(entry.service?.isEmpty == false, "an entry without a name")
            if let ports = entry.ports {
                precondition(0 <= ports.low && ports.low <= ports.high && ports.high <= 65535)
            }
        }
    } catch {
        precondition(error.kind == .dataFormat, "unexpected error kind: \(error)")
    }
    return 0
}
