import PortRegistryModel

/// One registration of a service: a name on a port span and protocol, whichever catalog
/// sources list it. IANA, the built-in list and /etc/services often all list postgresql
/// 5432/tcp; a lookup shows it once, with its sources and the best description.
package struct Registration: Hashable, Sendable {
    /// The row of the most authoritative source (iana, then common, then system), with the
    /// best description: the first non-empty one in that order.
    package var entry: CatalogEntry
    /// The sources that list it, in that order.
    package var sources: [CatalogSource]

    package init(entry: CatalogEntry, sources: [CatalogSource]) {
        self.entry = entry
        self.sources = sources
    }

    package var service: String? { entry.service }
    package var ports: PortRange? { entry.ports }
    package var transport: TransportProtocol? { entry.transport }
    package var description: String { entry.description }

    /// `iana,system`.
    package var sourceList: String { sources.map(\.rawValue).joined(separator: ",") }

    /// Rows with the same name (case-insensitively), ports and protocol are one registration.
    /// Rows without a name (Reserved, Unassigned) or without a port (IANA's name-only rows:
    /// two `rdp` rows are two different protocols) are kept apart. The result keeps the order
    /// of each registration's first row.
    static func merging(_ entries: [CatalogEntry]) -> [Registration] {
        groups(entries).map { Registration(rows: $0.map { entries[$0] }) }
    }

    /// Indices of `entries` grouped by registration, groups in the order of their first row.
    package static func groups(_ entries: [CatalogEntry]) -> [[Int]] {
        struct Key: Hashable {
            var service: String
            var ports: PortRange?
            var transport: TransportProtocol?
        }
        var groups: [[Int]] = []
        var index: [Key: Int] = [:]
        for (offset, entry) in entries.enumerated() {
            guard let service = entry.service, entry.ports != nil else {
                groups.append([offset])
                continue
            }
            let key = Key(service: service.lowercased(), ports: entry.ports, transport: entry.transport)
            if let position = index[key] {
                groups[position].append(offset)
            } else {
                index[key] = groups.count
                groups.append([offset])
            }
        }
        return groups
    }

    /// One registration from rows of one key, best source first (a stable sort keeps a
    /// source's own order).
    package init(rows: [CatalogEntry]) {
        let ranked = rows.enumerated().sorted {
            (Registration.rank($0.element.source), $0.offset) < (Registration.rank($1.element.source), $1.offset)
        }
        .map(\.element)
        var best = ranked[0]
        if best.description.isEmpty, let described = ranked.first(where: { !$0.description.isEmpty }) {
            best.description = described.description
        }
        if best.aliases.isEmpty, let aliased = ranked.first(where: { !$0.aliases.isEmpty }) {
            best.aliases = aliased.aliases
        }
        var sources: [CatalogSource] = []
        for row in ranked where !sources.contains(row.source) { sources.append(row.source) }
        self.init(entry: best, sources: sources)
    }

    static func rank(_ source: CatalogSource) -> Int {
        switch source {
        case .iana: 0
        case .common: 1
        case .system: 2
        }
    }
}

extension LookupResult {
    /// The catalog rows, one per registration.
    package var registrations: [Registration] { Registration.merging(catalog) }
}
