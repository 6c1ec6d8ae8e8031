import PortRegistryModel

/// Splits a group of colliding claims (`CollisionRule.groups`) where some of its claims are
/// alternatives of one another (`ConfigCheck.areAlternatives`: variants of one project,
/// disjoint profiles), into groups whose claims all collide. Alternatives are not
/// transitive: A (variant x) and B (variant y) both collide with C (base) but not with each
/// other, which gives {A, C} and {B, C}.
///
/// The work is on classes, not claims: a claim's class is (project, variant, profiles), and
/// two claims of one class are never alternatives, so `areAlternatives` is asked once per
/// pair of classes of one project (a few variants), never per pair of claims. A project
/// whose classes in the group are all compatible takes part whole; the others ("branching")
/// each have a few local groups of compatible classes, and the result combines one local
/// group of each branching project with the rest.
package enum AlternativeSplit {
    package struct ClassKey: Hashable {
        var project: String
        var variant: String?
        var profiles: [String]
    }

    /// The product of local groups is enumerated up to this many; past it (several branching
    /// projects with several variants each on one socket) every pair of local groups gets a
    /// group of its own, which still covers every colliding pair.
    package static let productLimit = 64

    package static func split(_ members: [Int], _ claims: [PublishedPort]) -> [[Int]] {
        // Classes per project, in order of appearance.
        var classIndex: [ClassKey: Int] = [:]
        var classes: [(key: ClassKey, representative: Int)] = []
        var classOf: [Int: Int] = [:]
        var classesOfProject: [String: [Int]] = [:]
        for member in members {
            let claim = claims[member]
            guard let project = claim.project else { continue }
            let key = ClassKey(project: project, variant: claim.variant, profiles: claim.profiles.sorted())
            let index: Int
            if let known = classIndex[key] {
                index = known
            } else {
                index = classes.count
                classIndex[key] = index
                classes.append((key, member))
                classesOfProject[project, default: []].append(index)
            }
            classOf[member] = index
        }
        // Alternatives between classes of one project.
        var alternative = Set<[Int]>()
        for (_, projectClasses) in classesOfProject where projectClasses.count > 1 {
            for (position, a) in projectClasses.enumerated() {
                for b in projectClasses[(position + 1)...]
                where ConfigCheck.areAlternatives(claims[classes[a].representative], claims[classes[b].representative])
                {
                    alternative.insert([a, b])
                    alternative.insert([b, a])
                }
            }
        }
        guard !alternative.isEmpty else { return [members] }

        // Claimants: one service (its claims of this group together) with the classes it has.
        var units: [(claims: [Int], classes: [Int], project: String?)] = []
        var unitOf: [String: Int] = [:]
        for member in members {
            let key = claims[member].identity.lowercased()
            if let unit = unitOf[key] {
                units[unit].claims.append(member)
                if let c = classOf[member], !units[unit].classes.contains(c) { units[unit].classes.append(c) }
            } else {
                unitOf[key] = units.count
                units.append(([member], classOf[member].map { [$0] } ?? [], claims[member].project))
            }
        }
        func compatible(_ a: [Int], _ b: [Int]) -> Bool {
            // Two claimants collide when some pair of their classes is not alternatives.
            for x in a { for y in b where x == y || !alternative.contains([x, y]) { return true } }
            return a.isEmpty || b.isEmpty
        }
        // Kinds: the claimants of one project with one set of classes behave alike.
        var free: [Int] = []
        var kindsOfProject: [String: [(classes: [Int], units: [Int])]] = [:]
        var projectOrder: [String] = []
        for (index, unit) in units.enumerated() {
            guard let project = unit.project,
                unit.classes.contains(where: { c in
                    classesOfProject[project]!.contains { alternative.contains([c, $0]) }
                })
            else {
                free += unit.claims
                continue
            }
            let classes = unit.classes.sorted()
            if kindsOfProject[project] == nil { projectOrder.append(project) }
            if let kind = kindsOfProject[project]?.firstIndex(where: { $0.classes == classes }) {
                kindsOfProject[project]![kind].units.append(index)
            } else {
                kindsOfProject[project, default: []].append((classes, [index]))
            }
        }
        // Each branching project's local groups: a greedy cover of its compatible kind pairs.
        var locals: [[[Int]]] = []
        for project in projectOrder {
            let kinds = kindsOfProject[project]!
            var covered = Set<[Int]>()
            var groups: [[Int]] = []
            for i in kinds.indices {
                for j in i..<kinds.count
                where !covered.contains([i, j]) && compatible(kinds[i].classes, kinds[j].classes) {
                    var group = i == j ? [i] : [i, j]
                    for k in kinds.indices where !group.contains(k) {
                        if group.allSatisfy({ compatible(kinds[$0].classes, kinds[k].classes) }) { group.append(k) }
                    }
                    for a in group { for b in group where a <= b { covered.insert([a, b]) } }
                    groups.append(group.flatMap { kinds[$0].units.flatMap { units[$0].claims } })
                }
            }
            if groups.count == 1 { free += groups[0] } else { locals.append(groups) }
        }
        guard !locals.isEmpty else { return [members.sorted()] }
        let product = locals.reduce(1) { total, groups in min(total * groups.count, productLimit + 1) }
        var result: [[Int]] = []
        if product <= productLimit {
            var combinations: [[Int]] = [free]
            for groups in locals {
                combinations = combinations.flatMap { base in groups.map { base + $0 } }
            }
            result = combinations
        } else {
            for groups in locals { for group in groups { result.append(free + group) } }
            for (p, first) in locals.enumerated() {
                for second in locals[(p + 1)...] {
                    for a in first { for b in second { result.append(a + b) } }
                }
            }
        }
        return CollisionRule.maximal(result.map { $0.sorted() })
    }
}
