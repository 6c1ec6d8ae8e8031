#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// The local address a service listens on. Two binds overlap when one socket would stop the
/// other: a wildcard overlaps every address of its family, and `::` (dual-stack) and `*`
/// overlap IPv4 too; two specific addresses overlap only when equal.
package struct BindAddress: Hashable, Sendable, CustomStringConvertible {
    package enum Kind: Hashable, Sendable {
        /// `*` or `::`: every IPv4 and IPv6 address of the host.
        case any
        /// `0.0.0.0`: every IPv4 address.
        case anyIPv4
        case ipv4
        case ipv6
    }

    package let kind: Kind
    /// Canonical text: `*`, `::`, `0.0.0.0`, or the address as inet_ntop writes it.
    package let text: String

    package static let wildcard = BindAddress(kind: .any, text: "*")

    private init(kind: Kind, text: String) {
        self.kind = kind
        self.text = text
    }

    /// Parses `*`, `0.0.0.0`, `::`, an IPv4 or IPv6 address (IPv4-mapped IPv6 counts as IPv4).
    /// Host names are refused: they can resolve to several addresses.
    package init?(parsing raw: String) {
        let text = raw.hasPrefix("[") && raw.hasSuffix("]") ? String(raw.dropFirst().dropLast()) : raw
        if text == "*" || text.isEmpty {
            self = .wildcard
            return
        }
        var v4 = in_addr()
        if inet_pton(AF_INET, text, &v4) == 1 {
            let canonical = BindAddress.format(family: AF_INET, &v4)
            self.init(kind: v4.s_addr == 0 ? .anyIPv4 : .ipv4, text: canonical)
            return
        }
        var v6 = in6_addr()
        guard inet_pton(AF_INET6, text, &v6) == 1 else { return nil }
        let bytes = withUnsafeBytes(of: &v6) { Array($0) }
        if bytes.allSatisfy({ $0 == 0 }) {
            self.init(kind: .any, text: "::")
        } else if bytes[0..<10].allSatisfy({ $0 == 0 }) && bytes[10] == 0xFF && bytes[11] == 0xFF {
            let mapped = "\(bytes[12]).\(bytes[13]).\(bytes[14]).\(bytes[15])"
            self.init(kind: mapped == "0.0.0.0" ? .anyIPv4 : .ipv4, text: mapped)
        } else {
            self.init(kind: .ipv6, text: BindAddress.format(family: AF_INET6, &v6))
        }
    }

    private static func format<T>(family: Int32, _ address: inout T) -> String {
        withUnsafeBytes(of: &address) { internetAddressText(family: family, $0) } ?? ""
    }

    package var isWildcard: Bool { kind == .any || kind == .anyIPv4 }

    package func overlaps(_ other: BindAddress) -> Bool {
        switch (kind, other.kind) {
        case (.any, _), (_, .any): true
        case (.anyIPv4, .anyIPv4), (.anyIPv4, .ipv4), (.ipv4, .anyIPv4): true
        case (.anyIPv4, .ipv6), (.ipv6, .anyIPv4): false
        default: text == other.text
        }
    }

    package var description: String { text }
}
