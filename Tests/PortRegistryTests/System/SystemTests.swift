import Glibc
import PortregTestSupport
import Testing
@testable import PortRegistryModel
@testable import PortRegistrySystem

@testable import PortRegistry

@Suite struct EphemeralRangeTests {
    @Test func parsesTheKernelFormat() {
        #expect(EphemeralRange.parse("32768\t60999\n") == PortRange(low: 32768, high: 60999))
    }

    @Test func toleratesOtherWhitespace() {
        #expect(EphemeralRange.parse("1024 65535") == PortRange(low: 1024, high: 65535))
        #expect(EphemeralRange.parse("  49152 \t 65535 \r\n\n") == PortRange(low: 49152, high: 65535))
        #expect(EphemeralRange.parse("40000\t40000\n") == PortRange(port: 40000))
    }

    @Test(arguments: [
        "", "\n", "32768", "32768\t\n", "60999\t32768\n", "32768\t65536\n", "32768\t60999\t61000\n",
        "+32768\t60999", "-1\t60999", "0x8000\t60999", "32768,60999", "32768\t60999x",
        "99999999999999999999999\t1",
    ])
    func rejectsAnythingElse(_ text: String) {
        #expect(EphemeralRange.parse(text) == nil)
    }

    @Test func readsThisHost() throws {
        let range = try #require(EphemeralRange.current())
        #expect(range != PortRange.all)
        #expect(!range.contains(0))
    }
}

@Suite struct SocketTableParseTests {
    // Rows as Linux 6.x prints them; the addresses were checked against sockets opened for the
    // purpose. Each word of an address is a host-order (little-endian on x86) u32, ports are plain hex.
    static let tcp = """
          sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode                                                     
           0: 00000000:1F90 00000000:0000 0A 00000000:00000000 00:00000000 00000000  1000        0 41234 1 0000000000000000 100 0 0 10 0                     
           1: 0100007F:1538 00000000:0000 0A 00000000:00000000 00:00000000 00000000   105        0 23456 1 0000000000000000 100 0 0 10 0                     
           2: 0500000A:0016 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 3333 1 0000000000000000 100 0 0 10 5                      
           3: 0100007F:1538 0100007F:D4C2 01 00000000:00000000 00:00000000 00000000   105        0 98765 1 0000000000000000 20 4 30 10 -1                    
           4: 0500000A:0016 6401A8C0:C350 01 00000000:00000000 02:0009A8B4 00000000     0        0 44444 4 0000000000000000 20 4 31 10 -1                    
           5: 0100007F:A1B2 0100007F:1F90 06 00000000:00000000 03:00000E2B 00000000     0        0 0 3 0000000000000000                                      
           6: 0100007F:1F90 0100007F:A1B3 08 00000000:00000001 00:00000000 00000000  1000        0 55555 1 0000000000000000 20 4 0 10 -1                     

        """

    static let tcp6 = """
          sl  local_address                         remote_address                        st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode
           0: 00000000000000000000000000000000:0050 00000000000000000000000000000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 5555 1 0000000000000000 100 0 0 10 0
           1: 00000000000000000000000001000000:0277 00000000000000000000000000000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 6666 1 0000000000000000 100 0 0 10 0
           2: 0000000000000000FFFF00000100007F:2382 00000000000000000000000000000000:0000 0A 00000000:00000000 00:00000000 00000000  1000        0 7777 1 0000000000000000 100 0 0 10 0
           3: 000080FE000000000000000001000000:1F40 00000000000000000000000000000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 8888 1 0000000000000000 100 0 0 10 0
           4: B80D0120000000000000000010000000:01BB 00000000000000000000000000000000:0000 0A 00000000:00000000 00:00000000 00000000    33        0 9999 1 0000000000000000 100 0 0 10 0
           5: 0000000000000000FFFF00000100007F:2382 0000000000000000FFFF00000100007F:E1A0 01 00000000:00000000 00:00000000 00000000  1000        0 12121 1 0000000000000000 20 4 30 10 -1
        """

    static let udp = """
           sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode ref pointer drops            
          123: 3500007F:0035 00000000:0000 07 00000000:00000000 00:00000000 00000000   101        0 12001 2 0000000000000000 0          
          130: 00000000:14E9 00000000:0000 07 00000000:00000000 00:00000000 00000000   104        0 12002 2 0000000000000000 0          
        11436: 0100007F:8B42 0100007F:0035 01 00000000:00000000 00:00000000 00000000     0        0 12003 2 0000000000000000 0          
        11437: 0F02000A:8B43 08080808:0035 07 00000000:00000000 00:00000000 00000000     0        0 12004 2 0000000000000000 0          
        """

    static let udp6 = """
          sl  local_address                         remote_address                        st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode ref pointer drops
          300: 00000000000000000000000000000000:14E9 00000000000000000000000000000000:0000 07 00000000:00000000 00:00000000 00000000   104        0 13001 2 0000000000000000 0
         9068: 00000000000000000000000001000000:0202 00000000000000000000000000000000:0000 07 00000000:00000000 00:00000000 00000000     0        0 13002 2 0000000000000000 0
         9070: 00000000000000000000000001000000:C001 00000000000000000000000001000000:0035 01 00000000:00000000 00:00000000 00000000     0        0 13003 2 0000000000000000 0
        """

    @Test func tcpKeepsOnlyListeners() {
        #expect(
            SocketTable.parse(Self.tcp, transport: .tcp, ipv6: false) == [
                ListeningSocket(transport: .tcp, address: "0.0.0.0", isIPv6: false, port: 8080, inode: 41234),
                ListeningSocket(transport: .tcp, address: "127.0.0.1", isIPv6: false, port: 5432, inode: 23456),
                ListeningSocket(transport: .tcp, address: "10.0.0.5", isIPv6: false, port: 22, inode: 3333),
            ])
    }

    @Test func tcp6DecodesEveryKindOfAddress() {
        #expect(
            SocketTable.parse(Self.tcp6, transport: .tcp, ipv6: true) == [
                ListeningSocket(transport: .tcp, address: "::", isIPv6: true, port: 80, inode: 5555),
                ListeningSocket(transport: .tcp, address: "::1", isIPv6: true, port: 631, inode: 6666),
                ListeningSocket(transport: .tcp, address: "::ffff:127.0.0.1", isIPv6: true, port: 9090, inode: 7777),
                ListeningSocket(transport: .tcp, address: "fe80::1", isIPv6: true, port: 8000, inode: 8888),
                ListeningSocket(transport: .tcp, address: "2001:db8::10", isIPv6: true, port: 443, inode: 9999),
            ])
    }

    @Test func udpKeepsOnlyUnconnectedSockets() {
        #expect(
            SocketTable.parse(Self.udp, transport: .udp, ipv6: false) == [
                ListeningSocket(transport: .udp, address: "127.0.0.53", isIPv6: false, port: 53, inode: 12001),
                ListeningSocket(transport: .udp, address: "0.0.0.0", isIPv6: false, port: 5353, inode: 12002),
            ])
        #expect(
            SocketTable.parse(Self.udp6, transport: .udp, ipv6: true) == [
                ListeningSocket(transport: .udp, address: "::", isIPv6: true, port: 5353, inode: 13001),
                ListeningSocket(transport: .udp, address: "::1", isIPv6: true, port: 514, inode: 13002),
            ])
    }

    @Test func stateMeansDifferentThingsPerTransport() {
        // 0A is LISTEN for tcp; a udp table never has it. 07 is a closed tcp socket, not a listener.
        #expect(SocketTable.parse(Self.tcp, transport: .udp, ipv6: false).isEmpty)
        #expect(SocketTable.parse(Self.udp, transport: .tcp, ipv6: false).isEmpty)
    }

    @Test func rowsOfTheOtherFamilyOrMalformedAreSkipped() {
        #expect(SocketTable.parse(Self.tcp, transport: .tcp, ipv6: true).isEmpty)
        #expect(SocketTable.parse(Self.tcp6, transport: .tcp, ipv6: false).isEmpty)
        #expect(SocketTable.parse("", transport: .tcp, ipv6: false).isEmpty)
        let damaged = """
               0: 00000000:1F90 00000000:0000 0A 00000000:00000000 00:00000000 00000000  1000        0
               1: 0000000G:1F90 00000000:0000 0A 00000000:00000000 00:00000000 00000000  1000        0 1 1
               2: 00000000:1F9 00000000:0000 0A 00000000:00000000 00:00000000 00000000  1000        0 2 1
               3  00000000:1F90 00000000:0000 0A 00000000:00000000 00:00000000 00000000  1000        0 3 1
               4: 00000000:1F90 00000000:0000 0A 00000000:00000000 00:00000000 00000000  1000        0 x4 1
               5: 00000000:1F91 00000000:0000 0A 00000000:00000000 00:00000000 00000000  1000        0 5 1
            """
        #expect(
            SocketTable.parse(damaged, transport: .tcp, ipv6: false) == [
                ListeningSocket(transport: .tcp, address: "0.0.0.0", isIPv6: false, port: 8081, inode: 5)
            ])
    }
}

/// Tests on sockets they open themselves, on a port no other socket of this host holds.
@Suite(.serialized) struct LiveSocketTests {
    @Test func listeningShowsOwnSocketsWithThisProcess() throws {
        let tcp = try TestSocket.onUnusedPort(.tcp)
        let port = tcp.port
        defer { tcp.close() }
        let udp = try TestSocket(.udp, port: port)
        defer { udp.close() }
        #expect(tcp.port == port && udp.port == port)

        let sockets = SocketTable.listening()

        let pid = Int(getpid())
        let command = try #require(ownCommand())
        let mine = sockets.filter { $0.port == port && ($0.inode == tcp.inode || $0.inode == udp.inode) }
        #expect(
            mine == [
                ListeningSocket(
                    transport: .tcp, address: "127.0.0.1", isIPv6: false, port: port, inode: tcp.inode,
                    pid: pid, command: command),
                ListeningSocket(
                    transport: .udp, address: "127.0.0.1", isIPv6: false, port: port, inode: udp.inode,
                    pid: pid, command: command),
            ])
        for (earlier, later) in zip(sockets, sockets.dropFirst()) {
            #expect(!SocketTable.precedes(later, earlier), "\(later) sorted after \(earlier)")
        }
    }

    @Test func netlinkAndProcNetAgreeOnOwnListeners() throws {
        let loopback = try TestSocket(.tcp, port: 0)
        defer { loopback.close() }
        let wildcard = try wildcardSocket(type: SOCK_STREAM, port: 0)
        defer { close(wildcard.fd) }
        var status = stat()
        try #require(listen(wildcard.fd, 8) == 0 && fstat(wildcard.fd, &status) == 0)
        let expected: Set = [
            ListeningSocket(
                transport: .tcp, address: "127.0.0.1", isIPv6: false, port: loopback.port, inode: loopback.inode),
            ListeningSocket(
                transport: .tcp, address: wildcard.ipv6 ? "::" : "0.0.0.0", isIPv6: wildcard.ipv6,
                port: wildcard.port, inode: Int(status.st_ino)),
        ]
        func own(_ sockets: [ListeningSocket]) -> Set<ListeningSocket> {
            Set(sockets.filter { socket in expected.contains { $0.inode == socket.inode } })
        }

        let netlink =
            try #require(SocketDiagnostics.tcpListeners(ipv6: false))
            + #require(SocketDiagnostics.tcpListeners(ipv6: true))
        let procNet =
            SocketTable.procTable(transport: .tcp, ipv6: false)
            + SocketTable.procTable(transport: .tcp, ipv6: true)

        #expect(own(netlink) == expected)
        #expect(own(procNet) == expected)
    }

    @Test func ownersFindsThisProcessAndInventsNoOthers() throws {
        let tcp = try TestSocket(.tcp, port: 0)
        defer { tcp.close() }
        // A child spawned by another suite holds a copy of the socket until its exec: ask again.
        #expect(eventually { SocketTable.owners(of: [tcp.inode])[tcp.inode]?.pid == Int(getpid()) })
        let owners = SocketTable.owners(of: [tcp.inode, 1 << 60])
        #expect(owners.count == 1, "an inode no socket has gets no owner")
        #expect(SocketTable.owners(of: []).isEmpty)
    }

    @Test func probeSeesATCPListenerUntilItCloses() throws {
        let tcp = try TestSocket.onUnusedPort(.tcp)
        let port = tcp.port
        #expect(!PortProbe.isFree(port: port, transport: .tcp, bind: "127.0.0.1"))
        // Linux refuses a wildcard bind while any address it covers holds the port in LISTEN
        // (SO_REUSEADDR, which the probe sets, only helps when neither socket listens; BSD and
        // macOS would let it through), and the dual-stack `::` covers 127.0.0.1 as well. So every
        // wildcard probe says "taken", which is what `reserve` needs: a service bound to * could
        // not start on this port now.
        #expect(!PortProbe.isFree(port: port, transport: .tcp, bind: nil))
        #expect(!PortProbe.isFree(port: port, transport: .tcp, bind: "*"))
        #expect(!PortProbe.isFree(port: port, transport: .tcp, bind: "::"))
        #expect(!PortProbe.isFree(port: port, transport: .tcp, bind: "0.0.0.0"))
        // Another address, or another transport, does not collide (all of 127/8 is on lo).
        #expect(PortProbe.isFree(port: port, transport: .tcp, bind: "127.0.0.2"))
        #expect(PortProbe.isFree(port: port, transport: .udp, bind: "127.0.0.1"))
        tcp.close()
        for bind in [nil, "*", "::", "0.0.0.0", "127.0.0.1"] {
            #expect(eventually { PortProbe.isFree(port: port, transport: .tcp, bind: bind) }, "bind \(bind ?? "nil")")
        }
    }

    @Test func probeSeesAUDPSocketUntilItCloses() throws {
        let udp = try TestSocket.onUnusedPort(.udp)
        let port = udp.port
        #expect(!PortProbe.isFree(port: port, transport: .udp, bind: "127.0.0.1"))
        // The same rule holds for UDP on Linux: the wildcard overlaps 127.0.0.1.
        #expect(!PortProbe.isFree(port: port, transport: .udp, bind: nil))
        #expect(!PortProbe.isFree(port: port, transport: .udp, bind: "0.0.0.0"))
        #expect(PortProbe.isFree(port: port, transport: .udp, bind: "127.0.0.2"))
        #expect(PortProbe.isFree(port: port, transport: .tcp, bind: nil))
        udp.close()
        for bind in [nil, "*", "::", "0.0.0.0", "127.0.0.1"] {
            #expect(eventually { PortProbe.isFree(port: port, transport: .udp, bind: bind) }, "bind \(bind ?? "nil")")
        }
    }

    @Test func probeRefusesImpossiblePortsAndTrustsSCTPAndDCCP() throws {
        for port in [-1, 0, 65536] {
            #expect(!PortProbe.isFree(port: port, transport: .tcp, bind: nil))
        }
        let tcp = try TestSocket.onUnusedPort(.tcp)
        let port = tcp.port
        defer { tcp.close() }
        #expect(PortProbe.isFree(port: port, transport: .sctp, bind: "127.0.0.1"))
        #expect(PortProbe.isFree(port: port, transport: .dccp, bind: "127.0.0.1"))
    }

    @Test func addressesThatAreNotThisHostsAreProbedAsTheWildcard() throws {
        let tcp = try TestSocket.onUnusedPort(.tcp)
        let port = tcp.port
        defer { tcp.close() }
        // 192.0.2.1 is TEST-NET-1 and "localhost" is no address: neither can be bound here, so
        // the probe answers for the wildcard, which the listener on 127.0.0.1 blocks.
        #expect(!PortProbe.isFree(port: port, transport: .tcp, bind: "192.0.2.1"))
        #expect(!PortProbe.isFree(port: port, transport: .tcp, bind: "localhost"))
        #expect(!PortProbe.isFree(port: port, transport: .tcp, bind: "[127.0.0.1]"))
        #expect(PortProbe.isFree(port: port, transport: .tcp, bind: "[127.0.0.2]"))
    }

    @Test func probingLeaksNoDescriptors() throws {
        let tcp = try TestSocket.onUnusedPort(.tcp)
        let port = tcp.port
        defer { tcp.close() }
        let before = try openDescriptorCount()
        // Every path through the probe: taken, bound, fallen back to the wildcard, IPv4 only.
        for probe in 0..<2_000 {
            switch probe % 4 {
            case 0: _ = PortProbe.isFree(port: port, transport: .tcp, bind: nil)
            case 1: _ = PortProbe.isFree(port: port, transport: .udp, bind: "127.0.0.1")
            case 2: _ = PortProbe.isFree(port: port, transport: .tcp, bind: "192.0.2.1")
            default: _ = PortProbe.isFree(port: port, transport: .udp, bind: "0.0.0.0")
            }
        }
        // Other suites may run at the same time and hold a few descriptors; a leak on any path
        // would add hundreds.
        #expect(try openDescriptorCount() - before < 50)
    }
}

// MARK: - Helpers

private struct SystemCallError: Error, CustomStringConvertible {
    let call: String
    let code = errno
    var description: String { "\(call): \(String(cString: strerror(code)))" }
}

/// A socket on 127.0.0.1 that this test owns: TCP listening, UDP bound.
private final class TestSocket {
    private var fd: Int32
    let port: Int
    let inode: Int

    init(_ transport: TransportProtocol, port: Int) throws {
        let type = transport == .tcp ? SOCK_STREAM : SOCK_DGRAM
        let fd = socket(AF_INET, Int32(type.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard fd >= 0 else { throw SystemCallError(call: "socket") }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = UInt16(port).bigEndian
        address.sin_addr.s_addr = UInt32(0x7F00_0001).bigEndian
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                bind(fd, $0, length) == 0 && getsockname(fd, $0, &length) == 0
            }
        }
        var status = stat()
        guard bound, transport == .udp || listen(fd, 8) == 0, fstat(fd, &status) == 0 else {
            let error = SystemCallError(call: "bind/listen 127.0.0.1:\(port)")
            Glibc.close(fd)
            throw error
        }
        self.fd = fd
        self.port = Int(UInt16(bigEndian: address.sin_port))
        inode = Int(status.st_ino)
    }

    func close() {
        if fd >= 0 { Glibc.close(fd) }
        fd = -1
    }

    deinit { close() }
}

/// True once `condition` holds, trying for up to two seconds. Other suites spawn processes at
/// the same time, and a child holds a copy of every descriptor between its fork and its exec
/// (close-on-exec acts only at the exec): a socket this test closed can stay bound, and a
/// port it found free can be taken, for that moment.
private func eventually(_ condition: () -> Bool) -> Bool {
    for _ in 0..<80 {
        if condition() { return true }
        usleep(25_000)
    }
    return condition()
}

extension TestSocket {
    /// A socket on 127.0.0.1 at a port no socket of this host holds, trying a few ports
    /// (see `eventually` for why a port can be taken in between).
    static func onUnusedPort(_ transport: TransportProtocol) throws -> TestSocket {
        var lastError: Error?
        for _ in 0..<10 {
            do { return try TestSocket(transport, port: try unusedPort()) } catch { lastError = error }
            usleep(10_000)
        }
        throw lastError!
    }
}

/// A port the kernel picks where a TCP and a UDP wildcard bind (dual stack where IPv6 exists)
/// both succeed, so that no socket of this host, on any address, holds it.
private func unusedPort() throws -> Int {
    for _ in 0..<20 {
        let tcp = try wildcardSocket(type: SOCK_STREAM, port: 0)
        defer { close(tcp.fd) }
        guard let udp = try? wildcardSocket(type: SOCK_DGRAM, port: tcp.port) else { continue }
        close(udp.fd)
        return tcp.port
    }
    throw SystemCallError(call: "no port free for both tcp and udp after 20 tries")
}

/// A socket bound to the IPv6 wildcard, dual stack, or to 0.0.0.0 where IPv6 is unavailable.
private func wildcardSocket(type: __socket_type, port: Int) throws -> (fd: Int32, port: Int, ipv6: Bool) {
    let flags = Int32(type.rawValue) | Int32(SOCK_CLOEXEC.rawValue)
    var fd = socket(AF_INET6, flags, 0)
    var address = sockaddr_storage()
    var length: socklen_t
    let ipv6 = fd >= 0
    if ipv6 {
        var off: Int32 = 0
        setsockopt(fd, Int32(IPPROTO_IPV6), IPV6_V6ONLY, &off, socklen_t(MemoryLayout<Int32>.size))
        withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr_in6.self, capacity: 1) {
                $0.pointee.sin6_family = sa_family_t(AF_INET6)
                $0.pointee.sin6_port = UInt16(port).bigEndian
            }
        }
        length = socklen_t(MemoryLayout<sockaddr_in6>.size)
    } else {
        fd = socket(AF_INET, flags, 0)
        guard fd >= 0 else { throw SystemCallError(call: "socket") }
        withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr_in.self, capacity: 1) {
                $0.pointee.sin_family = sa_family_t(AF_INET)
                $0.pointee.sin_port = UInt16(port).bigEndian
            }
        }
        length = socklen_t(MemoryLayout<sockaddr_in>.size)
    }
    let bound = withUnsafeMutablePointer(to: &address) {
        $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
            bind(fd, $0, length) == 0 && getsockname(fd, $0, &length) == 0
        }
    }
    guard bound else {
        let error = SystemCallError(call: "bind wildcard :\(port)")
        close(fd)
        throw error
    }
    // sin_port and sin6_port sit at the same offset.
    let boundPort = withUnsafePointer(to: &address) {
        $0.withMemoryRebound(to: sockaddr_in.self, capacity: 1) { Int(UInt16(bigEndian: $0.pointee.sin_port)) }
    }
    return (fd, boundPort, ipv6)
}

/// Open socket descriptors of this process. Only sockets: tests in other suites run at the
/// same time and open files and pipes (the CLI tests spawn processes), which says nothing
/// about the probe.
private func openDescriptorCount() throws -> Int {
    guard let directory = opendir("/proc/self/fd") else { throw SystemCallError(call: "opendir /proc/self/fd") }
    defer { closedir(directory) }
    var count = 0
    var target = [CChar](repeating: 0, count: 64)
    while let entry = readdir(directory) {
        let name = withUnsafeBytes(of: entry.pointee.d_name) { String(decoding: $0.prefix { $0 != 0 }, as: UTF8.self) }
        let length = readlink("/proc/self/fd/\(name)", &target, target.count - 1)
        guard length > 0 else { continue }
        if String(decoding: target[0..<length].map { UInt8(bitPattern: $0) }, as: UTF8.self).hasPrefix("socket:") {
            count += 1
        }
    }
    return count
}

/// This process's name as the kernel reports it in /proc/self/stat: `pid (comm) state …`.
private func ownCommand() -> String? {
    let fd = open("/proc/self/stat", O_RDONLY | O_CLOEXEC)
    guard fd >= 0 else { return nil }
    defer { close(fd) }
    var buffer = [UInt8](repeating: 0, count: 1024)
    let count = read(fd, &buffer, buffer.count)
    guard count > 0 else { return nil }
    let text = String(decoding: buffer[..<count], as: UTF8.self)
    guard let start = text.firstIndex(of: "("), let end = text.lastIndex(of: ")") else { return nil }
    return String(text[text.index(after: start)..<end])
}
