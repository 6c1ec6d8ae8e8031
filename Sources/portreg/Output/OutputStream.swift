import Glibc

/// Buffered writes to a file descriptor: a million-row export is a few hundred write(2)
/// calls, not a million.
final class OutputStream: @unchecked Sendable {
    let descriptor: Int32
    private var buffer: [UInt8] = []
    private let capacity = 1 << 16
    /// Set when a write failed (disk full, closed pipe): the command exits 74.
    private(set) var failure: String?

    init(descriptor: Int32) {
        self.descriptor = descriptor
        buffer.reserveCapacity(capacity)
    }

    static let standardOutput = OutputStream(descriptor: 1)
    static let standardError = OutputStream(descriptor: 2)

    var isTerminal: Bool { isatty(descriptor) == 1 }

    func write(_ text: String) {
        var text = text
        text.withUTF8 { bytes in
            buffer.append(contentsOf: bytes)
        }
        if buffer.count >= capacity { flush() }
    }

    func write(bytes: UnsafeBufferPointer<UInt8>) {
        buffer.append(contentsOf: bytes)
        if buffer.count >= capacity { flush() }
    }

    func writeLine(_ text: String) {
        write(text)
        write("\n")
    }

    func flush() {
        var offset = 0
        while offset < buffer.count, failure == nil {
            let written = buffer.withUnsafeBytes { raw in
                Glibc.write(descriptor, raw.baseAddress! + offset, raw.count - offset)
            }
            if written < 0 {
                if errno == EINTR { continue }
                failure = String(cString: strerror(errno))
            } else {
                offset += written
            }
        }
        buffer.removeAll(keepingCapacity: true)
    }

    deinit { flush() }
}

/// Colour for a terminal only, and never with NO_COLOR set (https://no-color.org).
enum Style {
    static func enabled(for stream: OutputStream) -> Bool {
        stream.isTerminal && getenv("NO_COLOR") == nil
    }

    static func bold(_ text: String, on stream: OutputStream) -> String {
        enabled(for: stream) ? "\u{1B}[1m\(text)\u{1B}[0m" : text
    }

    static func yellow(_ text: String, on stream: OutputStream) -> String {
        enabled(for: stream) ? "\u{1B}[33m\(text)\u{1B}[0m" : text
    }

    static func red(_ text: String, on stream: OutputStream) -> String {
        enabled(for: stream) ? "\u{1B}[31m\(text)\u{1B}[0m" : text
    }
}
