import PortRegistryModel

/// A host port that a config file publishes: the unit that `check` compares with everything
/// else it found and with the registry.
package struct PublishedPort: SocketClaim, Hashable, Sendable {
    package enum Origin: String, Sendable {
        case compose, kubernetes, procfile, env
    }

    /// What the service is known as: the Compose service, the Kubernetes object, the Procfile
    /// process, or the folder of a standalone `.env`.
    package var name: String
    /// How messages name it: `service web`, `Deployment web`, `process web`, `.env of billing`.
    package var label: String
    /// Which service this is, for the collision rule: a Compose service is (project, name), a
    /// Kubernetes object (namespace, name), a Procfile process (file, process), a `.env` its folder.
    /// Two ports of one identity never collide with each other.
    package var identity: String
    /// Other names a registry row or catalog entry may use for this service (project and
    /// folder names, `project-service`, the image's name), lowercased.
    package var aliases: [String]
    package var ports: PortRange
    package var transport: TransportProtocol
    package var bind: BindAddress
    package var host: HostScope
    package var location: SourceLocation
    /// The container port(s) behind a published port (Compose target, Kubernetes containerPort).
    package var target: PortRange?
    /// Docker's "publish on one free port of this range" (`8000-8010:80`): the service takes a
    /// single port somewhere in `ports`, so it collides only with a claim that covers all of them.
    package var isDynamic: Bool
    package var origin: Origin
    /// The Compose project, for `profiles`: two services of one project whose profile sets are
    /// both non-empty and disjoint are alternatives (`--profile a` or `--profile b`), not neighbours.
    package var project: String?
    /// Compose `profiles`; empty means the service always starts.
    package var profiles: [String] = []
    /// A variant of `project` this claim belongs to alone (a Procfile of a folder whose
    /// Procfiles are alternatives): claims of one project with different variants are
    /// alternatives. nil: no such variant. Compose says the same through `choices`.
    package var variant: String? = nil
    /// Sets of alternatives this claim takes part in: in each `group`, only one member runs
    /// at a time, and this claim runs in `members` of them (the deployments of a Compose
    /// folder, disjoint profiles, `.portreg.yaml` `alternatives`). Two claims that share a
    /// group with disjoint members never run together. A claim in no group runs with every
    /// other.
    package var choices: [Choice] = []
    /// The deployments of its folder this claim is made in (`base`, `compose.prod.yaml`), when
    /// not in all: how findings and `--list` say where it runs.
    package var deployments: [String] = []
    /// The image's repository (tag ignored), for the same app twice.
    package var image: String? = nil

    package struct Choice: Hashable, Sendable {
        package var group: String
        package var members: [String]

        package init(group: String, members: [String]) {
            self.group = group
            self.members = members.sorted()
        }
    }

    /// `choices`, with `variant` and `profiles` as choices of its project.
    package var allChoices: [Choice] {
        guard let project, variant != nil || !profiles.isEmpty else { return choices }
        var result = choices
        if let variant { result.append(Choice(group: "variant\u{1}" + project, members: [variant])) }
        if !profiles.isEmpty { result.append(Choice(group: "profiles\u{1}" + project, members: profiles)) }
        return result
    }

    /// True when the two never run together: some group of both has disjoint members.
    package func isAlternative(to other: PublishedPort) -> Bool {
        let mine = allChoices
        guard !mine.isEmpty else { return false }
        let theirs = other.allChoices
        for choice in mine {
            for their in theirs where their.group == choice.group {
                if Set(choice.members).isDisjoint(with: their.members) { return true }
            }
        }
        return false
    }
    /// Where a value this claim depends on comes from, when it is not the project's `.env`
    /// (`.env.example` in a repository without its `.env`); nil otherwise.
    package var valueSource: String? = nil
    /// Where a new port for it must lie, when not anywhere `reserve` would look: a Kubernetes
    /// `nodePort` moves within the cluster's node-port range. nil: `reserve`'s default range.
    package var movesWithin: PortRange? = nil
    /// The entry's line carries `# portreg: ignore`: it takes part in nothing that is reported.
    package var isIgnored: Bool
    /// How many containers of the service publish this entry (Compose `scale` or
    /// `deploy.replicas`): each needs a host port of its own on one host.
    package var replicas: Int = 1
    /// Where the replica count is set, the second location of a replicas collision.
    package var replicasLocation: SourceLocation?
    /// Long syntax `mode: ingress`, Swarm's routing mesh: one published port serves every
    /// replica, so replicas do not compete for it.
    package var isIngress = false
    /// Where the claim runs (SPEC, "Where things run"): Compose, Procfiles, a standalone
    /// `.env` and kind cluster configs on the Docker host, Kubernetes objects on the cluster.
    /// Claims of two scopes meet only where `.portreg.yaml` `hosts` puts both on one host.
    package var scope: Scope = .dockerHost
    /// The Kubernetes object (API group, kind, namespace, name); nil outside Kubernetes.
    package var kubernetesObject: KubernetesObject? = nil
    /// The Kubernetes kind that takes the port (`DaemonSet`, `Deployment`, `Service` for a
    /// `nodePort`, …): how the scheduler places it. nil outside Kubernetes.
    package var workload: String? { kubernetesObject?.kind }
    /// `.portreg.yaml` `hosts` put this claim on `host` (not `--host`, not the default).
    package var isPlacedOnHost = false

    package init(
        name: String, label: String? = nil, identity: String, aliases: [String] = [], ports: PortRange,
        transport: TransportProtocol = .tcp,
        bind: BindAddress = .wildcard, host: HostScope = .everywhere, location: SourceLocation,
        target: PortRange? = nil, isDynamic: Bool = false, origin: Origin, isIgnored: Bool = false
    ) {
        self.name = name
        self.label = label ?? name
        self.identity = identity
        self.aliases = aliases
        self.ports = ports
        self.transport = transport
        self.bind = bind
        self.host = host
        self.location = location
        self.target = target
        self.isDynamic = isDynamic
        self.origin = origin
        self.isIgnored = isIgnored
    }

    /// The collision rule compares services by this: the identity, not the display name.
    package var service: String { identity }

    /// A process started from a Procfile or configured by a `.env` binds its port itself, so
    /// privileges matter; Docker and Kubernetes publish through a root-owned daemon.
    package var bindsItself: Bool { origin == .procfile || origin == .env }

    /// True when `other` names this service: its name or one of its aliases, case-insensitively.
    package func isNamed(_ other: String) -> Bool {
        let lowered = other.lowercased()
        return name.lowercased() == lowered || aliases.contains(lowered)
    }
}

/// Compose's `ports` syntaxes, read as Docker reads them (`nat.ParsePortSpec` and the Compose
/// specification's long syntax).
package enum ComposePortSyntax {
    package struct Mapping: Equatable {
        /// The host ports, nil when Docker picks any free port (`"80"`, `":80"`, `"0:80"`).
        var published: PortRange?
        var target: PortRange
        var transport: TransportProtocol
        var bind: BindAddress
        var isDynamic: Bool
        /// Long syntax `mode: ingress`, said explicitly.
        var isIngress = false
    }

    package struct Invalid: Error, Equatable {
        var message: String
    }

    package static let protocolRule = "use tcp, udp or sctp"

    package static func transport(_ text: String) throws(Invalid) -> TransportProtocol {
        switch text.lowercased() {
        case "", "tcp": return .tcp
        case "udp": return .udp
        case "sctp": return .sctp
        default: throw Invalid(message: "invalid protocol '\(text)': \(protocolRule)")
        }
    }

    package static func bind(_ text: String) throws(Invalid) -> BindAddress {
        if text.isEmpty { return .wildcard }
        var address = text
        if address.hasPrefix("[") {
            guard address.hasSuffix("]") else { throw Invalid(message: "invalid IP address '\(text)'") }
            address = String(address.dropFirst().dropLast())
        }
        guard address != "*", let bind = BindAddress(parsing: address) else {
            throw Invalid(message: "invalid IP address '\(text)'")
        }
        return bind
    }

    package static func range(_ text: String, what: String) throws(Invalid) -> PortRange {
        guard let range = PortRange(parsing: text) else {
            throw Invalid(message: "invalid \(what) '\(text)': a port 1-65535 or a range LO-HI")
        }
        return range
    }

    /// `[[IP:](PORT|RANGE):](PORT|RANGE)[/PROTO]`, IPv6 addresses in brackets (or bare, as
    /// Docker also splits them at the last two colons).
    package static func short(_ raw: String) throws(Invalid) -> Mapping {
        let text = raw.trimmingCharacters(in: " \t")
        var spec = Substring(text)
        var protocolName = ""
        if let slash = spec.lastIndex(of: "/") {
            protocolName = String(spec[spec.index(after: slash)...])
            spec = spec[..<slash]
        }
        let transport = try transport(protocolName)
        let parts = spec.split(separator: ":", omittingEmptySubsequences: false).map(String.init)
        let ip: String
        let hostPart: String
        let containerPart = parts[parts.count - 1]
        switch parts.count {
        case 1: (ip, hostPart) = ("", "")
        case 2: (ip, hostPart) = ("", parts[0])
        default: (ip, hostPart) = (parts[0..<(parts.count - 2)].joined(separator: ":"), parts[parts.count - 2])
        }
        guard !containerPart.isEmpty else { throw Invalid(message: "no container port in '\(raw)'") }
        let target = try range(containerPart, what: "container port")
        guard target.low > 0 else { throw Invalid(message: "invalid container port '\(containerPart)' in '\(raw)'") }
        let bind = try bind(ip)
        guard !hostPart.isEmpty else {
            return Mapping(published: nil, target: target, transport: transport, bind: bind, isDynamic: false)
        }
        let host = try range(hostPart, what: "host port")
        if host.count != target.count && !target.isSinglePort {
            throw Invalid(
                message: "invalid ranges in '\(raw)': host ports \(host) and container ports \(target) differ in length"
            )
        }
        if host.low == 0 {
            guard host.isSinglePort else { throw Invalid(message: "invalid host port range '\(hostPart)' in '\(raw)'") }
            return Mapping(published: nil, target: target, transport: transport, bind: bind, isDynamic: false)
        }
        return Mapping(
            published: host, target: target, transport: transport, bind: bind,
            isDynamic: target.isSinglePort && !host.isSinglePort)
    }

    /// The long syntax's values, already interpolated: `target`, `published` (number, string or
    /// range; empty means any free port), `host_ip`, `protocol`, `mode` (`host` or `ingress`).
    package static func long(
        target targetText: String?, published: String?, hostIP: String?, protocolName: String?, mode: String?
    )
        throws(Invalid) -> Mapping
    {
        guard let targetText, !targetText.isEmpty else { throw Invalid(message: "a port without 'target'") }
        let target = try range(targetText, what: "target")
        guard target.low > 0, target.isSinglePort else {
            throw Invalid(message: "invalid target '\(targetText)': one container port 1-65535")
        }
        let transport = try transport(protocolName ?? "")
        if let mode, mode != "host" && mode != "ingress" {
            throw Invalid(message: "invalid mode '\(mode)': use host or ingress")
        }
        let bind = try bind(hostIP ?? "")
        let isIngress = mode == "ingress"
        guard let published, !published.isEmpty else {
            return Mapping(
                published: nil, target: target, transport: transport, bind: bind, isDynamic: false, isIngress: isIngress
            )
        }
        let host = try range(published, what: "published port")
        if host.low == 0 {
            guard host.isSinglePort else { throw Invalid(message: "invalid published range '\(published)'") }
            return Mapping(
                published: nil, target: target, transport: transport, bind: bind, isDynamic: false, isIngress: isIngress
            )
        }
        return Mapping(
            published: host, target: target, transport: transport, bind: bind, isDynamic: !host.isSinglePort,
            isIngress: isIngress)
    }
}
