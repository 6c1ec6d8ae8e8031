import Glibc
import PortRegistryModel

/// A socket waiting for traffic on this machine: a TCP listener, or a bound, unconnected UDP socket.
package struct ListeningSocket: Hashable, Sendable {
    /// `.tcp` or `.udp`: the tables in /proc/net cover no other transport.
    package var transport: TransportProtocol
    /// As `inet_ntop` writes it ("0.0.0.0", "::", "::1", "::ffff:127.0.0.1"), so it compares
    /// equal to the same address written by `ss`, `lsof` or a config file in canonical form.
    package var address: String
    var isIPv6: Bool
    package var port: Int
    /// The kernel's identity for the socket: the only link from a /proc/net row to the
    /// processes that hold it.
    package var inode: Int
    /// The first process found holding the socket (after a fork several may; /proc is scanned in
    /// pid order, so usually the parent). nil when no /proc/PID/fd we may read holds it: without
    /// root, other users' processes are invisible; a socket in another network namespace never shows.
    package var pid: Int?
    /// /proc/PID/comm: the executable's name, cut by the kernel to 15 bytes.
    package var command: String?

    package init(
        transport: TransportProtocol, address: String, isIPv6: Bool, port: Int, inode: Int,
        pid: Int? = nil, command: String? = nil
    ) {
        self.transport = transport
        self.address = address
        self.isIPv6 = isIPv6
        self.port = port
        self.inode = inode
        self.pid = pid
        self.command = command
    }
}

/// What this machine's kernel says is listening, found the way `ss -tulpn` finds it, without
/// running a program.
package enum SocketTable {
    /// Listening sockets in this process's network namespace, sorted by port, transport, family
    /// (IPv4 first), address and inode; a table that cannot be read (IPv6 disabled, not Linux) is
    /// skipped. sctp and dccp keep their tables elsewhere (/proc/net/sctp/eps, when the module is
    /// loaded) and are not read.
    ///
    /// The tables cost well under a millisecond. Finding owners costs a few µs per open file
    /// descriptor of every readable process whenever some socket has no visible owner (another
    /// user's daemon without root, a process outside this pid namespace), as it does for `ss -p`.
    package static func listening() -> [ListeningSocket] {
        var sockets: [ListeningSocket] = []
        for ipv6 in [false, true] {
            sockets += SocketDiagnostics.tcpListeners(ipv6: ipv6) ?? procTable(transport: .tcp, ipv6: ipv6)
        }
        for ipv6 in [false, true] {
            sockets += procTable(transport: .udp, ipv6: ipv6)
        }
        let owners = owners(of: Set(sockets.lazy.map(\.inode).filter { $0 != 0 }))
        for index in sockets.indices {
            guard let owner = owners[sockets[index].inode] else { continue }
            sockets[index].pid = owner.pid
            sockets[index].command = owner.command.isEmpty ? nil : owner.command
        }
        return sockets.sorted(by: precedes)
    }

    /// /proc/net/tcp, tcp6, udp or udp6, parsed; empty when the file cannot be read.
    static func procTable(transport: TransportProtocol, ipv6: Bool) -> [ListeningSocket] {
        let path = "/proc/net/\(transport.rawValue)\(ipv6 ? "6" : "")"
        guard let bytes = ProcFile.read(path) else { return [] }
        return bytes.withUnsafeBufferPointer { parse(bytes: $0, transport: transport, ipv6: ipv6) }
    }

    /// The listening rows of one /proc/net table, in file order, without owners: tcp rows in
    /// state 0A (LISTEN); udp rows in state 07 (the kernel's TCP_CLOSE, which UDP uses for "not
    /// connected") whose remote address is zero. Rows that do not parse are skipped.
    package static func parse(_ text: String, transport: TransportProtocol, ipv6: Bool) -> [ListeningSocket] {
        var text = text
        return text.withUTF8 { parse(bytes: $0, transport: transport, ipv6: ipv6) }
    }

    package static func parse(
        bytes: UnsafeBufferPointer<UInt8>, transport: TransportProtocol, ipv6: Bool
    ) -> [ListeningSocket] {
        let state: UInt32 = transport == .tcp ? 0x0A : 0x07
        var sockets: [ListeningSocket] = []
        var fields: [Range<Int>] = []
        fields.reserveCapacity(ProcNetRow.fieldCount)
        var lineStart = 0
        while lineStart < bytes.count {
            let lineEnd = bytes[lineStart...].firstIndex(of: ASCII.newline) ?? bytes.count
            ProcNetRow.split(bytes, lineStart..<lineEnd, into: &fields)
            if let socket = ProcNetRow.listening(bytes, fields, state: state, transport: transport, ipv6: ipv6) {
                sockets.append(socket)
            }
            lineStart = lineEnd + 1
        }
        return sockets
    }

    /// For each inode, the first process (in /proc order) with a file descriptor on it, and that
    /// process's command. Processes whose fd folder we may not read are skipped. Each descriptor
    /// costs a readlink, the dominant cost of `listening()`, so the scan stops as soon as every
    /// inode has an owner.
    package static func owners(of inodes: Set<Int>) -> [Int: (pid: Int, command: String)] {
        var owners: [Int: (pid: Int, command: String)] = [:]
        guard !inodes.isEmpty, let proc = opendir("/proc") else { return owners }
        defer { closedir(proc) }
        withUnsafeTemporaryAllocation(of: CChar.self, capacity: 64) { link in
            while owners.count < inodes.count, let process = readdir(proc) {
                guard let pid = processID(name(of: process)), let fds = opendir("/proc/\(pid)/fd") else {
                    continue
                }
                defer { closedir(fds) }
                var command: String?
                while let fd = readdir(fds) {
                    let fdName = name(of: fd)
                    guard fdName[0] != CChar(ASCII.dot) else { continue }
                    let length = readlinkat(dirfd(fds), fdName, link.baseAddress!, link.count)
                    guard let inode = socketInode(UnsafeBufferPointer(rebasing: link[..<max(length, 0)])),
                        inodes.contains(inode), owners[inode] == nil
                    else { continue }
                    if command == nil { command = self.command(of: pid) }
                    owners[inode] = (pid, command!)
                    if owners.count == inodes.count { break }
                }
            }
        }
        return owners
    }

    /// The inode in a descriptor's link text `socket:[12345]`; nil for any other kind of file.
    private static func socketInode(_ link: UnsafeBufferPointer<CChar>) -> Int? {
        let prefix = "socket:["
        guard link.count > prefix.utf8.count + 1, link.last == CChar(ASCII.closingBracket),
            prefix.utf8.elementsEqual(link.prefix(prefix.utf8.count).lazy.map { UInt8(bitPattern: $0) })
        else { return nil }
        return link.withMemoryRebound(to: UInt8.self) {
            ProcNetRow.decimal($0, prefix.utf8.count..<($0.count - 1))
        }
    }

    private static func command(of pid: Int) -> String {
        guard let bytes = ProcFile.read("/proc/\(pid)/comm", chunkSize: 64) else { return "" }
        let isSpace = { (byte: UInt8) in byte == ASCII.space || byte == ASCII.tab || byte == ASCII.newline }
        guard let first = bytes.firstIndex(where: { !isSpace($0) }), let last = bytes.lastIndex(where: { !isSpace($0) })
        else { return "" }
        return String(decoding: bytes[first...last], as: UTF8.self)
    }

    private static let nameOffset = MemoryLayout<dirent>.offset(of: \dirent.d_name)!

    private static func name(of entry: UnsafeMutablePointer<dirent>) -> UnsafePointer<CChar> {
        UnsafePointer((UnsafeRawPointer(entry) + nameOffset).assumingMemoryBound(to: CChar.self))
    }

    /// The pid a /proc entry names, or nil for /proc's other entries (`self`, `net`, `sys`, …).
    private static func processID(_ name: UnsafePointer<CChar>) -> Int? {
        var pid = 0
        var index = 0
        while name[index] != 0 {
            let byte = UInt8(bitPattern: name[index])
            guard byte >= ASCII.zero, byte <= ASCII.nine, index < 10 else { return nil }
            pid = pid * 10 + Int(byte - ASCII.zero)
            index += 1
        }
        return index == 0 ? nil : pid
    }

    static func precedes(_ lhs: ListeningSocket, _ rhs: ListeningSocket) -> Bool {
        if lhs.port != rhs.port { return lhs.port < rhs.port }
        if lhs.transport != rhs.transport { return lhs.transport < rhs.transport }
        if lhs.isIPv6 != rhs.isIPv6 { return !lhs.isIPv6 }
        if lhs.address != rhs.address { return lhs.address < rhs.address }
        return lhs.inode < rhs.inode
    }
}

/// One line of /proc/net/{tcp,tcp6,udp,udp6}:
/// `sl local_address rem_address st tx_queue:rx_queue tr:tm->when retrnsmt uid timeout inode …`.
private enum ProcNetRow {
    static let fieldCount = 10
    static let localAddress = 1, remoteAddress = 2, connectionState = 3, inodeNumber = 9

    /// The first `fieldCount` space-separated fields of `line`.
    static func split(_ bytes: UnsafeBufferPointer<UInt8>, _ line: Range<Int>, into fields: inout [Range<Int>]) {
        fields.removeAll(keepingCapacity: true)
        var index = line.lowerBound
        while fields.count < fieldCount {
            while index < line.upperBound, bytes[index] == ASCII.space { index += 1 }
            guard index < line.upperBound else { return }
            let start = index
            while index < line.upperBound, bytes[index] != ASCII.space { index += 1 }
            fields.append(start..<index)
        }
    }

    static func listening(
        _ bytes: UnsafeBufferPointer<UInt8>, _ fields: [Range<Int>], state wanted: UInt32,
        transport: TransportProtocol, ipv6: Bool
    ) -> ListeningSocket? {
        // The header's first field is "sl"; every row's is "N:".
        guard fields.count == fieldCount, bytes[fields[0].upperBound - 1] == ASCII.colon,
            hex(bytes, fields[connectionState]) == wanted,
            transport == .tcp || bytes[fields[remoteAddress]].allSatisfy({ $0 == ASCII.zero || $0 == ASCII.colon }),
            let (address, port) = endpoint(bytes, fields[localAddress], ipv6: ipv6),
            let inode = decimal(bytes, fields[inodeNumber])
        else { return nil }
        return ListeningSocket(transport: transport, address: address, isIPv6: ipv6, port: port, inode: inode)
    }

    /// Decodes `0100007F:1F90` → ("127.0.0.1", 8080).
    ///
    /// The kernel prints each 32-bit word of the address as an integer in host byte order
    /// (`%08X`), so on x86 127.0.0.1 reads 0100007F; an IPv6 address is four such words. Storing
    /// the parsed words back in host order restores the kernel's network-order bytes on any
    /// machine. The port is printed as a plain number.
    static func endpoint(_ bytes: UnsafeBufferPointer<UInt8>, _ field: Range<Int>, ipv6: Bool) -> (String, Int)? {
        let digits = ipv6 ? 32 : 8
        let start = field.lowerBound
        guard field.count == digits + 5, bytes[start + digits] == ASCII.colon,
            let port = hex(bytes, (start + digits + 1)..<field.upperBound)
        else { return nil }
        var words: (UInt32, UInt32, UInt32, UInt32) = (0, 0, 0, 0)
        for word in 0..<(digits / 8) {
            guard let value = hex(bytes, (start + 8 * word)..<(start + 8 * word + 8)) else { return nil }
            withUnsafeMutableBytes(of: &words) { $0.storeBytes(of: value, toByteOffset: 4 * word, as: UInt32.self) }
        }
        guard let text = withUnsafeBytes(of: &words, { internetAddressText(family: ipv6 ? AF_INET6 : AF_INET, $0) })
        else {
            return nil
        }
        return (text, Int(port))
    }

    static func hex(_ bytes: UnsafeBufferPointer<UInt8>, _ range: Range<Int>) -> UInt32? {
        guard !range.isEmpty, range.count <= 8 else { return nil }
        var value: UInt32 = 0
        for index in range {
            let byte = bytes[index]
            let digit: UInt8
            switch byte {
            case ASCII.zero...ASCII.nine: digit = byte - ASCII.zero
            case UInt8(ascii: "A")...UInt8(ascii: "F"): digit = byte - UInt8(ascii: "A") + 10
            case UInt8(ascii: "a")...UInt8(ascii: "f"): digit = byte - UInt8(ascii: "a") + 10
            default: return nil
            }
            value = value << 4 | UInt32(digit)
        }
        return value
    }

    static func decimal(_ bytes: UnsafeBufferPointer<UInt8>, _ range: Range<Int>) -> Int? {
        guard !range.isEmpty, range.count <= 18 else { return nil }
        var value = 0
        for index in range {
            let byte = bytes[index]
            guard byte >= ASCII.zero, byte <= ASCII.nine else { return nil }
            value = value * 10 + Int(byte - ASCII.zero)
        }
        return value
    }
}

/// TCP listeners through NETLINK_SOCK_DIAG, the kernel interface `ss` uses.
///
/// Asked for LISTEN only, the kernel walks just its table of listening sockets. Reading
/// /proc/net/tcp walks the whole established-connection hash as well, even when it is empty: on
/// a host with 24 GB (262,144 buckets) that is ~4 ms for each of tcp and tcp6, and it grows with
/// memory. UDP has no such split, and /proc/net/udp costs tens of µs, so it stays on /proc.
enum SocketDiagnostics {
    // linux/netlink.h, linux/sock_diag.h, linux/inet_diag.h: stable kernel ABI, not in Glibc's module.
    private static let netlinkSockDiag: Int32 = 4  // NETLINK_SOCK_DIAG
    private static let sockDiagByFamily: UInt16 = 20  // SOCK_DIAG_BY_FAMILY
    private static let requestDump: UInt16 = 0x301  // NLM_F_REQUEST | NLM_F_DUMP
    private static let messageError: UInt16 = 2  // NLMSG_ERROR
    private static let messageDone: UInt16 = 3  // NLMSG_DONE
    private static let listenState: UInt8 = 10  // TCP_LISTEN
    private static let headerSize = 16  // struct nlmsghdr
    private static let requestSize = 56  // struct inet_diag_req_v2
    private static let messageSize = 72  // struct inet_diag_msg

    /// nil when the kernel would not answer (no netlink, a seccomp filter, an emulated kernel):
    /// the caller reads /proc/net instead.
    static func tcpListeners(ipv6: Bool) -> [ListeningSocket]? {
        let fd = socket(AF_NETLINK, Int32(SOCK_DGRAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), netlinkSockDiag)
        guard fd >= 0 else { return nil }
        defer { close(fd) }
        guard send(fd, request(family: ipv6 ? AF_INET6 : AF_INET)) else { return nil }
        var sockets: [ListeningSocket] = []
        // The kernel fills at most 32 KiB per datagram; a larger buffer is never truncated.
        let complete = withUnsafeTemporaryAllocation(byteCount: 64 * 1024, alignment: 8) { buffer -> Bool in
            while true {
                let count = recv(fd, buffer.baseAddress, buffer.count, 0)
                if count < 0, errno == EINTR { continue }
                guard count > 0 else { return false }
                var offset = 0
                while offset + headerSize <= count {
                    let length = Int(buffer.loadUnaligned(fromByteOffset: offset, as: UInt32.self))
                    let type = buffer.loadUnaligned(fromByteOffset: offset + 4, as: UInt16.self)
                    guard length >= headerSize, offset + length <= count else { return false }
                    switch type {
                    case messageDone: return true
                    case messageError: return false
                    case sockDiagByFamily where length >= headerSize + messageSize:
                        let message = UnsafeRawBufferPointer(
                            rebasing: buffer[(offset + headerSize)..<(offset + headerSize + messageSize)])
                        if let socket = listener(message) { sockets.append(socket) }
                    default: break
                    }
                    offset += (length + 3) & ~3
                }
            }
        }
        return complete ? sockets : nil
    }

    /// struct nlmsghdr followed by struct inet_diag_req_v2 asking for every TCP socket of
    /// `family` in state LISTEN.
    private static func request(family: Int32) -> [UInt8] {
        var bytes = [UInt8](repeating: 0, count: headerSize + requestSize)
        bytes.withUnsafeMutableBytes { raw in
            raw.storeBytes(of: UInt32(raw.count), toByteOffset: 0, as: UInt32.self)  // nlmsg_len
            raw.storeBytes(of: sockDiagByFamily, toByteOffset: 4, as: UInt16.self)  // nlmsg_type
            raw.storeBytes(of: requestDump, toByteOffset: 6, as: UInt16.self)  // nlmsg_flags
            raw.storeBytes(of: UInt32(1), toByteOffset: 8, as: UInt32.self)  // nlmsg_seq
            raw[headerSize] = UInt8(family)  // sdiag_family
            raw[headerSize + 1] = UInt8(IPPROTO_TCP)  // sdiag_protocol
            raw.storeBytes(of: UInt32(1) << listenState, toByteOffset: headerSize + 4, as: UInt32.self)  // idiag_states
        }
        return bytes
    }

    private static func send(_ fd: Int32, _ bytes: [UInt8]) -> Bool {
        bytes.withUnsafeBytes { Glibc.send(fd, $0.baseAddress, $0.count, 0) == $0.count }
    }

    /// Reads struct inet_diag_msg: family, state, then `id` (sport, dport big-endian; src and dst
    /// as 16 bytes in network order), …, inode at byte 68.
    private static func listener(_ message: UnsafeRawBufferPointer) -> ListeningSocket? {
        let family = Int32(message[0])
        guard message[1] == listenState, family == AF_INET || family == AF_INET6 else { return nil }
        let port = Int(UInt16(bigEndian: message.loadUnaligned(fromByteOffset: 4, as: UInt16.self)))
        let inode = Int(message.loadUnaligned(fromByteOffset: 68, as: UInt32.self))
        guard let address = internetAddressText(family: family, UnsafeRawBufferPointer(rebasing: message[8..<24]))
        else {
            return nil
        }
        return ListeningSocket(transport: .tcp, address: address, isIPv6: family == AF_INET6, port: port, inode: inode)
    }
}

private enum ASCII {
    static let newline = UInt8(ascii: "\n")
    static let tab = UInt8(ascii: "\t")
    static let space = UInt8(ascii: " ")
    static let colon = UInt8(ascii: ":")
    static let dot = UInt8(ascii: ".")
    static let closingBracket = UInt8(ascii: "]")
    static let zero = UInt8(ascii: "0")
    static let nine = UInt8(ascii: "9")
}

/// Reads a file that the kernel generates on demand. Such files report size 0, so the only way
/// to learn their length is to read to the end.
enum ProcFile {
    package static func read(_ path: String, chunkSize: Int = 64 * 1024) -> [UInt8]? {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { return nil }
        defer { close(fd) }
        var bytes: [UInt8] = []
        let complete = withUnsafeTemporaryAllocation(of: UInt8.self, capacity: chunkSize) { chunk -> Bool in
            while true {
                let count = SystemCall.read(fd, chunk.baseAddress, chunk.count)
                if count > 0 {
                    bytes.append(contentsOf: UnsafeBufferPointer(rebasing: chunk[..<count]))
                } else {
                    return count == 0
                }
            }
        }
        return complete ? bytes : nil
    }
}
