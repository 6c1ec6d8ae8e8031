import PortRegistryCatalog
import PortRegistryModel

/// What a picture of the port space is drawn from: plain values, so that the map can be
/// built (and tested) without a database.
package struct PortMapInput: Sendable {
    /// Live assignments, in export order.
    package var assignments: [Assignment]
    /// Port spans the catalog registers to a named service (any source, any protocol).
    package var registered: [PortRange]
    package var collisions: [Collision]
    /// This host's ephemeral range, when known.
    package var ephemeral: PortRange?
    /// Where the registry lives (its path), shown on the map.
    package var source: String
    /// When the map was drawn (RFC 3339 UTC, the database clock).
    package var date: String
    /// The catalog's sources, for the map's caption.
    package var catalog: [CatalogSourceInfo]

    package init(
        assignments: [Assignment], registered: [PortRange], collisions: [Collision] = [],
        ephemeral: PortRange? = nil, source: String = "", date: String = "", catalog: [CatalogSourceInfo] = []
    ) {
        self.assignments = assignments
        self.registered = registered
        self.collisions = collisions
        self.ephemeral = ephemeral
        self.source = source
        self.date = date
        self.catalog = catalog
    }
}

/// The port space cut into blocks of `blockSize` ports, each block knowing how much of it is
/// privileged, ephemeral, registered in the catalog and assigned, and which claims fall in it.
/// Renderers (SVG, terminal) only lay these values out.
///
/// Built in O(spans + blocks): every span is clipped to the blocks it touches, never walked
/// port by port.
package struct PortMap: Sendable {
    package struct Holding: Sendable {
        package var assignment: Assignment
        /// Index into `owners`.
        package var owner: Int
        /// True when the claim collides with another one.
        package var colliding: Bool
        /// The services it collides with.
        var collidesWith: [String]
    }

    package struct Block: Sendable, Equatable {
        package var ports: PortRange
        /// Ports of the block below 1024 (binding needs privileges).
        package var system = 0
        /// Ports of the block inside this host's ephemeral range.
        package var ephemeral = 0
        /// Ports of the block that the catalog registers to some service.
        package var registered = 0
        /// Ports of the block that a live assignment holds.
        package var assigned = 0
        /// Ports of the block claimed by two colliding assignments.
        package var colliding = 0
        /// Indices into `claims`, in port order.
        package var claims: [Int] = []

        /// Registered share of the block, 0...1.
        package var density: Double { Double(registered) / Double(ports.count) }
    }

    package let range: PortRange
    package let blockSize: Int
    package let blocks: [Block]
    package let claims: [Holding]
    /// Distinct owners, sorted ("" for claims without one), so colours stay put between runs.
    package let owners: [String]
    package let input: PortMapInput

    /// The first port of the block holding `port`: blocks are aligned to multiples of `blockSize`.
    func blockStart(_ port: Int) -> Int { port - port % blockSize }

    package init(_ input: PortMapInput, range: PortRange = .all, blockSize: Int) {
        let size = max(1, blockSize)
        self.range = range
        self.blockSize = size
        self.input = input
        let origin = range.low - range.low % size
        let count = (range.high - origin) / size + 1
        var blocks: [Block] = []
        blocks.reserveCapacity(count)
        for index in 0..<count {
            let low = max(range.low, origin + index * size)
            let high = min(range.high, origin + (index + 1) * size - 1)
            blocks.append(Block(ports: PortRange(uncheckedLow: low, high: high)))
        }

        /// Calls `body` with each block index `span` overlaps and the number of ports in common.
        func visit(_ span: PortRange, _ body: (Int, Int) -> Void) {
            let low = max(span.low, range.low)
            let high = min(span.high, range.high)
            guard low <= high else { return }
            for index in ((low - origin) / size)...((high - origin) / size) {
                let block = blocks[index].ports
                body(index, min(high, block.high) - max(low, block.low) + 1)
            }
        }

        visit(PortRange(uncheckedLow: 0, high: 1023)) { blocks[$0].system += $1 }
        if let ephemeral = input.ephemeral { visit(ephemeral) { blocks[$0].ephemeral += $1 } }
        for span in PortRange.union(input.registered) { visit(span) { blocks[$0].registered += $1 } }
        for span in PortRange.union(input.assignments.map(\.ports)) { visit(span) { blocks[$0].assigned += $1 } }
        for span in PortRange.union(input.collisions.map(\.ports)) { visit(span) { blocks[$0].colliding += $1 } }

        var partners: [Int: [String]] = [:]
        for collision in input.collisions {
            if let id = collision.first.id { partners[id, default: []].append(collision.second.service) }
            if let id = collision.second.id { partners[id, default: []].append(collision.first.service) }
        }
        let owners = Set(input.assignments.map(\.owner)).sorted { ($0.isEmpty ? 1 : 0, $0) < ($1.isEmpty ? 1 : 0, $1) }
        let ownerIndex = Dictionary(uniqueKeysWithValues: owners.enumerated().map { ($1, $0) })
        var claims: [Holding] = []
        for assignment in input.assignments.sorted(by: { $0.ports < $1.ports }) {
            let others = assignment.id.flatMap { partners[$0] } ?? []
            var seen = Set<String>()
            claims.append(
                Holding(
                    assignment: assignment, owner: ownerIndex[assignment.owner] ?? 0, colliding: !others.isEmpty,
                    collidesWith: others.filter { seen.insert($0).inserted }))
            visit(assignment.ports) { index, _ in blocks[index].claims.append(claims.count - 1) }
        }
        self.blocks = blocks
        self.claims = claims
        self.owners = owners
    }

    /// The smallest of 1, 2, 5, 10, 20, 50, … that is at least `minimum`: rows and cells of
    /// such sizes start at ports a reader can add up (8000, 8050, …).
    static func roundStep(atLeast minimum: Int) -> Int {
        var scale = 1
        while true {
            for step in [1, 2, 5] where step * scale >= minimum { return step * scale }
            scale *= 10
        }
    }

    /// A one-line caption: the registry, the date, the catalog sources.
    var caption: String {
        var parts: [String] = []
        if !input.source.isEmpty { parts.append("registry \(input.source)") }
        if !input.date.isEmpty { parts.append(input.date) }
        let sources = input.catalog.map { source in
            "\(source.source.rawValue) \(source.releaseDate ?? source.importedAt.prefix(10).description)"
        }
        if !sources.isEmpty { parts.append("catalog " + sources.joined(separator: ", ")) }
        return parts.joined(separator: " · ")
    }

    /// How a claim is described in a tooltip or a legend line.
    package static func describe(_ claim: Holding) -> String {
        let a = claim.assignment
        var text = "\(a.service) \(a.ports)/\(a.transport.rawValue)"
        if !a.owner.isEmpty { text += " · owner \(a.owner)" }
        if !a.host.isEverywhere { text += " · host \(a.host.name)" }
        if a.bind.text != "*" { text += " · bind \(a.bind.text)" }
        if !a.note.isEmpty { text += " · \(a.note)" }
        if let expires = a.expiresAt { text += " · until \(expires)" }
        if claim.colliding { text += " · COLLIDES with \(claim.collidesWith.joined(separator: ", "))" }
        return text
    }
}
