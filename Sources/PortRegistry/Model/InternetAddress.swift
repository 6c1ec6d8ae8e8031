import Glibc

/// `inet_ntop` of an IPv4 (4 bytes) or IPv6 (16 bytes) address held in network byte order,
/// as `ss`, `lsof` and config files write it; nil when the bytes are not an address of
/// `family`. The one wrapper of it: bind addresses and the kernel's socket tables agree.
package func internetAddressText(family: Int32, _ address: UnsafeRawBufferPointer) -> String? {
    var storage: (UInt64, UInt64) = (0, 0)  // aligned for in6_addr, whatever `address` is
    return withUnsafeMutableBytes(of: &storage) { aligned in
        aligned.copyMemory(from: UnsafeRawBufferPointer(rebasing: address.prefix(aligned.count)))
        return withUnsafeTemporaryAllocation(of: CChar.self, capacity: Int(INET6_ADDRSTRLEN)) { text -> String? in
            guard inet_ntop(family, aligned.baseAddress, text.baseAddress, socklen_t(text.count)) != nil else {
                return nil
            }
            return String(cString: text.baseAddress!)
        }
    }
}
