import Testing
@testable import PortRegistryConfigScan
@testable import PortRegistryModel

@testable import PortRegistry

/// The pure parts of `check`: interpolation, port syntax, `.env`, YAML bounds and the sweep.
@Suite struct ComposeInterpolationTests {
    let interpolation = ComposeInterpolation(variables: ["SET": "8080", "EMPTY": "", "HOST": "127.0.0.1"])

    @Test(arguments: [
        ("${SET}:80", "8080:80"), ("$SET:80", "8080:80"), ("${EMPTY:-81}", "81"), ("${EMPTY-81}", ""),
        ("${UNSET-82}", "82"), ("${UNSET:-${SET}}", "8080"), ("${UNSET:-${ALSO:-83}}", "83"),
        ("${SET:+84}", "84"), ("${EMPTY:+84}", ""), ("${EMPTY+85}", "85"), ("$$SET", "$SET"),
        ("${HOST}:${SET}:80/udp", "127.0.0.1:8080:80/udp"), ("no variables", "no variables"),
        ("${SET:-${UNSET}}", "8080"),
    ])
    func expands(_ input: String, _ expected: String) throws {
        #expect(try interpolation.interpolate(input).text == expected)
    }

    @Test func reportsUnsetVariablesOnlyWhenUsed() throws {
        #expect(try interpolation.interpolate("${UNSET}:80").unset == ["UNSET"])
        #expect(try interpolation.interpolate("${SET:-${UNSET}}").unset == [])
        #expect(try interpolation.interpolate("${UNSET:-${ALSO}}").unset == ["ALSO"])
    }

    @Test func requiredVariables() throws {
        let result = try interpolation.interpolate("${PORT:?set PORT}:80")
        #expect(result.text == ":80")
        #expect(result.missingRequired == ["required variable PORT is missing a value: set PORT"])
        #expect(try interpolation.interpolate("${EMPTY?x}").missingRequired == [])
        #expect(try interpolation.interpolate("${EMPTY:?}").missingRequired.count == 1)
    }

    @Test(arguments: ["$", "80$", "${", "${SET", "${1X}", "${SET:x}", "$-1"])
    func refusesInvalidTemplates(_ input: String) {
        #expect(throws: ComposeInterpolation.InvalidTemplate.self) { try interpolation.interpolate(input) }
    }

    @Test func boundsNesting() {
        let deep = String(repeating: "${A:-", count: 10_000) + "1" + String(repeating: "}", count: 10_000)
        #expect(throws: ComposeInterpolation.InvalidTemplate.self) { try interpolation.interpolate(deep) }
    }
}

@Suite struct ComposePortSyntaxTests {
    typealias Mapping = ComposePortSyntax.Mapping

    @Test func shortSyntax() throws {
        let plain = try ComposePortSyntax.short("8080:80")
        #expect(plain.published == PortRange(port: 8080) && plain.target == PortRange(port: 80))
        #expect(plain.transport == .tcp && plain.bind == .wildcard && !plain.isDynamic)
        #expect(try ComposePortSyntax.short("80").published == nil)
        #expect(try ComposePortSyntax.short("127.0.0.1::80").published == nil)
        #expect(try ComposePortSyntax.short("0:80").published == nil)
        #expect(try ComposePortSyntax.short("53:53/UDP").transport == .udp)
        #expect(try ComposePortSyntax.short("[::1]:8080:80").bind.text == "::1")
        #expect(try ComposePortSyntax.short("::1:8080:80").bind.text == "::1")
        #expect(try ComposePortSyntax.short("0.0.0.0:8080:80").bind.kind == .anyIPv4)
        let range = try ComposePortSyntax.short("9000-9002:9000-9002")
        #expect(range.published == PortRange(low: 9000, high: 9002) && !range.isDynamic)
        let dynamic = try ComposePortSyntax.short("8000-8010:80")
        #expect(dynamic.published == PortRange(low: 8000, high: 8010) && dynamic.isDynamic)
    }

    @Test(arguments: [
        "", "abc:80", "80:abc", "8000-8001:80-82", "999.1.1.1:80:80", "70000:80", "80/quic", "[::1:80:80",
        "*:80:80", "80:0",
    ])
    func shortSyntaxErrors(_ text: String) {
        #expect(throws: ComposePortSyntax.Invalid.self) { try ComposePortSyntax.short(text) }
    }

    @Test func longSyntax() throws {
        let mapping = try ComposePortSyntax.long(
            target: "80", published: "8080", hostIP: "127.0.0.1", protocolName: "udp", mode: "host")
        #expect(
            mapping.published == PortRange(port: 8080) && mapping.transport == .udp && mapping.bind.text == "127.0.0.1")
        #expect(
            try ComposePortSyntax.long(target: "80", published: nil, hostIP: nil, protocolName: nil, mode: nil)
                .published == nil)
        #expect(
            try ComposePortSyntax.long(target: "80", published: "8000-8002", hostIP: nil, protocolName: nil, mode: nil)
                .isDynamic)
        #expect(throws: ComposePortSyntax.Invalid.self) {
            try ComposePortSyntax.long(target: nil, published: "80", hostIP: nil, protocolName: nil, mode: nil)
        }
        #expect(throws: ComposePortSyntax.Invalid.self) {
            try ComposePortSyntax.long(target: "80", published: "80", hostIP: nil, protocolName: nil, mode: "swarm")
        }
    }
}

@Suite struct EnvFileTests {
    @Test func readsComposeDotenv() {
        let file = EnvFile(
            text: """
                # comment
                A=1
                export B = 2
                C="quoted # not a comment\\n"
                D='${A} literal'
                E=${A}0 # comment
                F="multi
                line"
                G=
                not an assignment
                """)
        let values = file.variables
        #expect(values["A"] == "1" && values["B"] == "2")
        #expect(values["C"] == "quoted # not a comment\n")
        #expect(values["D"] == "${A} literal")
        #expect(values["E"] == "10")
        #expect(values["F"] == "multi\nline")
        #expect(values["G"] == "")
        #expect(file.entries.first { $0.key == "G" }?.line == 9)
    }
}

@Suite struct YAMLDocumentsTests {
    @Test func keepsLinesTagsAndMergeKeys() throws {
        let (documents, failure) = YAMLDocuments.parse(
            """
            base: &base
              a: 1
              b: 2
            derived:
              <<: *base
              b: 3
            ports: !reset []
            """)
        #expect(failure == nil)
        let root = try #require(documents.first)
        let derived = try #require(root.value("derived"))
        #expect(derived.value("a")?.text == "1" && derived.value("b")?.text == "3")
        #expect(derived.value("a")?.line == 2)
        #expect(root.value("ports")?.tagName == "!reset")
        #expect(root.value("derived")?.line == 5)
    }

    @Test func sexagesimalLooksLikeTextAsInYAML12() throws {
        let (documents, _) = YAMLDocuments.parse("ports:\n  - 22:22\n")
        #expect(documents.first?.value("ports")?.items.first?.text == "22:22")
    }

    @Test func refusesDuplicateKeysAndDeepNesting() {
        #expect(YAMLDocuments.parse("a: 1\na: 2\n").failure?.message.contains("duplicate key") == true)
        let deep = String(repeating: "[", count: 5_000) + String(repeating: "]", count: 5_000)
        #expect(YAMLDocuments.parse(deep).failure?.message.contains("nested deeper") == true)
    }

    @Test func aliasBombIsMeasuredNotExpanded() {
        var lines = ["a: &a [" + Array(repeating: "x", count: 10).joined(separator: ",") + "]"]
        var previous = "a"
        for name in ["b", "c", "d", "e", "f", "g", "h", "i", "j", "k", "l"] {
            lines.append(
                "\(name): &\(name) [" + Array(repeating: "*\(previous)", count: 10).joined(separator: ",") + "]")
            previous = name
        }
        let started = ContinuousClock.now
        let failure = YAMLDocuments.parse(lines.joined(separator: "\n")).failure
        #expect(failure?.message.contains("aliases expand past") == true)
        #expect(failure?.line == 6)
        #expect(ContinuousClock.now - started < .seconds(2))
    }

    /// Issue 15: building the tree was quadratic in one collection's size (each append copied
    /// the frame's array out of an enum payload): 50,000 items took 48 s. Linear, 20,000 take
    /// milliseconds; quadratic, seconds even in release.
    @Test func oneLongListAndOneWideMappingAreLinear() throws {
        let count = 20_000
        let list = "ports: [" + Array(repeating: "1", count: count).joined(separator: ",") + "]\n"
        let mapping = "data:\n" + (0..<count).map { "  key\($0): v\($0)" }.joined(separator: "\n") + "\n"
        let started = ContinuousClock.now
        let (lists, listFailure) = YAMLDocuments.parse(list)
        let (mappings, mappingFailure) = YAMLDocuments.parse(mapping)
        let elapsed = ContinuousClock.now - started
        #expect(listFailure == nil && mappingFailure == nil)
        #expect(lists.first?.value("ports")?.items.count == count)
        let data = try #require(mappings.first?.value("data"))
        #expect(data.pairs.count == count)
        // Lookups in a wide mapping go through its key index, and find the first entry's line.
        #expect(data.value("key19999")?.text == "v19999")
        #expect(data.value("key19999")?.line == 20_001)
        #expect(data.value("missing") == nil)
        #expect(elapsed < .seconds(3), "took \(elapsed)")
    }

    /// The key index of a wide mapping agrees with merge keys and duplicate-key refusal.
    @Test func wideMappingsKeepMergeKeysAndDuplicates() throws {
        let keys = (0..<40).map { "  k\($0): \($0)" }.joined(separator: "\n")
        let text = "base: &base\n  inherited: yes\n  k0: base\nwide:\n  <<: *base\n\(keys)\n"
        let (documents, failure) = YAMLDocuments.parse(text)
        #expect(failure == nil)
        let wide = try #require(documents.first?.value("wide"))
        #expect(wide.value("k0")?.text == "0")
        #expect(wide.value("k39")?.text == "39")
        #expect(wide.value("inherited")?.text == "yes")
        #expect(wide.value("<<") == nil)
        let duplicated = "m:\n" + keys + "\n  k7: again\n"
        #expect(YAMLDocuments.parse(duplicated).failure?.message.contains("duplicate key 'k7'") == true)
    }

    @Test func multipleDocuments() {
        let (documents, failure) = YAMLDocuments.parse("kind: A\n---\nkind: B\n---\n")
        #expect(failure == nil)
        #expect(documents.compactMap { $0.value("kind")?.text } == ["A", "B"])
    }
}

@Suite struct CollisionSweepTests {
    /// The sweep finds exactly the overlapping pairs a quadratic loop finds.
    @Test func sweepMatchesBruteForce() {
        var generator = SystemRandomNumberGenerator()
        for _ in 0..<50 {
            let ranges = (0..<Int.random(in: 1...60, using: &generator)).map { _ -> PortRange in
                let low = Int.random(in: 1...200, using: &generator)
                return PortRange(low: low, high: low + Int.random(in: 0...20, using: &generator))!
            }
            var swept = Set<[Int]>()
            PortSweep.overlappingPairs(ranges) { swept.insert([min($0, $1), max($0, $1)]) }
            var expected = Set<[Int]>()
            for i in ranges.indices {
                for j in ranges.indices where i < j && ranges[i].overlaps(ranges[j]) { expected.insert([i, j]) }
            }
            #expect(swept == expected)

            let others = Array(ranges.shuffled().prefix(10))
            var crossed = Set<[Int]>()
            PortSweep.overlappingPairs(ranges, others) { crossed.insert([$0, $1]) }
            var crossExpected = Set<[Int]>()
            for i in ranges.indices {
                for j in others.indices where ranges[i].overlaps(others[j]) { crossExpected.insert([i, j]) }
            }
            #expect(crossed == crossExpected)
        }
    }

    func port(_ name: String, _ ports: String, bind: String = "*", dynamic: Bool = false, line: Int = 1)
        -> PublishedPort
    {
        PublishedPort(
            name: name, identity: name, ports: PortRange(parsing: ports)!, bind: BindAddress(parsing: bind)!,
            location: SourceLocation(file: "f", line: line), isDynamic: dynamic, origin: .compose)
    }

    @Test func dynamicRangesCollideOnlyWhenCovered() {
        #expect(ConfigCheck.collisions([port("a", "8000-8010", dynamic: true), port("b", "8005")]).isEmpty)
        #expect(ConfigCheck.collisions([port("a", "8000-8010", dynamic: true), port("b", "8000-8010")]).count == 1)
        #expect(
            ConfigCheck.collisions([port("a", "8000-8010", dynamic: true), port("b", "8000-8010", dynamic: true)])
                .isEmpty)
    }

    /// Docker binds the lowest free port of a dynamic range; a range collides once no
    /// assignment of distinct free ports exists, whichever claims fill it.
    @Test func dynamicRangesCollideWhenExhausted() {
        // Two fixed claims fill a two-port range between them.
        let filled = ConfigCheck.collisions([
            port("a", "8000-8001", dynamic: true), port("b", "8000", line: 3), port("c", "8001", line: 2),
        ])
        #expect(filled.count == 1)
        #expect(filled.first?.places.count == 3)
        // Three dynamic claims on two ports: one is left without a port.
        let crowded = ConfigCheck.collisions([
            port("a", "8000-8001", dynamic: true), port("b", "8000-8001", dynamic: true, line: 2),
            port("c", "8000-8001", dynamic: true, line: 3),
        ])
        #expect(crowded.count == 1)
        // A matching exists (c takes 8002), whatever order Docker would start them in.
        #expect(
            ConfigCheck.collisions([
                port("c", "8000-8005", dynamic: true), port("a", "8000-8001", dynamic: true, line: 2),
                port("b", "8000-8001", dynamic: true, line: 3),
            ]).isEmpty)
        // Claims bound to distinct addresses do not compete.
        #expect(
            ConfigCheck.collisions([
                port("a", "8000", bind: "127.0.0.1"), port("b", "8000", bind: "127.0.0.2"),
                port("c", "8000-8000", bind: "127.0.0.2", dynamic: true),
            ]).count == 1)
        // Replicas each need a port of the range.
        var scaled = port("a", "8000-8001", dynamic: true)
        scaled.replicas = 3
        #expect(ConfigCheck.collisions([scaled]).count == 1)
        scaled.replicas = 2
        #expect(ConfigCheck.collisions([scaled]).isEmpty)
    }

    @Test func replicasOfAFixedPortCollide() {
        var scaled = port("a", "8080")
        scaled.replicas = 2
        scaled.replicasLocation = SourceLocation(file: "f", line: 9)
        let findings = ConfigCheck.collisions([scaled])
        #expect(findings.map(\.places.count) == [2])
        scaled.isIngress = true
        #expect(ConfigCheck.collisions([scaled]).isEmpty, "the routing mesh shares one published port")
    }

    @Test func bindAddressesFollowTheRule() {
        #expect(
            ConfigCheck.collisions([port("a", "80", bind: "127.0.0.1"), port("b", "80", bind: "127.0.0.2")]).isEmpty)
        #expect(ConfigCheck.collisions([port("a", "80", bind: "127.0.0.1"), port("b", "80")]).count == 1)
        #expect(ConfigCheck.collisions([port("a", "80", bind: "::1"), port("b", "80", bind: "0.0.0.0")]).isEmpty)
        #expect(ConfigCheck.collisions([port("a", "80"), port("a", "80", line: 2)]).isEmpty)
    }

    func member(_ name: String, project: String, profiles: [String] = [], line: Int) -> PublishedPort {
        var claim = port(name, "80", line: line)
        claim.identity = project + "/" + name
        claim.project = project
        claim.profiles = profiles
        return claim
    }

    /// One finding per collision: all claimants of one socket in one finding, in report order.
    @Test func oneSocketIsOneFinding() {
        let ports = (1...5).map { member("s\($0)", project: "p\($0)", line: 10 - $0) }
        let findings = ConfigCheck.collisions(ports)
        #expect(findings.count == 1)
        #expect(findings.first?.places.map(\.location.line) == [5, 6, 7, 8, 9])
        #expect(findings.first?.message == "s5, s4 and 3 others all publish 80/tcp")
    }

    /// Alternatives are not transitive: A and B (disjoint profiles) each collide with C, and
    /// that is one finding naming C first, then "one of" A and B (SPEC "Findings").
    @Test func alternativesSplitAGroup() {
        let a = member("a", project: "p", profiles: ["x"], line: 1)
        let b = member("b", project: "p", profiles: ["y"], line: 2)
        let c = member("c", project: "p", line: 3)
        let findings = ConfigCheck.collisions([a, b, c])
        #expect(findings.map { $0.places.compactMap(\.service) } == [["c", "a", "b"]])
        #expect(
            findings.first?.message
                == "c and one of a (profile x), b (profile y) (only one of them runs at a time) all publish 80/tcp")
        // Two projects with alternatives each: every cross pair, none within a project.
        let d = member("d", project: "q", profiles: ["x"], line: 4)
        let e = member("e", project: "q", profiles: ["y"], line: 5)
        let crossed = ConfigCheck.collisions([a, b, d, e]).map { $0.places.compactMap(\.service) }
        #expect(Set(crossed) == [["a", "d"], ["a", "e"], ["b", "d"], ["b", "e"]])
    }

    /// One warning per port entry: the same entry read in two variants warns once, and a
    /// published range is one warning, not one per port.
    @Test func oneWarningPerEntry() {
        var x = port("web", "49152-49156", line: 4)
        x.variant = "compose.x.yaml"
        var y = x
        y.variant = "compose.y.yaml"
        let scan = ConfigScanResult(ports: [x, y], findings: [], files: ["f"])
        let report = ConfigCheck.evaluate(scan, registry: RegistrySnapshot(), options: CheckOptions(paths: ["."]))
        #expect(report.findings.map(\.kind) == [.ephemeral])
    }

    @Test func tenThousandPortsSweepQuickly() {
        let ports = (0..<10_000).map { port("s\($0)", String(10_000 + $0)) }
        let started = ContinuousClock.now
        #expect(ConfigCheck.collisions(ports).isEmpty)
        #expect(ContinuousClock.now - started < .seconds(5))
    }
}

/// `# portreg: ignore` is a comment and a whole word (issue 15).
@Suite struct IgnoreCommentTests {
    @Test func yamlCommentsOnly() {
        let text = """
            a: "9100:80"   # portreg: ignore
            b: "9101:80 # portreg: ignore"
            c: '9102 # portreg: ignore'
            d: 9103 # portreg: ignored-by-mistake
            e: 9104 #portreg:ignore
            f: it's 9105 # portreg: ignore (on purpose)
            g: 9106# portreg: ignore
            h: 'it''s # portreg: ignore'
            - "x" # portreg: ignore_this
            i: "a \\" # portreg: ignore"
            """
        #expect(ConfigFile.ignoredLines(text) == [1, 5, 6])
    }

    @Test func shellComments() {
        let text = """
            web: serve --port 80 # portreg: ignore
            api: sh -c "serve --port 81 # portreg: ignore"
            PORT=82 # portreg: ignore.
            """
        #expect(ConfigFile.ignoredLines(text, syntax: .shell) == [1, 3])
    }
}

/// The contract with the judging side: variants of one project are alternatives, a variant
/// and the base are not, and nothing across projects is.
@Suite struct VariantAlternativesTests {
    func claim(_ project: String?, variant: String?, profiles: [String] = []) -> PublishedPort {
        var port = PublishedPort(
            name: "s", identity: "\(project ?? "")\(variant ?? "")", ports: PortRange(port: 80)!,
            location: SourceLocation(file: "f", line: 1), origin: .compose)
        port.project = project
        port.variant = variant
        port.profiles = profiles
        return port
    }

    @Test func variantsAreAlternativesNotTransitively() {
        let caddy = claim("p", variant: "compose.caddy.yaml")
        let nginx = claim("p", variant: "compose.nginx.yaml")
        let base = claim("p", variant: nil)
        #expect(ConfigCheck.areAlternatives(caddy, nginx))
        #expect(!ConfigCheck.areAlternatives(caddy, base))
        #expect(!ConfigCheck.areAlternatives(nginx, base))
        #expect(!ConfigCheck.areAlternatives(caddy, caddy))
        #expect(!ConfigCheck.areAlternatives(caddy, claim("q", variant: "compose.nginx.yaml")))
        #expect(
            ConfigCheck.areAlternatives(
                claim("p", variant: nil, profiles: ["a"]), claim("p", variant: nil, profiles: ["b"])))
    }
}

/// The per-file formats are registered in one place and each name goes to one of them.
@Suite struct ConfigFormatRegistryTests {
    @Test func namesRouteToOneFormat() {
        #expect(ConfigFormats.format(for: "deploy.yaml")?.name == "kubernetes")
        #expect(ConfigFormats.format(for: "Procfile.dev")?.name == "procfile")
        #expect(ConfigFormats.format(for: ".env")?.name == "env")
        #expect(ConfigFormats.format(for: "ports.csv")?.name == "registry-csv")
        #expect(ConfigFormats.format(for: "README.md") == nil)
        let names = ConfigFormats.perFile.map(\.name)
        #expect(Set(names).count == names.count, "one key per format")
    }
}
