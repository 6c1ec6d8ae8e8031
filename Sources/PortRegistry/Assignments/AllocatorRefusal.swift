import PortRegistryCatalog
import PortRegistryModel

/// Why `reserve` or `free` found nothing, and a range that would work.
extension Allocator {
    /// "no free port in 30000-49151 for tcp on host *: 2768 ports registered in the catalog
    /// (kube-nodeport 30000-32767), 16384 in this host's ephemeral range 32768-60999; try
    /// --range 29000-29999". Counts come from unions of spans (never port by port); the
    /// suggested range contains a free block found by the same rules, so `reserve` accepts
    /// it, and it is never the range asked for.
    package func refusal(_ request: ReservationRequest, in context: StorageContext) throws -> String {
        let range = request.range ?? Allocator.defaultRange
        let what = request.count == 1 ? "port" : "block of \(request.count) consecutive ports"
        var reasons: [String] = []
        var blocked: [PortRange] = []
        func clipped(_ span: PortRange) -> PortRange? {
            PortRange(low: max(span.low, range.low), high: min(span.high, range.high))
        }
        if let privileged = clipped(PortRange(uncheckedLow: 0, high: 1023)) {
            reasons.append("\(privileged.count) privileged (below 1024)")
            blocked.append(privileged)
        }
        if let ephemeral, let inside = clipped(ephemeral) {
            reasons.append("\(inside.count) in this host's ephemeral range \(ephemeral)")
            blocked.append(inside)
        }
        if !request.allowRegistered {
            let registrations = try context.catalog.namedRegistrations(overlapping: range, transport: request.transport)
            let spans = registrations.compactMap { clipped($0.ports) }
            let registered = PortRange.union(spans).reduce(0) { $0 + $1.count }
            if registered > 0 {
                var seen = Set<String>()
                let large = registrations.filter { $0.ports.count >= 100 }.sorted { $0.ports.count > $1.ports.count }
                    .filter { seen.insert("\($0.name) \($0.ports)").inserted }
                let named = large.prefix(3).map { "\($0.name) \($0.ports)" }
                let more = large.count > 3 ? ", and \(large.count - 3) more" : ""
                reasons.append(
                    "\(registered) registered in the catalog"
                        + (named.isEmpty ? "" : " (" + named.joined(separator: ", ") + more + ")"))
                blocked += spans
            }
        }
        var assigned: [PortRange] = []
        try context.assignments.blockingClaims(
            in: range, transport: request.transport, host: request.host, now: context.now
        ) { ports, bind in
            if bind.overlaps(request.bind), let inside = clipped(ports) { assigned.append(inside) }
        }
        let assignedCount = PortRange.union(assigned).reduce(0) { $0 + $1.count }
        if assignedCount > 0 { reasons.append("\(assignedCount) assigned") }
        blocked += assigned
        let remaining = range.count - PortRange.union(blocked).reduce(0) { $0 + $1.count }
        if remaining > 0 {
            if request.count == 1 {
                reasons.append(request.probe ? "\(remaining) in use on this machine" : "\(remaining) unusable")
            } else {
                reasons.append(
                    "\(reasons.isEmpty ? "all" : "the other") \(remaining) in runs shorter than \(request.count)\(request.probe ? " or in use on this machine" : "")"
                )
            }
        }
        var message =
            "no free \(what) in \(range) for \(request.transport.rawValue) on host \(request.host): "
            + reasons.joined(separator: ", ")
        var fixes: [String] = []
        if let suggestion = try suggestedRange(request, excluding: range, in: context) {
            fixes.append("--range \(suggestion)")
        }
        if !request.allowRegistered {
            var relaxed = request
            relaxed.allowRegistered = true
            relaxed.range = range
            if !(try freeBlocks(relaxed, limit: 1, in: context)).isEmpty {
                fixes.append("--allow-registered (to take a port the catalog registers to another service)")
            }
        }
        message += fixes.isEmpty ? "; release ports with portreg remove" : "; try " + fixes.joined(separator: " or ")
        return message
    }

    /// The 1000-port stretch (aligned, `1000-1999`…) nearest to `range`, below or above it,
    /// that holds a free block by the rules of `request`: nil when none in 1024-65535 does.
    func suggestedRange(_ request: ReservationRequest, excluding range: PortRange, in context: StorageContext)
        throws
        -> PortRange?
    {
        let chunk = max(1000, (request.count + 999) / 1000 * 1000)
        func stretch(at low: Int) -> PortRange? {
            PortRange(low: max(1024, low), high: min(65535, low + chunk - 1))
        }
        var below = range.low - 1 - (range.low - 1) % chunk
        var above = range.high + 1 - (range.high + 1) % chunk
        while below >= 0 || above <= 65535 {
            for low in [below, above] where low >= 0 && low <= 65535 {
                guard let candidate = stretch(at: low), candidate != range, candidate.count >= request.count else {
                    continue
                }
                var probe = request
                probe.range = candidate
                if let block = try freeBlocks(probe, limit: 1, in: context).first {
                    return candidate.contains(block.low) && candidate.contains(block.high) ? candidate : nil
                }
            }
            below -= chunk
            above += chunk
        }
        return nil
    }

}
