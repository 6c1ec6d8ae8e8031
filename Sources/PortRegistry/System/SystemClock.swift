import Glibc
import PortRegistryModel

/// Where the registry's "now" comes from. The front door (`Registry`) asks it once per use
/// case, and every statement of that transaction binds the same value; tests pass a clock
/// they move instead of sleeping until a lease expires.
public struct RegistryClock: Sendable {
    private let read: @Sendable () -> Timestamp

    public init(_ read: @escaping @Sendable () -> Timestamp) { self.read = read }

    public func now() -> Timestamp { read() }

    /// The system's real-time clock, to the second.
    public static let system = RegistryClock {
        var time = timespec()
        clock_gettime(CLOCK_REALTIME, &time)
        return Timestamp(secondsSinceEpoch: Int(time.tv_sec))
    }
}
