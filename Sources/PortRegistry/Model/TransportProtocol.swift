/// The transport protocols a port number belongs to. TCP 5432 and UDP 5432 are different ports.
package enum TransportProtocol: String, CaseIterable, Sendable, Comparable, Codable {
    case tcp, udp, sctp, dccp

    /// Parses a protocol name, case-insensitively.
    package init?(name: some StringProtocol) {
        switch name {
        case "tcp": self = .tcp
        case "udp": self = .udp
        default: self.init(rawValue: name.lowercased())
        }
    }

    package static func < (lhs: Self, rhs: Self) -> Bool {
        allCases.firstIndex(of: lhs)! < allCases.firstIndex(of: rhs)!
    }
}
