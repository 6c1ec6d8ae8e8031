import Glibc
import PortRegistryModel

/// Where the registry's "now" comes from. The front door (`Registry`) asks it once per use
/// case, and every statement of that transaction binds the same value; tests pass a clock
/// they move instead of sleeping until a lease expires.
package struct RegistryClock: Sendable {
    private let read: @Sendable () -> Timestamp

    package init(_ read: @escaping @Sendable () -> Timestamp) { self.read = read }

    package func now() -> Timestamp { read() }

    /// The system's real-time clock, to the second. In a debug build only, plus
    /// `PORTREG_TEST_CLOCK_OFFSET` seconds when that is set: the CLI tests' way to let a lease
    /// expire without sleeping. Undocumented on purpose, and compiled out of release builds.
    package static let system = RegistryClock {
        var time = timespec()
        clock_gettime(CLOCK_REALTIME, &time)
        return Timestamp(secondsSinceEpoch: Int(time.tv_sec) + testOffsetSeconds)
    }

    #if DEBUG
        private static let testOffsetSeconds: Int =
            getenv("PORTREG_TEST_CLOCK_OFFSET").flatMap { Int(String(cString: $0)) } ?? 0
    #else
        private static let testOffsetSeconds = 0
    #endif
}
