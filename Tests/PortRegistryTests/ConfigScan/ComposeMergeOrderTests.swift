import Testing
@testable import PortRegistryConfigScan

@testable import PortRegistry

/// SPEC: every Compose file of a folder is one project; the merge order is fixed so that
/// `!reset`/`!override` give the same answer on every machine.
@Suite struct ComposeMergeOrderTests {
    @Test func mainFilesThenTheDefaultOverrideThenTheRestByName() {
        let names = [
            "compose.prod.yaml", "docker-compose.yml", "compose.override.yaml", "compose.caddy.yaml",
            "compose.yaml", "docker-compose.override.yml", "docker-compose.dev.yml",
        ]
        #expect(
            Discovery.mergeOrder(names) == [
                "compose.yaml", "docker-compose.yml", "compose.override.yaml", "docker-compose.override.yml",
                "compose.caddy.yaml", "compose.prod.yaml", "docker-compose.dev.yml",
            ])
        #expect(Discovery.mergeOrder(names.reversed()) == Discovery.mergeOrder(names), "whatever readdir says")
    }

    @Test func overridesAloneAreStillOneProject() {
        #expect(Discovery.mergeOrder(["compose.b.yaml", "compose.a.yaml"]) == ["compose.a.yaml", "compose.b.yaml"])
    }
}
