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

// The PostgreSQL URI checks and the redactor (issue 13): no trap on any text, and no output
// holds the password. The input is split at its first NUL byte into a password and the rest
// of a URI; the password is placed where a user puts one (the user info, or a `password=`
// query parameter, chosen by the rest's length), and `redacted`, `scrub` of a libpq-style
// message quoting the URI, and `problem(in:)` must not show it, raw or percent-decoded.
// Passwords shorter than 4 characters, made only of `*`, or found in the text around them
// are skipped: no redactor can hide those.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzURI(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let bytes = Array(UnsafeBufferPointer(start: data, count: size))
    let text = String(decoding: bytes, as: UTF8.self)
    // Any text at all: nothing traps.
    _ = PostgresURI.redacted(text)
    _ = PostgresURI.problem(in: text)
    _ = PostgresURI.scrub("libpq: \"\(text)\"", uri: text)
    guard let nul = bytes.firstIndex(of: 0) else { return 0 }
    let password = String(decoding: bytes[..<nul], as: UTF8.self)
    let rest = String(decoding: bytes[(nul + 1)...], as: UTF8.self)
    let inQuery = rest.utf8.count % 2 == 1
    if inQuery && password.contains("&") { return 0 }  // a `&` ends the value: it is two parameters
    let uri =
        inQuery
        ? "postgresql://\(rest)?password=\(password)" : "postgresql://ports:\(password)@\(rest)"
    let surroundings = inQuery ? "postgresql://\(rest)?password=***" : "postgresql://ports:***@\(rest)"
    let message = "invalid URI: \"\(uri)\": password authentication failed for user \"ports\""
    var forms = [password]
    if let decoded = PostgresURI.percentDecoded(Substring(password)) { forms.append(decoded) }
    // Compared scalar by scalar: a combining mark beside the password must not hide it.
    func holds(_ text: String, _ form: String) -> Bool {
        PostgresURI.find(Array(form.unicodeScalars), in: Array(text.unicodeScalars)) != nil
    }
    for form in forms where form.unicodeScalars.count >= 4 && form.unicodeScalars.contains(where: { $0 != "*" }) {
        let around = "invalid URI: \"\": password authentication failed for user \"ports\""
        if holds(surroundings, form) || holds(around, form) || holds(form, "***") { continue }
        for output in [
            PostgresURI.redacted(uri), PostgresURI.scrub(message, uri: uri), PostgresURI.problem(in: uri) ?? "",
        ] {
            precondition(
                !holds(output, form), "the password \(form.debugDescription) shows in \(output.debugDescription)")
        }
    }
    return 0
}
