import PortRegistryModel

/// The same app twice (SPEC "Compose"): two projects where every service of one is also in
/// the other, by name, image repository and port mappings (a per-host copy, a second layout,
/// a generated single-file form). They run on two hosts, or one at a time, which only the
/// docs say: their collisions are warnings of kind `instance` naming the `.portreg.yaml`
/// entry that settles it, errors under `--strict`, and plain collisions once `hosts` puts
/// both on one host. Sharing a dependency is not enough (`api` {api, db} and `worker`
/// {worker, db} are two apps).
package struct SameApp: Sendable {
    /// Each Compose project's service signatures, by `PublishedPort.project`.
    package var signatures: [String: Set<String>] = [:]
    package var strict = false

    package init(signatures: [String: Set<String>] = [:], strict: Bool = false) {
        self.signatures = signatures
        self.strict = strict
    }

    /// Whether projects `a` and `b` are one app: the services of one are all in the other.
    package func isSameApp(_ a: String, _ b: String) -> Bool {
        guard a != b, let left = signatures[a], let right = signatures[b], !left.isEmpty, !right.isEmpty else {
            return false
        }
        return left.count <= right.count ? left.isSubset(of: right) : right.isSubset(of: left)
    }

    /// Every project's same apps, by project: each project is compared only with those whose
    /// rarest signature it holds (a project inside another holds all of its signatures), so
    /// the cost follows the signatures shared, never the pairs of projects.
    package func allSameApps() -> [String: [String]] {
        var holders: [String: [String]] = [:]
        for (project, signatures) in signatures {
            for signature in signatures { holders[signature, default: []].append(project) }
        }
        var byRarest: [String: [String]] = [:]
        for (project, signatures) in signatures {
            guard let rarest = signatures.min(by: { (holders[$0]?.count ?? 0, $0) < (holders[$1]?.count ?? 0, $1) })
            else { continue }
            byRarest[rarest, default: []].append(project)
        }
        var result: [String: Set<String>] = [:]
        for (project, signatures) in signatures {
            for signature in signatures {
                for other in byRarest[signature] ?? [] where isSameApp(project, other) {
                    result[project, default: []].insert(other)
                    result[other, default: []].insert(project)
                }
            }
        }
        return result.mapValues { $0.sorted() }
    }

    /// Makes a collision finding an `instance` warning when every two of its claimants from
    /// different projects are the same app and no `hosts` entry puts them on one host.
    package func judge(_ finding: inout Finding, _ claims: [PublishedPort]) {
        var projects: [String] = []
        for claim in claims {
            guard let project = claim.project, signatures[project] != nil else { return }
            if !projects.contains(project) { projects.append(project) }
        }
        guard projects.count > 1 else { return }
        for (index, a) in projects.enumerated() {
            for b in projects[(index + 1)...] where !isSameApp(a, b) { return }
        }
        // `.portreg.yaml` put them on one named host: a collision that would happen.
        let hosts = Set(claims.map(\.host))
        if hosts.count == 1, let host = hosts.first, !host.isEverywhere { return }
        let folders = projects.compactMap { key in
            claims.first { $0.project == key }.map { ConfigFile.directory(of: $0.location.file) }
        }
        finding.kind = .instance
        finding.severity = strict ? .error : .warning
        finding.message +=
            " — the same app twice (\(folders.joined(separator: ", ")) run the same services): if they run on different hosts say so in .portreg.yaml `hosts:`, if only one runs at a time `alternatives: [[\(folders.map { "\"\($0)\"" }.joined(separator: ", "))]]`"
    }
}
