import PortRegistryConflicts
import PortRegistryFormats
import PortRegistryModel
import PortRegistrySystem

/// How a `check` run reads the tree and judges what it finds.
package struct CheckOptions: Sendable {
    package var paths: [String]
    /// `--exclude GLOB`: skipped paths (matched against the path relative to the argument, the
    /// displayed path and the base name).
    package var excludes: [String]
    /// `--env-file`: replaces every project's `.env` for interpolation.
    package var envFiles: [String]
    /// `--use-env`: the process environment, which then wins over `.env` as in Compose.
    package var processEnvironment: [String: String]?
    /// `--strict`: warn about ports the registry does not assign to the service publishing them.
    package var strict: Bool
    /// The host the configs deploy to, compared with the registry's host scopes.
    package var host: HostScope
    /// The deployment host's ephemeral range, warned about (`--ephemeral-range`). By default
    /// Linux's default, not this machine's: a CI runner's range says nothing of the
    /// deployment host's, and every machine must give the same report.
    package var ephemeral: PortRange?
    /// `--assignments FILE`: compared with already, so not read again if it lies in the tree.
    package var assignmentsFile: String?

    /// `--baseline FILE`: error findings it knows are not reported (nor fail the run).
    package var baseline: String?
    /// `.portreg.yaml`'s `hosts`: claims under these globs are on that host, the rest on `host`.
    package var hostGlobs: [CheckConfig.HostGlobs] = []
    /// `.portreg.yaml`'s `alternatives`: groups of path globs (relative to `configRoot`) of
    /// which at most one member is deployed at a time (`alternative(of:)` names the member).
    package var alternativeGroups: [[String]] = []
    /// `.portreg.yaml`'s `stacks`: name → Compose files (relative to `configRoot`, globs
    /// allowed) run together as one project, in the order written.
    package var stacks: [String: [String]] = [:]
    /// `.portreg.yaml`'s `env-file`: project folder (relative to `configRoot`) → the env file
    /// it is run with (relative to that folder).
    package var projectEnvFiles: [String: String] = [:]
    /// The folder `.portreg.yaml`'s paths are relative to: the config's folder, or with
    /// `--config` the first checked PATH. nil without a config.
    package var configRoot: String?
    /// `--live`: this machine's listening sockets are claims too (never by default: a CI
    /// runner's sockets say nothing of the deployment host).
    package var live = false
    /// `-` as a PATH: what standard input holds, and the name findings give it.
    package var stdinKind: StdinKind = .kubernetes
    package var stdinName = "<stdin>"
    /// The cluster's node-port range (`--node-port-range`, `.portreg.yaml`'s `node-port-range`;
    /// nil: `defaultNodePorts`): a Service `nodePort` outside it is an error (the API server
    /// refuses it).
    package var nodePortRange: PortRange?

    package static let linuxEphemeral = PortRange(low: 32768, high: 60999)!
    /// The Kubernetes API server's default `--service-node-port-range`.
    package static let defaultNodePorts = PortRange(low: 30000, high: 32767)!

    package init(
        paths: [String], excludes: [String] = [], envFiles: [String] = [], processEnvironment: [String: String]? = nil,
        strict: Bool = false, host: HostScope = .everywhere, ephemeral: PortRange? = CheckOptions.linuxEphemeral,
        assignmentsFile: String? = nil
    ) {
        self.assignmentsFile = assignmentsFile
        self.paths = paths
        self.excludes = excludes
        self.envFiles = envFiles
        self.processEnvironment = processEnvironment
        self.strict = strict
        self.host = host
        self.ephemeral = ephemeral
    }
}

/// An assignment `check` compares against, and where it was read (a registry CSV line), if
/// not from the database.
package struct RegistryClaim: Sendable {
    package var assignment: Assignment
    package var location: SourceLocation?

    package init(assignment: Assignment, location: SourceLocation? = nil) {
        self.assignment = assignment
        self.location = location
    }
}

/// What `check` knows of the registry: assignments to compare with, and the catalog for
/// `registered` warnings.
package struct RegistrySnapshot {
    package var assignments: [RegistryClaim]
    package var catalog: PortAdvisor?

    package init(assignments: [RegistryClaim] = [], catalog: PortAdvisor? = nil) {
        self.assignments = assignments
        self.catalog = catalog
    }
}

/// What the files of a tree publish, before judging.
package struct ConfigScanResult: Sendable {
    package var ports: [PublishedPort] = []
    package var findings: [Finding] = []
    package var files: [String] = []
    /// Assignments from registry CSVs found in the tree.
    package var assignments: [RegistryClaim] = []
    /// The services of each Compose project (by `PublishedPort.project`), as the same app
    /// twice compares them (`ComposeLoader.signature`).
    package var projectSignatures: [String: Set<String>] = [:]
    /// Port entries that publish nothing, and why (`check --list`).
    package var silentEntries: [SilentEntry] = []
}

/// `portreg check`: reads service configs (Compose, Kubernetes, Procfiles, standalone `.env`,
/// registry CSVs), then reports collisions among them and against the registry. It works on
/// values: what the registry holds comes from the front door (`Registry.check`).
package enum ConfigCheck {
    /// Reads a registry CSV (`--assignments`); throws with file and line (exit 65) or 66.
    /// Leases expired at `now` are left out, as the database leaves them out.
    package static func readAssignments(_ path: String, now: Timestamp) throws -> [RegistryClaim] {
        var reader = try CSVReader(path: path)
        reader.computesDigest = false
        guard let header = try reader.next() else { return [] }
        guard RegistryCSV.isRegistryHeader(header.fields) else {
            throw RegistryError.data(
                file: path, line: header.line,
                "not a registry CSV: the header must be \(RegistryCSV.header.joined(separator: ","))")
        }
        var result: [RegistryClaim] = []
        while let record = try reader.next() {
            let assignment = try RegistryCSV.assignment(record, file: path)
            if assignment.isExpired(now: now) { continue }
            result.append(
                RegistryClaim(assignment: assignment, location: SourceLocation(file: path, line: record.line)))
        }
        return result
    }

    // MARK: Judging

    /// Collisions, registry comparison and warnings: a pure function of what was read.
    /// `wayOut`, when given, ends each collision with a free port for the services that move.
    package static func evaluate(
        _ scan: ConfigScanResult, registry: RegistrySnapshot, options: CheckOptions, wayOut: WayOut? = nil,
        listening: [ListeningSocket] = []
    ) -> CheckReport {
        var findings = scan.findings
        // `.portreg.yaml` hosts, once per file (a tie of two hosts was refused before, 64).
        let placed = (try? options.hostsByPath(scan.ports.lazy.map(\.location.file))) ?? [:]
        var alternatives: [String: (Int, String)?] = [:]
        if !options.alternativeGroups.isEmpty {
            for port in scan.ports where alternatives[port.location.file] == nil {
                alternatives[port.location.file] = .some(options.alternative(of: port.location.file))
            }
        }
        let explicit = Set(
            options.hostGlobs.isEmpty
                ? []
                : placed.keys.filter { ((try? CheckConfig.host(of: $0, in: options.hostGlobs)) ?? nil) != nil })
        let ports = scan.ports.filter { !$0.isIgnored }.map { port -> PublishedPort in
            var port = port
            port.host = placed[port.location.file] ?? options.host
            // `.portreg.yaml` `alternatives`: at most one member of a group runs at a time.
            if let (group, member) = alternatives[port.location.file] ?? nil {
                port.choices.append(PublishedPort.Choice(group: "alternatives\u{1}\(group)", members: [member]))
            }
            // Put there by a `hosts` glob (not left on the default): scopes meet only there.
            port.isPlacedOnHost = explicit.contains(port.location.file)
            return port
        }
        let assignments = registry.assignments + scan.assignments
        // The catalog tells the way out who owns a port (WayOut.plan).
        if wayOut?.catalog == nil { wayOut?.catalog = registry.catalog }
        // Every port the tree publishes (ignored or not) and the registry holds is taken.
        wayOut?.claim(scan.ports.map { ($0.ports, $0.transport) })
        wayOut?.claim(assignments.map { ($0.assignment.ports, $0.assignment.transport) })
        wayOut?.claim(listening.compactMap { socket in PortRange(port: socket.port).map { ($0, socket.transport) } })
        findings += collisions(
            ports, wayOut: wayOut, sameApp: SameApp(signatures: scan.projectSignatures, strict: options.strict))
        // This machine's sockets are the Docker host's: a cluster node's ports are elsewhere.
        if !listening.isEmpty { findings += inUse(ports.filter { $0.scope == .dockerHost }, listening: listening) }
        findings += registryFindings(ports, assignments: assignments, strict: options.strict)
        findings += warnings(ports, assignments: assignments, catalog: registry.catalog, ephemeral: options.ephemeral)
        findings = onePerEntry(findings)
        findings.sort(by: Finding.reportOrder)
        // Claimants' paths relative to the checked PATH, for fingerprints.
        findings = CheckBaseline.rooted(findings, roots: options.fingerprintRoots)
        return CheckReport(findings: findings, files: scan.files.count, ports: scan.ports.count)
    }

    /// Pairs (i, j), i from `left` and j from `right`, whose ranges overlap: the one sweep.
    package static func overlapping(_ left: [PortRange], _ right: [PortRange], _ body: (Int, Int) -> Void) {
        PortSweep.overlappingPairs(left, right, body)
    }

    /// `--live`: a published port that a socket on this machine already listens on (in an
    /// overlapping bind address): `docker compose up` would fail with "port is already
    /// allocated". One finding per port entry, naming the processes where /proc shows them.
    package static func inUse(_ ports: [PublishedPort], listening: [ListeningSocket]) -> [Finding] {
        guard !listening.isEmpty, !ports.isEmpty else { return [] }
        var holders = [[Int]](repeating: [], count: ports.count)
        let sockets = listening.map { PortRange(uncheckedLow: $0.port, high: $0.port) }
        PortSweep.overlappingPairs(ports.map(\.ports), sockets) { i, j in
            let (port, socket) = (ports[i], listening[j])
            let bind = BindAddress(parsing: socket.address) ?? .wildcard
            guard port.transport == socket.transport, !port.isDynamic, port.bind.overlaps(bind) else { return }
            holders[i].append(j)
        }
        var findings: [Finding] = []
        for (index, port) in ports.enumerated() where !holders[index].isEmpty {
            var seen = Set<Int>()
            let sockets = holders[index].map { listening[$0] }.sorted { ($0.port, $0.inode) < ($1.port, $1.inode) }
            var who: [String] = []
            for socket in sockets where seen.insert(socket.port).inserted {
                let process =
                    switch (socket.command, socket.pid) {
                    case (let command?, let pid?): "\(command) (pid \(pid))"
                    case (nil, let pid?): "pid \(pid)"
                    default: "a process this user cannot see"
                    }
                who.append("\(socket.port)/\(socket.transport.rawValue) is in use by \(process)")
            }
            let more = who.count > 3 ? " and \(who.count - 3) more ports" : ""
            findings.append(
                Finding(
                    severity: .error, kind: .inUse, ports: port.ports, transport: port.transport,
                    message:
                        "\(port.label) publishes \(socket(port.ports, port.transport)), but on this machine \(who.prefix(3).joined(separator: ", "))\(more)",
                    places: [place(port)]
                ).claimed(by: [claimant(port)]))
        }
        return findings
    }

    /// One warning per port entry: a base service's entry read again in each variant (or a
    /// range read as several claims) is one entry, so its warning of one kind is said once.
    package static func onePerEntry(_ findings: [Finding]) -> [Finding] {
        struct Key: Hashable {
            var kind: Finding.Kind
            var location: SourceLocation?
            var transport: TransportProtocol?
        }
        var seen = Set<Key>()
        return findings.filter { finding in
            guard finding.severity == .warning, finding.kind != .parse else { return true }
            return seen.insert(
                Key(kind: finding.kind, location: finding.places.first?.location, transport: finding.transport)
            )
            .inserted
        }
    }

    /// A claimant's identity for fingerprints: its config kind and what that kind names a
    /// service by, never a line: `compose:FOLDER/SERVICE` (the project's folder),
    /// `kubernetes:NAMESPACE/KIND/NAME`, `kind:CLUSTER`, `procfile:FILE:PROCESS`,
    /// `env:FOLDER`. Paths are marked (`CheckBaseline.marked`) and made relative to the
    /// checked PATH by `CheckBaseline.rooted` at the end of `evaluate`, so they do not depend
    /// on the current folder or on how the PATH is spelled.
    package static func claimant(_ port: PublishedPort) -> String {
        let file = port.location.file
        switch port.origin {
        case .kubernetes:
            if let object = port.kubernetesObject {
                return "kubernetes:\(object.namespace ?? "*")/\(object.kind)/\(object.name)"
            }
            let parts = port.identity.split(separator: "\u{1}", omittingEmptySubsequences: false).map(String.init)
            if parts.count >= 2 && parts[0] == "kind" { return "kind:" + parts[1] }
            return "kubernetes:" + port.name
        case .compose:
            let prefix = "compose\u{1}"
            let folder =
                port.project.flatMap { $0.hasPrefix(prefix) ? String($0.dropFirst(prefix.count)) : nil }
                ?? ConfigFile.directory(of: file)
            return "compose:" + CheckBaseline.marked(folder) + "/" + port.name
        case .procfile:
            return "procfile:" + CheckBaseline.marked(file) + ":" + port.name
        case .env:
            return "env:" + CheckBaseline.marked(ConfigFile.directory(of: file))
        }
    }

    /// Places without repeats (one entry read in the base and in a variant is one place).
    package static func unique(_ places: [Finding.Place]) -> [Finding.Place] {
        var seen = Set<Finding.Place>()
        return places.filter { seen.insert($0).inserted }
    }

    package static func place(_ port: PublishedPort) -> Finding.Place {
        Finding.Place(location: port.location, service: port.name)
    }

    package static func socket(_ ports: PortRange, _ transport: TransportProtocol) -> String {
        "\(ports)/\(transport.rawValue)"
    }

    /// Against the registry, a dynamic claim (`8000-8010:80`) is refused only by an assignment
    /// that covers its whole range: any other leaves it a free port.
    package static func dynamicAllows(_ a: PortRange, dynamic: Bool, _ b: PortRange, dynamic otherDynamic: Bool) -> Bool
    {
        switch (dynamic, otherDynamic) {
        case (false, false): true
        case (true, false): b.low <= a.low && a.high <= b.high
        case (false, true): a.low <= b.low && b.high <= a.high
        case (true, true): false
        }
    }

    /// Claims that never run together (`PublishedPort.isAlternative`): deployments of one
    /// Compose folder, disjoint profiles, Procfiles of one folder, `.portreg.yaml`
    /// alternatives. Not transitive: each variant still collides with what runs beside it.
    package static func areAlternatives(_ a: PublishedPort, _ b: PublishedPort) -> Bool {
        a.isAlternative(to: b) || b.isAlternative(to: a)
    }

    package static func collisions(_ ports: [PublishedPort], wayOut: WayOut? = nil, sameApp: SameApp = SameApp())
        -> [Finding]
    {
        // The cluster, and both scopes on one named host, are judged in ClusterRules.
        let (dockerHost, clusterFindings) = ClusterRules.split(ports, wayOut: wayOut)
        var findings = clusterFindings
        // One protocol at a time, so only that protocol's fixed claims are copied.
        for transport in TransportProtocol.allCases {
            let fixed = dockerHost.filter { $0.transport == transport && !$0.isDynamic }
            let dynamic = dockerHost.filter { $0.transport == transport && $0.isDynamic }
            guard !fixed.isEmpty || !dynamic.isEmpty else { continue }
            findings += groupCollisions(fixed, transport, wayOut: wayOut, sameApp: sameApp)
            findings += replicaCollisions(fixed, transport)
            if !dynamic.isEmpty { findings += exhaustedRanges(dynamic, fixed: fixed, transport) }
        }
        return findings
    }

    /// Fixed claims that all collide with one another, one finding per group: the groups of
    /// the collision rule (`CollisionRule.groups`), split where claims are alternatives. When
    /// the split leaves claims that collide with each of several alternatives, that is one
    /// finding ("with one of: A, B, C"), not one per alternative repeating every location.
    package static func groupCollisions(
        _ group: [PublishedPort], _ transport: TransportProtocol, wayOut: WayOut?, sameApp: SameApp = SameApp()
    ) -> [Finding] {
        guard group.count > 1 else { return [] }
        var findings: [Finding] = []
        func ordered(_ members: [Int]) -> [PublishedPort] {
            members.map { group[$0] }.sorted { ($0.location, $0.identity) < ($1.location, $1.identity) }
        }
        for ruleGroup in CollisionRule.groups(group) {
            let split = AlternativeSplit.split(ruleGroup.members, group).filter {
                CollisionRule.hasTwoServices($0, group)
            }
            var core = Set(split.first ?? [])
            for members in split.dropFirst() { core.formIntersection(members) }
            let others = ordered(Array(Set(split.joined()).subtracting(core)).sorted())
            if split.count > 1, !core.isEmpty {
                let coreClaims = ordered(core.sorted())
                let shared = CollisionRule.sharedPorts(Array(Set(split.joined())).sorted(), group)
                // One service in several deployments is one claimant, not a choice among several.
                let choice = Set(others.map { $0.identity.lowercased() }).count > 1
                var finding = collisionFinding(
                    coreClaims + others, shared: shared, transport: transport, wayOut: wayOut,
                    who: choice ? oneOfPhrase(core: coreClaims, alternatives: others) : nil)
                sameApp.judge(&finding, coreClaims + others)
                findings.append(finding)
                continue
            }
            for members in split {
                let claims = ordered(members)
                let shared = CollisionRule.sharedPorts(members, group)
                var finding = collisionFinding(claims, shared: shared, transport: transport, wayOut: wayOut)
                sameApp.judge(&finding, claims)
                findings.append(finding)
            }
        }
        return findings
    }

    /// `service c and one of service a (compose.prod.yaml), service b (compose.dev.yaml)`: the
    /// claims every deployment makes, then the alternatives, each with where it runs.
    static func oneOfPhrase(core: [PublishedPort], alternatives: [PublishedPort]) -> String {
        func names(_ claims: [PublishedPort], where: Bool) -> [String] {
            var seen = Set<String>()
            return claims.filter { seen.insert($0.identity.lowercased()).inserted }.map { claim in
                guard `where` else { return claim.label }
                let runs =
                    !claim.deployments.isEmpty
                    ? claim.deployments.joined(separator: ", ")
                    : !claim.profiles.isEmpty
                        ? "profile \(claim.profiles.joined(separator: ", "))"
                        : ConfigFile.directory(of: claim.location.file)
                return "\(claim.label) (\(runs))"
            }
        }
        let fixed = names(core, where: false)
        var alternatives = names(alternatives, where: true)
        let more = alternatives.count > 5 ? alternatives.count - 5 : 0
        if more > 0 { alternatives = Array(alternatives.prefix(5)) + ["\(more) more"] }
        let coreText =
            fixed.count <= 2
            ? fixed.joined(separator: " and ")
            : "\(fixed[0]), \(fixed[1]) and \(fixed.count - 2) \(fixed.count == 3 ? "other" : "others")"
        return
            "\(coreText) and one of \(alternatives.joined(separator: ", ")) (only one of them runs at a time) all publish"
    }

    /// `service a and service b both publish 8080/tcp`, or with more claimants `service a,
    /// service b and service c all publish …` (`… and 2998 others all publish …`), then the
    /// way out when the registry gave one.
    package static func collisionFinding(
        _ claims: [PublishedPort], shared: PortRange, transport: TransportProtocol, wayOut: WayOut?,
        who: String? = nil
    ) -> Finding {
        // Claimants in report order, each service once.
        var claimants: [PublishedPort] = []
        var seen = Set<String>()
        for claim in claims where seen.insert(claim.identity.lowercased()).inserted { claimants.append(claim) }
        let shown = claimants.count <= 3 ? claimants : Array(claimants.prefix(2))
        var labelCounts: [String: Int] = [:]
        for claimant in shown { labelCounts[claimant.label, default: 0] += 1 }
        // Same-named services of two projects are told apart by their folders.
        let names = shown.map { claimant in
            labelCounts[claimant.label]! > 1
                ? "\(claimant.label) (\(ConfigFile.directory(of: claimant.location.file)))" : claimant.label
        }
        var message: String
        switch claimants.count {
        case 2: message = "\(names[0]) and \(names[1]) both publish"
        case 3: message = "\(names[0]), \(names[1]) and \(names[2]) all publish"
        default: message = "\(names[0]), \(names[1]) and \(claimants.count - 2) others all publish"
        }
        if let who { message = who }
        message += " \(socket(shared, transport))"
        var binds: [BindAddress] = []
        for claim in claims where !binds.contains(claim.bind) { binds.append(claim.bind) }
        if binds.count > 1 || !(binds.first?.isWildcard ?? true) {
            let texts = binds.map(\.description)
            message +=
                texts.count == 1
                ? " (bound to \(texts[0]))"
                : " (bound to \(texts.dropLast().joined(separator: ", ")) and \(texts.last!))"
        }
        if let wayOut {
            // Movers by name, with the folder when two share one.
            var nameCounts: [String: Int] = [:]
            for claimant in claimants { nameCounts[claimant.name, default: 0] += 1 }
            let labels = claimants.map { claimant in
                nameCounts[claimant.name]! > 1
                    ? "\(claimant.name) (\(ConfigFile.directory(of: claimant.location.file)))" : claimant.name
            }
            // Who moves: not an owner of the port, under a baseline the newcomer (WayOut.plan).
            let plan = wayOut.plan(
                claimants, names: labels, ids: claimants.map(claimant), shared: shared, transport: transport)
            if let note = plan.note { message += "; " + note }
            let movers = plan.movers.map { (claimants[$0], labels[$0]) }
            if let advice = wayOut.advice(for: movers) { message += "; " + advice }
            if let question = plan.question { message += "; " + question }
        }
        return Finding(
            severity: .error, kind: .collision, ports: shared, transport: transport, message: message,
            places: unique(claims.map(place))
        ).claimed(by: claimants.map(claimant))
    }

    /// A fixed host port of a service that runs several containers (`scale`,
    /// `deploy.replicas`): on one host only the first container binds it, the others fail with
    /// "port is already allocated". Swarm's routing mesh (`mode: ingress`) shares one port.
    package static func replicaCollisions(_ group: [PublishedPort], _ transport: TransportProtocol) -> [Finding] {
        group.compactMap { port in
            guard port.replicas > 1, !port.isIngress else { return nil }
            var places = [place(port)]
            if let location = port.replicasLocation {
                places.append(Finding.Place(location: location, service: port.name))
            }
            return Finding(
                severity: .error, kind: .collision, ports: port.ports, transport: transport,
                message:
                    "\(port.replicas) replicas of \(port.label) all publish \(socket(port.ports, transport)): only one can bind it on one host",
                places: places
            ).claimed(by: [claimant(port)])
        }
    }

    /// Dynamic claims (`8000-8010:80`: Docker binds the lowest free port of the range, one per
    /// container) collide when the range has no free port left for one of them: every port
    /// taken by fixed claims and by the other dynamic claims of the range. Decided as a
    /// matching, earliest range end first, which finds a free port for every claim whenever
    /// one assignment exists; so a report means that no start order can succeed.
    package static func exhaustedRanges(
        _ dynamic: [PublishedPort], fixed: [PublishedPort], _ transport: TransportProtocol
    )
        -> [Finding]
    {
        var blockers = Array(repeating: [Int](), count: dynamic.count)
        overlapping(dynamic.map(\.ports), fixed.map(\.ports)) { i, j in
            let (claim, other) = (dynamic[i], fixed[j])
            guard claim.bind.overlaps(other.bind), claim.host.overlaps(other.host), !areAlternatives(claim, other)
            else { return }
            blockers[i].append(j)
        }
        // The ports fixed claims take from each dynamic claim, sorted and merged.
        let blocked = blockers.map { PortRange.union($0.map { fixed[$0].ports }) }
        // One claim per container: replicas each need a port (the routing mesh shares one).
        // More replicas than the range has ports cannot all bind: one past it decides.
        var claims: [Int] = []
        for index in dynamic.indices {
            let port = dynamic[index]
            let count = port.isIngress ? 1 : min(max(1, port.replicas), port.ports.count + 1)
            claims += repeatElement(index, count: count)
        }
        claims.sort {
            let (a, b) = (dynamic[$0], dynamic[$1])
            return (a.ports.high, a.ports.low, a.location, $0) < (b.ports.high, b.ports.low, b.location, $1)
        }
        var ports = DynamicPorts(dynamic)
        // Where the next replica of a claim starts looking: the ports below the one its last
        // replica took were taken (or blocked) for it then, and stay so.
        var resume = dynamic.map(\.ports.low)
        var reported = Set<Int>()
        var findings: [Finding] = []
        func skipBlocked(_ index: Int, _ port: inout Int, _ span: inout Int) {
            let spans = blocked[index]
            while span < spans.count && spans[span].high < port { span += 1 }
            if span < spans.count && spans[span].low <= port { port = spans[span].high + 1 }
        }
        for index in claims {
            let claim = dynamic[index]
            var candidate = resume[index]
            // The first blocked span that ends at or after the candidate (a binary search).
            var span = blocked[index].firstEnding(atOrAfter: candidate)
            var found: Int?
            while true {
                skipBlocked(index, &candidate, &span)
                guard candidate <= claim.ports.high else { break }
                let untaken = ports.firstUntaken(candidate, by: index)
                if untaken == candidate {
                    found = candidate
                    break
                }
                candidate = untaken
            }
            if let found {
                ports.take(found, by: index)
                resume[index] = found + 1
                continue
            }
            resume[index] = claim.ports.high + 1
            guard reported.insert(index).inserted else { continue }
            var others: [PublishedPort] = blockers[index].map { fixed[$0] }
            // A few of the claims that took the range's free ports (the report names 8 at most).
            var seen = Set<Int>()
            var port = claim.ports.low
            var spanIndex = 0
            var visited = 0
            while port <= claim.ports.high && seen.count + blockers[index].count < 8 && visited < 64 {
                skipBlocked(index, &port, &spanIndex)
                guard port <= claim.ports.high else { break }
                for holder in ports.holders(of: port)
                where holder != index && ports.compete(holder, index) && seen.insert(holder).inserted {
                    others.append(dynamic[holder])
                }
                port += 1
                visited += 1
            }
            others.sort { $0.location < $1.location }
            var names: [String] = []
            for other in others where !names.contains(other.label) { names.append(other.label) }
            var message = "\(claim.label) publishes one free port of \(socket(claim.ports, transport))"
            if claim.replicas > 1 && !claim.isIngress { message += " for each of its \(claim.replicas) replicas" }
            message += ", and none is left"
            if !names.isEmpty { message += ": taken by \(names.prefix(5).joined(separator: ", "))" }
            var places = [place(claim)]
            for other in others.prefix(7) where other.location != claim.location { places.append(place(other)) }
            if places.count == 1, let location = claim.replicasLocation {
                places.append(Finding.Place(location: location, service: claim.name))
            }
            findings.append(
                Finding(
                    severity: .error, kind: .collision, ports: claim.ports, transport: transport, message: message,
                    places: places
                ).claimed(by: [claimant(claim)] + others.map(claimant)))
        }
        return findings
    }
}

extension Finding {
    /// This finding with its claimants' identities (for the fingerprint).
    package func claimed(by claimants: [String]) -> Finding {
        var finding = self
        finding.claimants = claimants
        return finding
    }
}
