import Glibc

/// System calls that a signal can interrupt, retried: the one EINTR loop.
package enum SystemCall {
    /// `read(2)` until it does not fail with EINTR: bytes read, 0 at the end, -1 with `errno`.
    package static func read(_ descriptor: Int32, _ buffer: UnsafeMutableRawPointer?, _ count: Int) -> Int {
        while true {
            let got = Glibc.read(descriptor, buffer, count)
            if got >= 0 || errno != EINTR { return got }
        }
    }
}
