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

// The `check` config scanner on arbitrary bytes: the same input is written as a Compose file
// (with itself as the project's `.env`, so interpolation reads it too), a Kubernetes manifest,
// a Procfile and a standalone `.env`, each in its own folder of a scratch tree, which is
// then scanned and judged as `portreg check` does. No trap or hang; every finding names a
// file of the tree and a line of it (or none) in range; every port found is in 0-65535.
nonisolated(unsafe) var scratch: String = {
    var template = Array("/tmp/portreg-fuzz-check-XXXXXX".utf8CString)
    guard let made = mkdtemp(&template) else { fatalError("mkdtemp failed") }
    let root = String(cString: made)
    for folder in ["compose", "k8s", "procfile", "env"] { mkdir(root + "/" + folder, 0o700) }
    return root
}()

func write(_ path: String, _ data: UnsafePointer<UInt8>, _ size: Int) {
    let descriptor = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0o600)
    precondition(descriptor >= 0, "cannot write \(path)")
    var offset = 0
    while offset < size {
        let written = Glibc.write(descriptor, data + offset, size - offset)
        precondition(written > 0, "short write to \(path)")
        offset += written
    }
    close(descriptor)
}

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzCheck(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let root = scratch
    let files = ["compose/compose.yaml", "compose/.env", "k8s/deploy.yaml", "procfile/Procfile", "env/.env"]
    for file in files { write(root + "/" + file, data, size) }
    // Lines as YAML counts them: LF, CR LF and a lone CR each end one.
    let bytes = UnsafeBufferPointer(start: data, count: size)
    let lines = 1 + bytes.indices.count { bytes[$0] == 0x0A || (bytes[$0] == 0x0D && bytes[$0 + 1 < size ? $0 + 1 : $0] != 0x0A) }
    let options = CheckOptions(paths: [root])
    do {
        let scan = try ConfigCheck.scan(options, now: Timestamp(secondsSinceEpoch: 1_800_000_000))
        for port in scan.ports {
            precondition(0 <= port.ports.low && port.ports.low <= port.ports.high && port.ports.high <= 65535)
        }
        let report = ConfigCheck.evaluate(scan, registry: RegistrySnapshot(), options: options)
        for finding in report.findings {
            precondition(!finding.places.isEmpty || finding.kind == .parse, "a finding without a place: \(finding)")
            for place in finding.places {
                precondition(place.location.file.hasPrefix(root + "/"), "a finding outside the tree: \(finding)")
                if let line = place.location.line {
                    // A line past the end is allowed for the last one (an error at end of input).
                    precondition(1 <= line && line <= lines + 1, "line \(line) of \(lines): \(finding)")
                }
            }
        }
    } catch {
        preconditionFailure("scan threw on a tree that exists: \(error)")
    }
    return 0
}
