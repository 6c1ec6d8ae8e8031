import PortRegistryCatalog
import PortRegistryModel
import PortRegistrySystem

/// What `portreg reserve` asks for.
package struct ReservationRequest: Sendable {
    package var service: String
    package var count: Int = 1
    /// Where to look; nil for `Allocator.defaultRange`.
    package var range: PortRange?
    package var transport: TransportProtocol = .tcp
    package var host: HostScope = .everywhere
    package var bind: BindAddress = .wildcard
    package var owner = ""
    package var note = ""
    package var ttlSeconds: Int?
    /// Also refuse ports that something on this machine is bound to right now.
    package var probe = true
    /// Take ports the catalog registers to other services too (`--allow-registered`): a
    /// team that knows it will never run them may use them on purpose.
    package var allowRegistered = false

    package init(service: String) { self.service = service }
}

package struct Reservation: Sendable {
    package var assignment: Assignment
    /// True when the service already held a matching assignment and got it back.
    package var reused: Bool
    /// The service's other live assignments when this reservation is an additional one
    /// (another protocol, range, host or count); empty when reused or the first.
    package var alsoHeld: [Assignment] = []
}

/// Picks free ports. A service name hashes to a stable starting point in the range (as
/// port4me does), so the same name tends to get the same port in every registry; from there
/// the first port (or block) that nothing blocks wins. Blocked: live assignments in an
/// overlapping host and bind scope, catalog registrations (iana, common) for the protocol,
/// privileged ports, the host's ephemeral range, and — when probing — ports bound right now.
///
/// `Registry.reserve` runs the check and the insert in one write transaction of the
/// assignment storage (SQLite: `BEGIN IMMEDIATE`), so concurrent processes are serialised by
/// its write lock: N processes get N different ports.
package struct Allocator {
    /// The RFC 6335 user range; the ephemeral part of it is skipped anyway.
    package static let defaultRange = PortRange(uncheckedLow: 1024, high: 49151)
    /// Ports examined per query.
    package static let window = 128

    package let ephemeral: PortRange?
    package let isFreeNow: (Int, TransportProtocol, BindAddress) -> Bool
    /// When the caller knows the stretches `isFreeNow` refuses (`check`'s way out: what the
    /// tree claims, as sorted spans), the first port at or after the one given that is in
    /// none of them: `firstFree` jumps over a taken stretch in one step instead of probing
    /// each of its ports. nil: every candidate is probed.
    package var firstUntaken: ((Int) -> Int)?

    package init(
        ephemeral: PortRange? = EphemeralRange.current(),
        isFreeNow: @escaping (Int, TransportProtocol, BindAddress) -> Bool = { port, transport, bind in
            PortProbe.isFree(port: port, transport: transport, bind: bind.text)
        }
    ) {
        self.ephemeral = ephemeral
        self.isFreeNow = isFreeNow
    }

    /// Checks the request; throws a usage error before any transaction starts.
    package func validate(_ request: ReservationRequest) throws {
        _ = try ServiceName.validate(request.service)
        guard (1...4096).contains(request.count) else {
            throw RegistryError(.usage, "--count must be 1-4096, not \(request.count)")
        }
        let range = request.range ?? Allocator.defaultRange
        guard range.low >= 1 else {
            throw RegistryError(.usage, "--range must start at 1 or above: port 0 is never assignable")
        }
        guard range.count >= request.count else {
            throw RegistryError(
                .usage, "--range \(range) holds \(range.count) ports, fewer than --count \(request.count)")
        }
    }

    /// Reuses what the service holds, or finds and records free ports; inside the caller's
    /// write transaction (see `Registry.reserve`).
    package func reserve(_ request: ReservationRequest, in context: StorageContext) throws -> Reservation {
        try validate(request)
        let service = request.service
        let range = request.range ?? Allocator.defaultRange
        let store = context.assignments
        let now = context.now
        if var held = try existing(service: service, request: request, range: range, store: store, now: now) {
            if request.ttlSeconds != nil || request.owner != held.owner || request.note != held.note {
                held.owner = request.owner.isEmpty ? held.owner : request.owner
                held.note = request.note.isEmpty ? held.note : request.note
                held = try store.insert(held, ttlSeconds: request.ttlSeconds, now: now)
            }
            return Reservation(assignment: held, reused: true)
        }
        guard let low = try firstFree(request: request, range: range, in: context) else {
            throw RegistryError(.refused, try refusal(request, in: context))
        }
        let alsoHeld = try store.named(service, now: now)
        let assignment = Assignment(
            service: service, ports: PortRange(uncheckedLow: low, high: low + request.count - 1),
            transport: request.transport, host: request.host, bind: request.bind,
            owner: request.owner, note: request.note)
        return Reservation(
            assignment: try store.insert(assignment, ttlSeconds: request.ttlSeconds, now: now), reused: false,
            alsoHeld: alsoHeld)
    }

    /// A live assignment of the service with the same shape inside the range.
    package func existing(
        service: String, request: ReservationRequest, range: PortRange, store: any AssignmentStorage, now: Timestamp
    )
        throws -> Assignment?
    {
        try store.named(service, now: now).first { held in
            held.transport == request.transport && held.host == request.host
                && held.bind == request.bind && held.ports.count == request.count
                && range.contains(held.ports.low) && range.contains(held.ports.high)
        }
    }

    /// The first port of a free block, walking from the preferred start and wrapping around.
    package func firstFree(request: ReservationRequest, range: PortRange, in context: StorageContext) throws -> Int? {
        let starts = PortRange(uncheckedLow: range.low, high: range.high - request.count + 1)
        let origin = preferredStart(for: request.service, in: starts)
        var examined = 0
        var windowLow = origin
        while examined < starts.count {
            let remaining = starts.count - examined
            if let skipped = staticallyBlocked(from: windowLow, upTo: min(starts.high, windowLow + remaining - 1)) {
                // Privileged or ephemeral: no query needed to know nothing there is free.
                examined += skipped.count
                windowLow = skipped.high + 1 > starts.high ? starts.low : skipped.high + 1
                continue
            }
            if request.probe, let firstUntaken {
                let untaken = firstUntaken(windowLow)
                if untaken > windowLow {
                    let last = min(untaken - 1, starts.high, windowLow + remaining - 1)
                    examined += last - windowLow + 1
                    windowLow = last + 1 > starts.high ? starts.low : last + 1
                    continue
                }
            }
            let windowHigh = min(windowLow + Allocator.window - 1, starts.high, windowLow + remaining - 1)
            let span = PortRange(uncheckedLow: windowLow, high: windowHigh + request.count - 1)
            var blocked = try blockedPorts(in: span, request: request, in: context)
            var runStart = span.low
            for port in span.low...span.high {
                if blocked[port - span.low] {
                    runStart = port + 1
                    continue
                }
                guard port - runStart + 1 >= request.count else { continue }
                let candidate = port - request.count + 1
                guard candidate <= windowHigh else { break }
                guard request.probe else { return candidate }
                let taken = (candidate...port).filter { !isFreeNow($0, request.transport, request.bind) }
                if taken.isEmpty { return candidate }
                // Something on this machine holds a port of the block: step past it.
                for port in taken { blocked[port - span.low] = true }
                runStart = firstUntaken?(taken.last! + 1) ?? taken.last! + 1
            }
            examined += windowHigh - windowLow + 1
            windowLow = windowHigh + 1 > starts.high ? starts.low : windowHigh + 1
        }
        return nil
    }

    /// The privileged or ephemeral stretch that `port` starts in, cut at `limit`.
    package func staticallyBlocked(from port: Int, upTo limit: Int) -> PortRange? {
        if port < 1024 { return PortRange(uncheckedLow: port, high: min(1023, limit)) }
        if let ephemeral, ephemeral.contains(port) {
            return PortRange(uncheckedLow: port, high: min(ephemeral.high, limit))
        }
        return nil
    }

    /// Where a name starts looking: FNV-1a of the lowercased name, folded into the ports of
    /// `range` that are neither privileged nor ephemeral (so the start is a usable port).
    package func preferredStart(for service: String, in range: PortRange) -> Int {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in service.lowercased().utf8 {
            hash ^= UInt64(byte)
            hash = hash &* 0x100_0000_01b3
        }
        var usable: [PortRange] = []
        var low = range.low
        while low <= range.high {
            if let blocked = staticallyBlocked(from: low, upTo: range.high) {
                low = blocked.high + 1
                continue
            }
            var high = range.high
            if let ephemeral, ephemeral.low > low { high = min(high, ephemeral.low - 1) }
            if low < 1024 { high = min(high, 1023) }
            usable.append(PortRange(uncheckedLow: low, high: high))
            low = high + 1
        }
        let total = usable.reduce(0) { $0 + $1.count }
        guard total > 0 else { return range.low }
        var index = Int(hash % UInt64(total))
        for segment in usable {
            if index < segment.count { return segment.low + index }
            index -= segment.count
        }
        return range.low
    }

    /// What `blockedPorts` rules out anywhere in `span`, as sorted disjoint spans: read once,
    /// so that a caller making many searches (`check`'s way out) can jump over all of it.
    package func blockedSpans(in span: PortRange, request: ReservationRequest, in context: StorageContext) throws
        -> [PortRange]
    {
        var spans = [PortRange(uncheckedLow: 0, high: 1023)]
        if let ephemeral { spans.append(ephemeral) }
        try context.assignments.blockingClaims(
            in: span, transport: request.transport, host: request.host, now: context.now
        ) { ports, bind in
            if bind.overlaps(request.bind) { spans.append(ports) }
        }
        if !request.allowRegistered {
            try context.catalog.forEachRegistration(overlapping: span, transport: request.transport) {
                spans.append($0)
            }
        }
        return PortRange.union(spans)
    }

    /// One flag per port of `span`: true when something rules the port out.
    package func blockedPorts(in span: PortRange, request: ReservationRequest, in context: StorageContext) throws
        -> [Bool]
    {
        var blocked = [Bool](repeating: false, count: span.count)
        func block(_ low: Int, _ high: Int) {
            let from = max(low, span.low)
            let to = min(high, span.high)
            guard from <= to else { return }
            for port in from...to { blocked[port - span.low] = true }
        }
        block(0, 1023)
        if let ephemeral { block(ephemeral.low, ephemeral.high) }
        try context.assignments.blockingClaims(
            in: span, transport: request.transport, host: request.host, now: context.now
        ) { ports, bind in
            if bind.overlaps(request.bind) { block(ports.low, ports.high) }
        }
        if !request.allowRegistered {
            try context.catalog.forEachRegistration(overlapping: span, transport: request.transport) { ports in
                block(ports.low, ports.high)
            }
        }
        return blocked
    }
}

extension Allocator {
    /// The port (or block) `reserve` would pick for `request`, without recording anything:
    /// the first free one from the service's preferred start; nil when the range is full.
    package func suggestion(_ request: ReservationRequest, in context: StorageContext) throws -> PortRange? {
        try validate(request)
        let range = request.range ?? Allocator.defaultRange
        guard let low = try firstFree(request: request, range: range, in: context) else { return nil }
        return PortRange(uncheckedLow: low, high: low + request.count - 1)
    }

    /// Free ports (or consecutive blocks of `request.count`) from the bottom of the range up,
    /// by the same rules as `reserve`, without recording anything.
    package func freeBlocks(_ request: ReservationRequest, limit: Int, in context: StorageContext) throws -> [PortRange]
    {
        let range = request.range ?? Allocator.defaultRange
        guard range.count >= request.count else { return [] }
        var found: [PortRange] = []
        var windowLow = range.low
        var runStart = range.low
        while windowLow <= range.high && found.count < limit {
            let span = PortRange(uncheckedLow: windowLow, high: min(windowLow + Allocator.window - 1, range.high))
            let blocked = try blockedPorts(in: span, request: request, in: context)
            for port in span.low...span.high {
                if blocked[port - span.low] || (request.probe && !isFreeNow(port, request.transport, request.bind)) {
                    runStart = port + 1
                } else if port - runStart + 1 == request.count {
                    found.append(PortRange(uncheckedLow: runStart, high: port))
                    runStart = port + 1
                    if found.count == limit { break }
                }
            }
            windowLow = span.high + 1
        }
        return found
    }
}
