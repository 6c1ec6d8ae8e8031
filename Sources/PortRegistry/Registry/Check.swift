import PortRegistryAssignments
import PortRegistryConfigScan
import PortRegistryModel
import PortRegistrySystem

extension Registry {
    /// The registry `portreg check` compares with. With `--assignments FILE` and no database
    /// named (`--db`, `$PORTREG_DB`) or present at the default path, the built-in catalog in
    /// memory: a CI runner gets the same verdict without a file being created.
    package static func openForCheck(explicitPath: String?, committedAssignments: Bool) throws -> Registry {
        let environment = DatabaseLocation.processEnvironment
        let path = DatabaseLocation.resolve(explicit: explicitPath, environment: environment)
        if committedAssignments && explicitPath == nil && environment["PORTREG_DB"] == nil
            && !DatabaseLocation.exists(path)
        {
            return try Registry.inMemory(clock: .system)
        }
        return try Registry.open(explicitPath: explicitPath)
    }

    /// `portreg check`: reads the committed registry CSV (`options.assignmentsFile`, which
    /// then replaces the database's assignments), the configs under `options.paths`, and
    /// this registry's baseline (`checkBaseline`), and judges them. Throws only for a missing
    /// path or file (66) or a malformed `--assignments` file (65); every problem inside a
    /// config is a finding of the report.
    package func check(_ options: CheckOptions) throws -> CheckReport {
        let now = clock.now()
        // A bad baseline is refused before anything is read (65 with its line, 66 if missing).
        let known = try options.baseline.map { (file: $0, baseline: try CheckBaseline.read($0)) }
        let committed = try options.assignmentsFile.map { try ConfigCheck.readAssignments($0, now: now) }
        let scan = try ConfigCheck.scan(options, now: now)
        // Equally specific `hosts` globs of two hosts on one path: a usage error (64).
        _ = try options.hostsByPath(scan.ports.lazy.map(\.location.file))
        let baseline = try checkBaseline(includeAssignments: committed == nil, ephemeral: options.ephemeral)
        let snapshot = RegistrySnapshot(
            assignments: committed ?? baseline.assignments.map { RegistryClaim(assignment: $0) },
            catalog: baseline.catalog)
        let listening = options.live ? SocketTable.listening() : []
        let search = WayOutSearch()
        let report = try read { context in
            ConfigCheck.evaluate(
                scan, registry: snapshot, options: options,
                wayOut: WayOut(
                    known: known?.baseline.fingerprints ?? [],
                    rooting: { CheckBaseline.rootedClaimant($0, roots: options.fingerprintRoots) }
                ) { move in
                    Self.freePort(for: move, options: options, in: context, search: search)
                },
                listening: listening)
        }
        guard let known else { return report }
        return known.baseline.apply(to: report, file: known.file)
    }

    /// `portreg check --list`: the claims the configs under `options.paths` make, with where
    /// they run and why a claim publishes nothing, and the files that could not be read
    /// (`parse` errors, for the exit status). Nothing is judged, so no database is opened.
    package static func listClaims(_ options: CheckOptions) throws -> (
        claims: [ListedClaim], files: Int, unreadable: Int
    ) {
        let scan = try ConfigCheck.scan(options, now: RegistryClock.system.now())
        let unreadable = scan.findings.count { $0.kind == .parse && $0.severity == .error }
        return (ConfigCheck.listing(scan, options: options), scan.files.count, unreadable)
    }

    /// The way out of a collision: the port `reserve` would give the service that moves, by
    /// its rules (not assigned, not registered or common, not privileged, not ephemeral),
    /// where "in use" means claimed by the tree, never a probe of this machine.
    package static func freePort(
        for move: MoveRequest, options: CheckOptions, in context: StorageContext, search: WayOutSearch? = nil
    ) -> PortRange? {
        var request = ReservationRequest(service: (try? ServiceName.validate(move.service)) ?? "service")
        request.count = move.count
        request.transport = move.transport
        request.host = move.host
        request.bind = move.bind
        if let range = move.range {
            // A nodePort moves within the cluster's node-port range, which the catalog
            // registers as a whole (kube-nodeport): there only the tree and the registry count.
            request.range = range
            request.allowRegistered = true
        }
        request.probe = true
        var allocator = Allocator(ephemeral: options.ephemeral) { port, _, _ in !move.isTaken(port) }
        allocator.firstUntaken = move.firstUntaken
        guard let search else { return try? allocator.suggestion(request, in: context) }
        // One jump over everything known to be ruled out (the registry's and the catalog's
        // spans merged with the tree's), so a search never walks the ports earlier findings
        // took (20,000 collisions on dense ports).
        let shape = WayOutSearch.Shape(request: request)
        if search.spans[shape] == nil {
            let range = request.range ?? Allocator.defaultRange
            let blocked = (try? allocator.blockedSpans(in: range, request: request, in: context)) ?? []
            search.spans[shape] = PortRange.union(blocked + move.takenSpans())
        }
        allocator.firstUntaken = { port in search.firstUntaken(port, shape) }
        let found = try? allocator.suggestion(request, in: context)
        if let found { search.insert(found, transport: request.transport) }
        return found
    }
}

/// The spans `check`'s way out knows to be ruled out, per search shape (protocol, host,
/// bind, range, catalog allowed or not): what the registry and catalog block, read once,
/// merged with what the tree claims and what earlier findings advised.
package final class WayOutSearch {
    package struct Shape: Hashable {
        var transport: TransportProtocol
        var host: HostScope
        var bind: BindAddress
        var range: PortRange?
        var allowRegistered: Bool

        init(request: ReservationRequest) {
            transport = request.transport
            host = request.host
            bind = request.bind
            range = request.range
            allowRegistered = request.allowRegistered
        }
    }

    package var spans: [Shape: [PortRange]] = [:]

    package init() {}

    /// The first port at or after `port` that no span of `shape` holds.
    package func firstUntaken(_ port: Int, _ shape: Shape) -> Int {
        guard let list = spans[shape] else { return port }
        var low = 0
        var high = list.count
        while low < high {
            let middle = (low + high) / 2
            if list[middle].high < port { low = middle + 1 } else { high = middle }
        }
        return low < list.count && list[low].low <= port ? list[low].high + 1 : port
    }

    /// An advised span, taken in every shape of its protocol.
    package func insert(_ range: PortRange, transport: TransportProtocol) {
        for shape in Array(spans.keys) where shape.transport == transport {
            var list = spans[shape]!
            spans[shape] = nil
            var first = 0
            var high = list.count
            while first < high {
                let middle = (first + high) / 2
                if list[middle].high < range.low - 1 { first = middle + 1 } else { high = middle }
            }
            var last = first
            var merged = range
            while last < list.count && list[last].low <= merged.high + 1 {
                merged = PortRange(
                    uncheckedLow: min(merged.low, list[last].low), high: max(merged.high, list[last].high))
                last += 1
            }
            list.replaceSubrange(first..<last, with: [merged])
            spans[shape] = list
        }
    }
}
