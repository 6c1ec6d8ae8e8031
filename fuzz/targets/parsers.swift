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

// Every small parser of the command line and the registry CSV on the same arbitrary text:
// PortRange(parsing:), PortSpec.parse, LookupQuery(parsing:), BindAddress(parsing:),
// HostScope(parsing:) and the --ttl LeaseDuration parser. Invariants: no trap; what parses is
// in bounds and parses again to itself (canonical forms are fixed points).
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzParsers(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let text = String(decoding: UnsafeBufferPointer(start: data, count: size), as: UTF8.self)
    if let ports = PortRange(parsing: text) {
        precondition(0 <= ports.low && ports.low <= ports.high && ports.high <= 65535, "\(ports)")
        precondition(PortRange(parsing: ports.description) == ports, "\(ports) does not parse back")
    }
    for allowZero in [false, true] {
        if let (ports, _) = try? PortSpec.parse(text, allowZero: allowZero) {
            precondition(allowZero || ports.low > 0)
            precondition(ports.low <= ports.high && ports.high <= 65535)
        }
    }
    if let query = try? LookupQuery(parsing: text) {
        precondition((try? LookupQuery(parsing: query.description)) == query, "\(query) does not parse back")
    }
    if let bind = BindAddress(parsing: text) {
        precondition(BindAddress(parsing: bind.text) == bind, "bind \(bind) does not parse back")
    }
    if let host = HostScope(parsing: text) {
        precondition(HostScope(parsing: host.name) == host, "host \(host) does not parse back")
        precondition(Array(HostScope(parsing: host.name)!.name.utf8) == Array(host.name.utf8), "host not a fixed point")
    }
    if let seconds = try? LeaseDuration.seconds(parsing: text) {
        precondition(seconds > 0 && seconds <= LeaseDuration.longest, "duration \(seconds)")
    }
    return 0
}
