import PortregTestSupport
import Testing
@testable import PortRegistryConfigScan
@testable import PortRegistryModel

/// `.portreg.yaml`'s keys of issue 20 (`alternatives`, `stacks`, `env-file`), read and
/// validated (64 with file and line), and handed to the loader and the judge as plain values
/// of `CheckOptions`; and the specificity rule of `hosts`.
@Suite struct CheckConfigTests {
    func read(_ text: String) throws -> (CheckConfig, String) {
        let directory = try TemporaryDirectory()
        let file = directory.path + "/.portreg.yaml"
        try FileSystem.write(Array(text.utf8), to: file)
        return (try CheckConfig.read(file), directory.path)
    }

    func refusal(_ text: String) -> RegistryError? {
        do {
            _ = try read(text)
            return nil
        } catch let error as RegistryError { return error } catch { return nil }
    }

    @Test func readsTheDeploymentKeys() throws {
        let (config, root) = try read(
            """
            alternatives: [["single-node", "multi-node"], ["examples/*"]]
            stacks:
              prod: ["deploy/compose.yml", "deploy/compose.prod.yml"]
              dev: deploy/compose.dev.yml
            env-file: {media: docker-compose.env, "tools/a": "../shared.env"}

            """)
        #expect(config.alternatives == [["single-node", "multi-node"], ["examples/*"]])
        #expect(
            config.stacks == [
                "prod": ["deploy/compose.yml", "deploy/compose.prod.yml"], "dev": ["deploy/compose.dev.yml"],
            ])
        #expect(config.envFiles == ["media": "docker-compose.env", "tools/a": "../shared.env"])
        var options = CheckOptions(paths: [root])
        config.apply(to: &options)
        #expect(options.alternativeGroups == config.alternatives)
        #expect(options.stacks == config.stacks)
        #expect(options.projectEnvFiles == config.envFiles)
        #expect(options.configRoot == root)
    }

    @Test(arguments: [
        ("alternatives: single-node\n", 1, "alternatives"),
        ("alternatives: [single-node]\n", 1, "alternatives"),
        ("alternatives:\n  - [a, b]\n  - []\n", 3, "alternatives"),
        ("alternatives:\n  - [a, {x: 1}]\n", 2, "alternatives"),
        ("stacks: [a]\n", 1, "stacks"),
        ("stacks:\n  prod: []\n", 2, "stacks"),
        ("stacks:\n  prod: [/etc/compose.yml]\n", 2, "inside the tree"),
        ("stacks:\n  prod: [../../x/compose.yml]\n", 2, "inside the tree"),
        ("env-file: x.env\n", 1, "env-file"),
        ("env-file:\n  media: [a]\n", 2, "env-file"),
        ("env-file:\n  media: /proc/self/environ\n", 2, "inside the tree"),
        ("env-file:\n  media: ../../secret.env\n", 2, "inside the tree"),
    ])
    func refusesBadValues(_ text: String, _ line: Int, _ fragment: String) throws {
        let error = try #require(refusal(text))
        #expect(error.kind == .usage)
        #expect(error.location?.line == line, "\(error)")
        #expect(error.message.contains(fragment), "\(error)")
        #expect(error.location?.file.hasSuffix(".portreg.yaml") == true)
    }

    @Test func alternativeMembership() throws {
        let directory = try TemporaryDirectory()
        var options = CheckOptions(paths: [directory.path + "/r"])
        options.configRoot = directory.path + "/r"
        options.alternativeGroups = [["single-node", "multi-node"], ["examples/*"]]
        let root = directory.path + "/r/"
        #expect(options.alternative(of: root + "single-node/compose.yaml")?.group == 0)
        #expect(options.alternative(of: root + "single-node/compose.yaml")?.member == "single-node")
        #expect(options.alternative(of: root + "multi-node/sub/compose.yaml")?.member == "multi-node")
        #expect(options.alternative(of: root + "examples/a/compose.yaml")?.group == 1)
        #expect(options.alternative(of: root + "examples/a/compose.yaml")?.member == "examples/a")
        #expect(options.alternative(of: root + "examples/b/x/compose.yaml")?.member == "examples/b")
        #expect(options.alternative(of: root + "other/compose.yaml") == nil)
    }

    @Test func specificity() {
        #expect(CheckConfig.specificity("dns/compose2.yaml") > CheckConfig.specificity("**"))
        #expect(CheckConfig.specificity("dns/compose2.yaml") > CheckConfig.specificity("dns/compose*.yaml"))
        #expect(CheckConfig.specificity("media/**") > CheckConfig.specificity("m*"))
        #expect(CheckConfig.specificity("a/*") == CheckConfig.specificity("a?b"))
    }
}
