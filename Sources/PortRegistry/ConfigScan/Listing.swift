import PortRegistryModel

/// A port entry that publishes no host port, and why (`check --list`).
package struct SilentEntry: Hashable, Sendable {
    package var location: SourceLocation
    package var service: String
    package var reason: String
}

/// One line of `check --list`: a claim the tree makes (or an entry that makes none), where it
/// runs, and why a finding about it may be absent: the deployments or profiles it runs in
/// (alternatives never collide), the projects it is the same app as (`instance`), the entry
/// that publishes nothing.
package struct ListedClaim: Sendable, Equatable {
    package var location: SourceLocation
    package var service: String
    package var ports: PortRange?
    package var transport: TransportProtocol?
    package var bind: String?
    /// `docker host` or `cluster`.
    package var scope: String
    package var host: String
    /// The deployments, profiles or alternatives it runs in; empty: every one of its folder.
    package var runsIn: [String] = []
    /// Folders of the projects that are the same app as its own.
    package var sameAppAs: [String] = []
    /// Why it publishes nothing (or `# portreg: ignore`); nil for a claim.
    package var silence: String?
}

extension ConfigCheck {
    /// The claims of a scan, in file and line order, for `check --list`.
    package static func listing(_ scan: ConfigScanResult, options: CheckOptions) -> [ListedClaim] {
        let sameApps = SameApp(signatures: scan.projectSignatures).allSameApps()
        var folderOfProject: [String: String] = [:]
        for port in scan.ports {
            if let project = port.project { folderOfProject[project] = ConfigFile.directory(of: port.location.file) }
        }
        var result: [ListedClaim] = []
        for port in scan.ports {
            var listed = ListedClaim(
                location: port.location, service: port.label, ports: port.ports, transport: port.transport,
                bind: port.bind.text, scope: port.scope == .cluster ? "cluster" : "docker host",
                host: (options.hostGlobs.first { $0.matches(port.location.file) }?.host ?? options.host).name)
            listed.runsIn = port.deployments
            if !port.profiles.isEmpty { listed.runsIn.append("profile " + port.profiles.joined(separator: ", ")) }
            if let variant = port.variant { listed.runsIn.append(variant) }
            if let project = port.project {
                listed.sameAppAs = (sameApps[project] ?? []).compactMap { folderOfProject[$0] }.sorted()
            }
            if port.isIgnored { listed.silence = "# portreg: ignore" }
            result.append(listed)
        }
        for entry in scan.silentEntries {
            result.append(
                ListedClaim(
                    location: entry.location, service: "service \(entry.service)", scope: "docker host",
                    host: options.host.name, silence: entry.reason))
        }
        var seen = Set<String>()
        return result.filter {
            seen.insert(
                "\($0.location)\u{1}\($0.service)\u{1}\($0.ports?.description ?? "")\u{1}\($0.transport?.rawValue ?? "")"
            ).inserted
        }
        .sorted { ($0.location, $0.service) < ($1.location, $1.service) }
    }
}
