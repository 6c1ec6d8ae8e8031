import PortRegistryConflicts
import PortRegistryModel

/// What `check` says of claims against the registry (a port assigned to another service,
/// `--strict`'s unregistered ports) and the catalog (registered to other software), and the
/// privileged and ephemeral warnings.
extension ConfigCheck {
    package static func registryFindings(_ ports: [PublishedPort], assignments: [RegistryClaim], strict: Bool)
        -> [Finding]
    {
        var findings: [Finding] = []
        var holders: [[Int]] = Array(repeating: [], count: ports.count)
        overlapping(ports.map(\.ports), assignments.map(\.assignment.ports)) { i, j in
            let (port, claim) = (ports[i], assignments[j].assignment)
            guard port.transport == claim.transport, port.bind.overlaps(claim.bind), port.host.overlaps(claim.host)
            else { return }
            holders[i].append(j)
        }
        for (index, port) in ports.enumerated() {
            let overlapping = holders[index].map { assignments[$0] }
            let own = overlapping.filter { port.isNamed($0.assignment.service) }
            let others = overlapping.filter {
                !port.isNamed($0.assignment.service)
                    && dynamicAllows(port.ports, dynamic: port.isDynamic, $0.assignment.ports, dynamic: false)
            }
            for holder in others {
                let assignment = holder.assignment
                let shared = PortRange(
                    low: max(port.ports.low, assignment.ports.low), high: min(port.ports.high, assignment.ports.high))!
                var where_ = ""
                if !assignment.host.isEverywhere { where_ += " on host \(assignment.host)" }
                if !assignment.bind.isWildcard { where_ += " at \(assignment.bind)" }
                let source = holder.location.map { " (\($0))" } ?? ""
                var places = [place(port)]
                if let location = holder.location {
                    places.append(Finding.Place(location: location, service: assignment.service))
                }
                findings.append(
                    Finding(
                        severity: .error, kind: .registry, ports: shared, transport: port.transport,
                        message:
                            "\(port.label) publishes \(socket(shared, port.transport)), which the registry assigns to \(assignment.service)\(where_)\(source)",
                        places: places
                    ).claimed(by: [claimant(port), "registry/" + assignment.service]))
            }
            if strict && others.isEmpty
                && !own.contains(where: {
                    $0.assignment.ports.low <= port.ports.low && port.ports.high <= $0.assignment.ports.high
                })
            {
                findings.append(
                    Finding(
                        severity: .warning, kind: .unregistered, ports: port.ports, transport: port.transport,
                        message:
                            "\(port.label) publishes \(socket(port.ports, port.transport)), which the registry does not assign to \(port.name)",
                        places: [place(port)]
                    ).claimed(by: [claimant(port)]))
            }
        }
        return findings
    }

    /// Catalog names that any service may use without a warning: generic web ports.
    package static let genericNames: Set<String> = [
        "http", "https", "http-alt", "https-alt", "www-http", "http-proxy", "webcache", "http-mgmt", "tproxy",
    ]

    /// True when a catalog name stands for this service: equal to, or a prefix of one another
    /// (at least 4 characters: `postgres` and `postgresql`), its name, an alias or its image.
    package static func catalogNameMatches(_ catalogName: String, _ port: PublishedPort) -> Bool {
        let registered = catalogName.lowercased()
        if genericNames.contains(registered) { return true }
        for candidate in [port.name.lowercased()] + port.aliases {
            if candidate == registered { return true }
            let shorter = min(candidate.count, registered.count)
            if shorter >= 4 && (candidate.hasPrefix(registered) || registered.hasPrefix(candidate)) { return true }
        }
        return false
    }

    package static func warnings(
        _ ports: [PublishedPort], assignments: [RegistryClaim], catalog: PortAdvisor?, ephemeral: PortRange?
    ) -> [Finding] {
        var findings: [Finding] = []
        for port in ports {
            let label = "\(port.label) publishes \(socket(port.ports, port.transport))"
            // A nodePort comes from the cluster's own allocation range (30000-32767 by
            // default), whatever the catalog says of it.
            let isNodePort = port.origin == .kubernetes && port.label.hasPrefix("Service ")
            if let catalog, !port.isDynamic, !isNodePort, port.target != port.ports {
                // Publishing a container's own port (80:80, 5432:5432) is the software on its
                // registered port, and a name that matches says the same: only the rest is news.
                let foreign = catalog.foreignRegistration(port.ports, transport: port.transport) {
                    catalogNameMatches($0, port)
                }
                let assignedHere = assignments.contains {
                    port.isNamed($0.assignment.service) && $0.assignment.transport == port.transport
                        && $0.assignment.ports.overlaps(port.ports)
                }
                if let first = foreign, !assignedHere {
                    let more = first.count > 1 ? " (and \(first.count - 1) more ports of the range)" : ""
                    findings.append(
                        Finding(
                            severity: .warning, kind: .registered, ports: PortRange(port: first.port),
                            transport: port.transport,
                            message:
                                "\(label): \(first.port)/\(port.transport.rawValue) is registered to \(PortAdvisor.names(first.names)) in the catalog\(more)",
                            places: [place(port)]
                        ).claimed(by: [claimant(port)]))
                }
            }
            if port.bindsItself && port.ports.low < 1024 {
                findings.append(
                    Finding(
                        severity: .warning, kind: .privileged, ports: port.ports, transport: port.transport,
                        message: "\(label): \(PortAdvisory.privileged(port.ports))",
                        places: [place(port)]
                    ).claimed(by: [claimant(port)]))
            }
            if let ephemeral, ephemeral.overlaps(port.ports) {
                findings.append(
                    Finding(
                        severity: .warning, kind: .ephemeral, ports: port.ports, transport: port.transport,
                        message:
                            "\(label): \(PortAdvisory.ephemeral(port.ports, range: ephemeral, host: "the deployment host's"))",
                        places: [place(port)]
                    ).claimed(by: [claimant(port)]))
            }
        }
        return findings
    }
}
