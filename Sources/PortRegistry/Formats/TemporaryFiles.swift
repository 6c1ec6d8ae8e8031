import Glibc

/// The temporary file an atomic write is filling, removed when a catchable signal ends the
/// process (SIGTERM, SIGHUP, SIGINT, SIGPIPE): a killed `export -o` leaves no
/// `.ports.csv.tmp-PID` behind for `git add .` to pick up. SIGKILL cannot be caught; the
/// dot-prefixed name keeps such a leftover out of `ls` and most globs.
///
/// One file at a time (portreg writes one output file per command). The handler only calls
/// async-signal-safe functions: `unlink` on a preallocated buffer, then the signal's default
/// action again, so the process still dies of the signal (status 128+N for a shell).
enum TemporaryFiles {
    static let signals: [Int32] = [SIGTERM, SIGHUP, SIGINT, SIGPIPE]
    private static let capacity = Int(PATH_MAX) + 1
    /// Written before `active` is set, read by the handler only while it is.
    nonisolated(unsafe) static let buffer: UnsafeMutablePointer<CChar> = {
        let buffer = UnsafeMutablePointer<CChar>.allocate(capacity: capacity)
        buffer.initialize(repeating: 0, count: capacity)
        return buffer
    }()
    nonisolated(unsafe) static var active: sig_atomic_t = 0

    private static let installed: Void = {
        for number in signals {
            let previous = signal(number) { number in
                if TemporaryFiles.active != 0 { unlink(TemporaryFiles.buffer) }
                signal(number, nil)  // SIG_DFL
                raise(number)
            }
            // A signal the caller ignores (nohup's SIGHUP, a shell's SIGPIPE) stays ignored.
            if let previous, unsafeBitCast(previous, to: Int.self) == 1 { signal(number, previous) }
        }
    }()

    /// Removes `path` if a signal ends the process before `finished()`.
    package static func writing(_ path: String) {
        _ = installed
        let bytes = Array(path.utf8)
        guard bytes.count < capacity else { return }
        active = 0
        for (index, byte) in bytes.enumerated() { buffer[index] = CChar(bitPattern: byte) }
        buffer[bytes.count] = 0
        active = 1
    }

    static func finished() { active = 0 }
}
