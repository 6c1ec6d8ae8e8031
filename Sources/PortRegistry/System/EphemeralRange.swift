import PortRegistryModel

/// The ports the kernel hands out for outgoing connections and `bind(port: 0)`.
///
/// A service listening inside this range can find its port taken by some unrelated outgoing
/// connection at start-up, which is why `reserve` avoids it and `conflicts` warns about it. The
/// host's own setting matters more than RFC 6335's 49152–65535: Linux defaults to 32768–60999.
package enum EphemeralRange {
    /// This host's ephemeral range from /proc/sys/net/ipv4/ip_local_port_range; nil when unreadable (non-Linux).
    package static func current() -> PortRange? {
        guard let bytes = ProcFile.read("/proc/sys/net/ipv4/ip_local_port_range", chunkSize: 64) else {
            return nil
        }
        return parse(String(decoding: bytes, as: UTF8.self))
    }

    /// Parses the file's two whitespace-separated numbers, `"32768\t60999\n"` → 32768-60999.
    ///
    /// Anything else (a missing or extra field, a sign, a port above 65535, low above high) is nil:
    /// a range guessed from a file we do not understand would be worse than none.
    package static func parse(_ text: String) -> PortRange? {
        let fields = text.split(whereSeparator: \.isWhitespace)
        guard fields.count == 2,
            fields.allSatisfy({ $0.utf8.allSatisfy { (UInt8(ascii: "0")...UInt8(ascii: "9")).contains($0) } }),
            let low = Int(fields[0]), let high = Int(fields[1])
        else { return nil }
        return PortRange(low: low, high: high)
    }
}
