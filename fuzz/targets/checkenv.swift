// The library's layers, built by fuzz/run.sh with SwiftPM (debug, instrumented).
@testable import PortRegistry
@testable import PortRegistryConfigScan
@testable import PortRegistryModel

// The `.env` parser (`EnvFile`) on arbitrary text, as `check` reads a tree's `.env` files
// for interpolation and standalone claims (issue 19): no trap or hang; every value within
// the bounds (64 KiB each, 1 MiB in all); keys are names; entry lines rise and lie in the
// file, before the line where a bound stopped reading; and the file with every LF written
// as CR LF gives the same entries (when it had no CR of its own).
/// A long variable the input may reference (built once: the target runs per input).
let inherited = ["BIG": String(repeating: "x", count: 40 << 10)]

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzCheckEnv(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let text = String(decoding: UnsafeBufferPointer(start: data, count: size), as: UTF8.self)
    // The first line's value may be referenced by the rest: a long one makes the bounds
    // reachable from a 4 KiB input.
    let file = EnvFile(text: text, inherited: inherited)
    let lineCount = text.lines().count
    var total = 0
    var previous = 0
    for entry in file.entries {
        precondition(!entry.key.isEmpty && entry.key.unicodeScalars.allSatisfy(\.isASCIIName), "key \(entry.key)")
        precondition(entry.value.utf8.count <= EnvFile.valueLimit, "a value past the bound")
        total += entry.value.utf8.count
        precondition(entry.line > previous && entry.line <= lineCount, "line \(entry.line) of \(lineCount)")
        previous = entry.line
    }
    precondition(total <= EnvFile.totalLimit, "values past the total bound")
    if let problem = file.problem {
        precondition(problem.line > previous && problem.line <= lineCount, "problem line \(problem.line)")
    }
    if !text.unicodeScalars.contains("\r") {
        let crlf = String(String.UnicodeScalarView(text.unicodeScalars.flatMap { $0 == "\n" ? ["\r", "\n"] : [$0] }))
        let twin = EnvFile(text: crlf, inherited: inherited)
        precondition(twin.entries == file.entries, "CR LF reads differently")
        precondition(twin.problem == file.problem, "CR LF stops differently")
    }
    // Standalone claims from the same text: ports in range, lines in the file.
    let scanned = StandaloneEnv.ports(path: "app/.env", text: text)
    for port in scanned.ports {
        precondition(1 <= port.ports.low && port.ports.high <= 65535)
        precondition((1...lineCount).contains(port.location.line ?? 0))
    }
    return 0
}
