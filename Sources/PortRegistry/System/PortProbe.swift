import Glibc
import PortRegistryModel

/// Asks the kernel whether a port could be taken right now, by taking it for an instant.
///
/// A bind is the only check that agrees with the kernel's own rules (wildcards, dual stack,
/// SO_REUSEPORT groups, sockets of other users and namespaces sharing this stack that /proc does
/// not show us), and it costs a few microseconds.
package enum PortProbe {
    /// True when binding `port` for `transport` succeeds right now (so no other socket holds it).
    ///
    /// `bind`: nil, `""`, `"*"` or `"::"` try the IPv6 wildcard with IPV6_V6ONLY=0, which on a
    /// dual-stack host collides with every IPv4 and IPv6 socket on the port, and fall back to
    /// `0.0.0.0` where IPv6 is unavailable; `"0.0.0.0"` is the IPv4 wildcard only; any other
    /// address (`[::1]` and `fe80::1%eth0` included) is bound as given. An address that is not
    /// one of this host's (or not an address) is probed as the wildcard instead: that can only
    /// call a port taken that was free, never the reverse.
    ///
    /// TCP sets SO_REUSEADDR, so connections lingering in TIME_WAIT do not count as in use, and
    /// never listens. UDP binds a plain datagram socket without SO_REUSEADDR, so sockets that
    /// share a port that way (mDNS on 5353) still count. A port outside 1–65535 is never free
    /// (binding port 0 would succeed on any port the kernel picks). A port this process may not
    /// bind (below 1024 without privileges) reports false, like one that is held.
    ///
    /// sctp and dccp are not probed and report true. On Linux each lives in a kernel module that
    /// is usually not loaded: creating the socket would load it (a side effect a query must not
    /// have), and where the module is blacklisted or absent (DCCP left Linux in 6.16) the socket
    /// cannot be created at all, and a probe that cannot run must not make every port look taken.
    /// SocketTable does not list them either, so for these transports the registry is the only
    /// source of truth.
    package static func isFree(port: Int, transport: TransportProtocol, bind: String?) -> Bool {
        guard let port = UInt16(exactly: port), port != 0 else { return false }
        let type: Int32
        switch transport {
        case .tcp: type = Int32(SOCK_STREAM.rawValue)
        case .udp: type = Int32(SOCK_DGRAM.rawValue)
        case .sctp, .dccp: return true
        }
        switch bind {
        case nil, "", "*", "::", "[::]":
            return isWildcardFree(port: port, type: type)
        case "0.0.0.0":
            return attempt(Address.ipv4(0), port: port, type: type) == .bound
        case let text?:
            guard let address = Address(text) else { return isWildcardFree(port: port, type: type) }
            switch attempt(address, port: port, type: type) {
            case .bound: return true
            case .taken: return false
            case .unavailable: return isWildcardFree(port: port, type: type)
            }
        }
    }

    private static func isWildcardFree(port: UInt16, type: Int32) -> Bool {
        switch attempt(Address.ipv6(in6_addr(), scope: 0), port: port, type: type) {
        case .bound: true
        case .taken: false
        case .unavailable: attempt(Address.ipv4(0), port: port, type: type) == .bound
        }
    }

    private enum Outcome {
        case bound
        /// In use, or not ours to bind.
        case taken
        /// The address family or the address does not exist here.
        case unavailable
    }

    private static func attempt(_ address: Address, port: UInt16, type: Int32) -> Outcome {
        let family = address.family
        let fd = socket(family, type | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard fd >= 0 else { return errno == EAFNOSUPPORT ? .unavailable : .taken }
        defer { close(fd) }
        var on: Int32 = 1
        var off: Int32 = 0
        let size = socklen_t(MemoryLayout<Int32>.size)
        if type == Int32(SOCK_STREAM.rawValue) {
            setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &on, size)
        }
        if family == AF_INET6 {
            // Dual stack, so that :: also covers IPv4 and ::ffff:a.b.c.d binds at all.
            setsockopt(fd, Int32(IPPROTO_IPV6), IPV6_V6ONLY, &off, size)
        }
        if address.bind(fd, port: port) == 0 { return .bound }
        switch errno {
        case EADDRNOTAVAIL, EAFNOSUPPORT, EINVAL: return .unavailable
        default: return .taken
        }
    }

    private enum Address {
        case ipv4(in_addr_t)
        case ipv6(in6_addr, scope: UInt32)

        /// `127.0.0.1`, `::1`, `[::1]`, `fe80::1%eth0` or `fe80::1%2`; nil for anything else.
        init?(_ text: String) {
            var text = Substring(text)
            if text.hasPrefix("["), text.hasSuffix("]") { text = text.dropFirst().dropLast() }
            var scope: UInt32 = 0
            if let percent = text.firstIndex(of: "%") {
                let name = String(text[text.index(after: percent)...])
                scope = UInt32(name) ?? if_nametoindex(name)
                guard scope != 0 else { return nil }
                text = text[..<percent]
            }
            var ipv4 = in_addr()
            var ipv6 = in6_addr()
            if scope == 0, inet_pton(AF_INET, String(text), &ipv4) == 1 {
                self = .ipv4(ipv4.s_addr)
            } else if inet_pton(AF_INET6, String(text), &ipv6) == 1 {
                self = .ipv6(ipv6, scope: scope)
            } else {
                return nil
            }
        }

        var family: Int32 {
            switch self {
            case .ipv4: AF_INET
            case .ipv6: AF_INET6
            }
        }

        func bind(_ fd: Int32, port: UInt16) -> Int32 {
            switch self {
            case .ipv4(let address):
                var socketAddress = sockaddr_in()
                socketAddress.sin_family = sa_family_t(AF_INET)
                socketAddress.sin_port = port.bigEndian
                socketAddress.sin_addr = in_addr(s_addr: address)
                return Self.bind(fd, &socketAddress)
            case .ipv6(let address, let scope):
                var socketAddress = sockaddr_in6()
                socketAddress.sin6_family = sa_family_t(AF_INET6)
                socketAddress.sin6_port = port.bigEndian
                socketAddress.sin6_addr = address
                socketAddress.sin6_scope_id = scope
                return Self.bind(fd, &socketAddress)
            }
        }

        private static func bind<SocketAddress>(_ fd: Int32, _ address: inout SocketAddress) -> Int32 {
            withUnsafePointer(to: &address) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                    Glibc.bind(fd, $0, socklen_t(MemoryLayout<SocketAddress>.size))
                }
            }
        }
    }
}
