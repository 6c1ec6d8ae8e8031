import PortRegistryModel

/// Splits a group of colliding claims (`CollisionRule.groups`) where some of its claims never
/// run together (`PublishedPort.isAlternative`: deployments of one Compose folder, disjoint
/// profiles, Procfiles of one folder, `.portreg.yaml` alternatives) into the groups that can
/// run at once. Alternatives are not transitive: A (variant x) and B (variant y) both collide
/// with C (the base's other project) but not with each other, which gives {A, C} and {B, C}.
///
/// The work is on worlds, not pairs: a world picks one member of every group of alternatives
/// the claims name, and holds the claims that run in it (a claim in no group runs in every
/// world). The groups that can run at once are the maximal worlds. A collision names a few
/// groups of a few members each, so their product is small; past `worldLimit`, each group is
/// split alone (the others' choices left open), which still covers every colliding pair.
package enum AlternativeSplit {
    package static let worldLimit = 1024

    package static func split(_ members: [Int], _ claims: [PublishedPort]) -> [[Int]] {
        var groups: [String: Set<String>] = [:]
        var order: [String] = []
        for member in members {
            for choice in claims[member].allChoices {
                if groups[choice.group] == nil { order.append(choice.group) }
                groups[choice.group, default: []].formUnion(choice.members)
            }
        }
        guard !groups.isEmpty else { return [members] }
        let options = order.map { (group: $0, members: groups[$0]!.sorted()) }
        var worlds = 1
        for option in options { worlds = min(worlds * option.members.count, worldLimit + 1) }

        var contents: Set<[Int]> = []
        func runs(_ member: Int, in world: [String: String]) -> Bool {
            claims[member].allChoices.allSatisfy { choice in
                world[choice.group].map { choice.members.contains($0) } ?? true
            }
        }
        if worlds <= worldLimit {
            var world: [String: String] = [:]
            func enumerate(_ index: Int) {
                if index == options.count {
                    contents.insert(members.filter { runs($0, in: world) })
                    return
                }
                for member in options[index].members {
                    world[options[index].group] = member
                    enumerate(index + 1)
                }
            }
            enumerate(0)
        } else {
            for option in options {
                for member in option.members {
                    contents.insert(members.filter { runs($0, in: [option.group: member]) })
                }
            }
        }
        // The maximal worlds: a world inside another says nothing more.
        let candidates = contents.filter { CollisionRule.hasTwoServices($0, claims) }.sorted {
            $0.count != $1.count ? $0.count > $1.count : $0.lexicographicallyPrecedes($1)
        }
        var kept: [Set<Int>] = []
        var result: [[Int]] = []
        for candidate in candidates where !kept.contains(where: { $0.isSuperset(of: candidate) }) {
            kept.append(Set(candidate))
            result.append(candidate)
        }
        return result.sorted { $0.lexicographicallyPrecedes($1) }
    }
}
