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
        let report = try read { context in
            ConfigCheck.evaluate(
                scan, registry: snapshot, options: options,
                wayOut: WayOut { move in Self.freePort(for: move, options: options, in: context) },
                listening: listening)
        }
        guard let known else { return report }
        return known.baseline.apply(to: report, file: known.file)
    }

    /// The way out of a collision: the port `reserve` would give the service that moves, by
    /// its rules (not assigned, not registered or common, not privileged, not ephemeral),
    /// where "in use" means claimed by the tree, never a probe of this machine.
    package static func freePort(for move: MoveRequest, options: CheckOptions, in context: StorageContext) -> PortRange?
    {
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
        return try? allocator.suggestion(request, in: context)
    }
}
