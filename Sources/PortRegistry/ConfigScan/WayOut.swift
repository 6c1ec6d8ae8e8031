import PortRegistryConflicts
import PortRegistryModel

/// What a service that moves out of a collision needs: a free port (or block) for it.
package struct MoveRequest {
    /// The service's name (the allocator's preferred start is a hash of it, as in `reserve`).
    package var service: String
    package var transport: TransportProtocol
    package var host: HostScope
    package var bind: BindAddress
    /// Ports it needs, consecutive: a published range moves as a whole.
    package var count: Int
    /// The range the new port must lie in (a `nodePort`: the node-port range); nil:
    /// `reserve`'s default.
    package var range: PortRange? = nil
    /// True when the tree (or the registry snapshot `check` compares with, or an earlier
    /// advice of this run) already claims the port.
    package var isTaken: (Int) -> Bool
    /// The first port at or after the one given that is not taken: the search jumps over
    /// taken stretches instead of trying each of their ports.
    package var firstUntaken: (Int) -> Int = { $0 }
    /// The taken spans themselves (sorted, disjoint), for a search that merges them with
    /// what the registry rules out.
    package var takenSpans: () -> [PortRange] = { [] }
}

/// The way out of each collision: a port that is free in the registry and in the tree for
/// the services that move. The search itself is the registry's (`Registry.check` passes the
/// allocator of `reserve`: not assigned, not registered or common in the catalog, not
/// privileged, not ephemeral; nothing on this machine is probed); this only keeps what the
/// tree claims and what earlier findings advised out of it, so two findings never advise
/// the same port.
package final class WayOut {
    package let find: (MoveRequest) -> PortRange?
    /// Per protocol, the claimed spans, sorted and disjoint.
    package var taken: [TransportProtocol: [PortRange]] = [:]
    /// Advices per finding (the first services that move).
    package static let shownMoves = 3

    /// The catalog the tree is judged against: a claimant that publishes a port registered
    /// there from the same container port (`53:53` of a DNS server) stays where it is.
    package var catalog: PortAdvisor?
    /// `--baseline`'s fingerprints by their `kind protocol ports` head, each entry's claimants:
    /// a claimant that joined a known collision is the one that moves.
    private var knownClaimants: [String: [Set<String>]] = [:]

    /// A claimant's identity as a fingerprint spells it (paths relative to the config root).
    private let rooting: (String) -> String

    package init(
        known fingerprints: Set<String> = [], rooting: @escaping (String) -> String = { $0 },
        find: @escaping (MoveRequest) -> PortRange?
    ) {
        self.find = find
        self.rooting = rooting
        for fingerprint in fingerprints {
            let tokens = fingerprint.split(separator: " ").map(String.init)
            guard tokens.count > 3 else { continue }
            knownClaimants[tokens.prefix(3).joined(separator: " "), default: []].append(Set(tokens.dropFirst(3)))
        }
    }

    /// Who moves out of one collision, and what to ask when nobody should.
    package struct Plan {
        /// Indices into the claimants, in their order.
        package var movers: [Int]
        /// Said before the advice: the newcomers under a baseline, or the claimants that stay.
        package var note: String?
        /// Said instead of (or after) the advice when claimants that own the port collide.
        package var question: String?
    }

    /// The claimants that move (SPEC, "The way out"). Under a baseline, those that are not in
    /// the known entry of this collision (the newcomers). Else an owner (a claimant that
    /// publishes a port the catalog registers, from that same container port) stays and the
    /// others move; when two or more claimants are owners none of them is moved, and the
    /// finding asks whether they are alternatives or on different hosts. Else the first
    /// claimant stays.
    package func plan(
        _ claimants: [PublishedPort], names: [String], ids: [String], shared: PortRange, transport: TransportProtocol
    ) -> Plan {
        let everyone = Array(claimants.indices)
        let head = [Finding.Kind.collision.rawValue, transport.rawValue, shared.description].map(
            Finding.fingerprintToken
        ).joined(separator: " ")
        let tokens = ids.map { Finding.fingerprintToken(rooting($0)) }
        if let entries = knownClaimants[head],
            let known = entries.filter({ $0.isSubset(of: tokens) }).max(by: { $0.count < $1.count }),
            known.count < Set(tokens).count
        {
            let newcomers = everyone.filter { !known.contains(tokens[$0]) }
            let who = Self.list(newcomers.map { names[$0] })
            return Plan(movers: newcomers, note: "\(who) joined a known collision (baseline)", question: nil)
        }
        let owners = everyone.filter { isOwner(claimants[$0]) }
        switch owners.count {
        case 0:
            return Plan(movers: Array(everyone.dropFirst()))
        case 1:
            let owner = owners[0]
            return Plan(
                movers: everyone.filter { $0 != owner },
                note: "\(names[owner]) stays on its registered port")
        default:
            let others = everyone.filter { !owners.contains($0) }
            let ownerNames = Self.list(owners.map { names[$0] })
            let question =
                "\(ownerNames) each publish \(shared)/\(transport.rawValue) from the same container port, "
                + "where the catalog registers it: are they alternatives (profiles) or on different hosts "
                + "(hosts: in .portreg.yaml)?"
            return Plan(movers: others, question: question)
        }
    }

    /// Publishes a single port from the same container port, and the catalog registers it.
    package func isOwner(_ claim: PublishedPort) -> Bool {
        guard let catalog, claim.ports.isSinglePort, claim.target == claim.ports, !claim.isDynamic else { return false }
        return catalog.isRegistered(claim.ports.low, transport: claim.transport)
    }

    /// "a", "a and b", "a, b and c".
    package static func list(_ names: [String]) -> String {
        names.count <= 1 ? names.joined() : names.dropLast().joined(separator: ", ") + " and " + names.last!
    }

    package func claim(_ ranges: [(PortRange, TransportProtocol)]) {
        var byTransport: [TransportProtocol: [PortRange]] = [:]
        for (range, transport) in ranges { byTransport[transport, default: []].append(range) }
        for (transport, list) in byTransport {
            taken[transport] = PortRange.union((taken[transport] ?? []) + list)
        }
    }

    /// One advised span into the sorted spans: a binary search and one array insert, not a
    /// new union of everything (a tree with many collisions advises many ports). Spans that
    /// it overlaps or touches merge with it, so the spans stay disjoint and apart and a run
    /// of advised ports is one span to jump over.
    package func insert(_ range: PortRange, _ transport: TransportProtocol) {
        var spans = taken[transport] ?? []
        taken[transport] = nil
        var first = firstEnding(atOrAfter: range.low - 1, in: spans)
        var last = first
        var merged = range
        while last < spans.count && spans[last].low <= merged.high + 1 {
            merged = PortRange(uncheckedLow: min(merged.low, spans[last].low), high: max(merged.high, spans[last].high))
            last += 1
        }
        if first > spans.count { first = spans.count }
        spans.replaceSubrange(first..<last, with: [merged])
        taken[transport] = spans
    }

    /// The first port at or after `port` that no span holds.
    package func firstUntaken(_ port: Int, _ transport: TransportProtocol) -> Int {
        guard let spans = taken[transport] else { return port }
        let index = firstEnding(atOrAfter: port, in: spans)
        return index < spans.count && spans[index].low <= port ? spans[index].high + 1 : port
    }

    /// The first span whose end is at or after `port`.
    package func firstEnding(atOrAfter port: Int, in spans: [PortRange]) -> Int {
        var low = 0
        var high = spans.count
        while low < high {
            let middle = (low + high) / 2
            if spans[middle].high < port { low = middle + 1 } else { high = middle }
        }
        return low
    }

    package func isTaken(_ port: Int, _ transport: TransportProtocol) -> Bool {
        guard let spans = taken[transport] else { return false }
        let index = firstEnding(atOrAfter: port, in: spans)
        return index < spans.count && spans[index].low <= port
    }

    /// `move b to 8081/tcp (free in the registry and in this tree)`, for the first few
    /// services that move; nil when no free port was found.
    package func advice(for movers: [(claim: PublishedPort, name: String)]) -> String? {
        var moves: [String] = []
        for (mover, name) in movers.prefix(WayOut.shownMoves) {
            let transport = mover.transport
            let request = MoveRequest(
                service: mover.name, transport: transport, host: mover.host, bind: mover.bind,
                count: mover.ports.count, range: mover.movesWithin, isTaken: { [self] in isTaken($0, transport) },
                firstUntaken: { [self] in firstUntaken($0, transport) },
                takenSpans: { [self] in taken[transport] ?? [] })
            guard let free = find(request) else { return nil }
            insert(free, transport)
            moves.append("\(name) to \(free)/\(transport.rawValue)")
        }
        guard !moves.isEmpty else { return nil }
        var text = "move "
        switch moves.count {
        case 1: text += moves[0]
        default: text += moves.dropLast().joined(separator: ", ") + " and " + moves.last!
        }
        text += " (free in the registry and in this tree)"
        let rest = movers.count - moves.count
        if rest > 0 { text += "; \(rest) more must move too (portreg free lists free ports)" }
        return text
    }
}
