/// Service names: 1–63 characters of letters, digits, `-`, `_` and `.`, starting with a
/// letter or digit. Wider than RFC 6335 (15 characters, no `_` or `.`) because team service
/// names such as `billing-api.worker_2` are common; compared case-insensitively.
package enum ServiceName {
    package static let rule = "1-63 characters: letters, digits, '-', '_' or '.', starting with a letter or digit"

    package static func validate(_ name: String) throws -> String {
        func isLetterOrDigit(_ byte: UInt8) -> Bool {
            (byte >= 0x61 && byte <= 0x7A) || (byte >= 0x41 && byte <= 0x5A) || (byte >= 0x30 && byte <= 0x39)
        }
        let bytes = name.utf8
        let valid =
            !bytes.isEmpty && bytes.count <= 63 && isLetterOrDigit(bytes.first!)
            && bytes.allSatisfy { isLetterOrDigit($0) || $0 == 0x2D || $0 == 0x5F || $0 == 0x2E }
        guard valid else {
            throw RegistryError(.usage, "invalid service name '\(name)': \(rule)")
        }
        return name
    }
}
