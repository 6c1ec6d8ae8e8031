import PortRegistryCatalog
import Testing
@testable import PortRegistry
@testable import PortRegistryMap
@testable import PortRegistryModel

@testable import PortRegistry

/// The port map's value model, its two renderings, and the input the front door reads for it.
@Suite struct PortMapTests {
    func claim(_ service: String, _ low: Int, _ high: Int? = nil, owner: String = "", id: Int? = nil) -> Assignment {
        Assignment(id: id, service: service, ports: portRange(low, high), owner: owner)
    }

    @Test func blocksCountEachKindOfPortOnce() {
        let input = PortMapInput(
            assignments: [claim("web", 8080, owner: "b"), claim("grpc", 9000, 9019, owner: "a")],
            // Overlapping catalog spans count each port once.
            registered: [portRange(8000, 8009), portRange(8005, 8014), portRange(1000, 1030)],
            ephemeral: portRange(8010, 8100))
        let map = PortMap(input, range: portRange(0, 9999), blockSize: 10)
        #expect(map.blocks.count == 1000)
        #expect(map.blocks[0].system == 10 && map.blocks[102].system == 4 && map.blocks[103].system == 0)
        #expect(map.blocks[100].registered == 10 && map.blocks[101].registered == 10)
        #expect(map.blocks[102].registered == 10 && map.blocks[103].registered == 1)
        #expect(map.blocks[800].registered == 10 && map.blocks[801].registered == 5 && map.blocks[802].registered == 0)
        #expect(map.blocks[801].ephemeral == 10 && map.blocks[810].ephemeral == 1 && map.blocks[811].ephemeral == 0)
        #expect(map.blocks[808].assigned == 1 && map.blocks[900].assigned == 10 && map.blocks[901].assigned == 10)
        #expect(map.owners == ["a", "b"], "sorted, so colours stay put")
        #expect(map.claims.map(\.assignment.service) == ["web", "grpc"])
        #expect(map.blocks[900].claims == [1] && map.blocks[808].claims == [0])
        #expect(map.claims[0].owner == 1 && map.claims[1].owner == 0)
    }

    @Test func aRangeNotOnABlockBoundaryClipsTheFirstAndLastBlocks() {
        let map = PortMap(PortMapInput(assignments: [], registered: []), range: portRange(8005, 8024), blockSize: 10)
        #expect(map.blocks.map(\.ports) == [portRange(8005, 8009), portRange(8010, 8019), portRange(8020, 8024)])
    }

    @Test func collisionsMarkBothClaims() {
        let a = claim("billing", 8080, owner: "pay", id: 1)
        let b = claim("shop", 8080, id: 2)
        let map = PortMap(
            PortMapInput(
                assignments: [a, b, claim("ok", 9000, id: 3)], registered: [],
                collisions: [Collision(first: a, second: b)]), blockSize: 100)
        #expect(map.claims.filter(\.colliding).map(\.assignment.service).sorted() == ["billing", "shop"])
        #expect(map.claims.first { $0.assignment.service == "billing" }?.collidesWith == ["shop"])
        #expect(map.blocks[80].colliding == 1 && map.blocks[90].colliding == 0)
        #expect(map.owners == ["pay", ""], "no owner sorts last")
    }

    @Test func roundStepsAreOneTwoFive() {
        #expect([0, 1, 2, 3, 6, 11, 1928, 2001].map(PortMap.roundStep) == [1, 1, 2, 5, 10, 20, 2000, 5000])
    }

    @Test func theWholeSpaceTakesThirtyThreeRowsOfTwoThousandPorts() {
        #expect(PortMapSVG.layout(for: .all) == (rowSpan: 2000, blockSize: 20))
        #expect(PortMapSVG.layout(for: portRange(8000, 8999)) == (rowSpan: 50, blockSize: 1))
        #expect(PortMapText.layout(for: .all, width: 80) == (perLine: 50, blockSize: 50))
        #expect(PortMapText.layout(for: .all, width: 200) == (perLine: 100, blockSize: 50))
    }

    /// The map's text follows the terminal rule of every other text shown to a person:
    /// bidirectional marks and invisible characters are shown, as `?`, like controls.
    @Test func mapTextShowsBidirectionalMarksAndInvisiblesAsQuestionMarks() {
        #expect(PortMapText.sanitize("team\u{202E}yap a\u{200F}b c\u{200B}d e\u{1B}f") == "team?yap a?b c?d e?f")
        #expect(PortMapText.sanitize("plain ünïcode") == "plain ünïcode")
    }

    @Test func svgTextIsEscapedAndControlCharactersDropped() {
        #expect(PortMapSVG.escape("a<b>&\"c\"'d'") == "a&lt;b&gt;&amp;&quot;c&quot;&apos;d&apos;")
        #expect(PortMapSVG.escape("x\u{1B}[31my\u{7}\nz\u{85}") == "x[31my z")
        let svg = PortMapSVG.render(
            PortMapInput(
                assignments: [claim("web", 8080, owner: "<script>alert(1)</script>\u{1B}")], registered: [],
                source: "/tmp/a&b.db"))
        #expect(!svg.contains("<script"))
        #expect(svg.contains("&lt;script&gt;alert(1)&lt;/script&gt;"))
        #expect(svg.contains("registry /tmp/a&amp;b.db"))
        #expect(!svg.unicodeScalars.contains { $0.value < 0x20 && $0 != "\n" })
    }

    @Test func svgDrawsEveryClaimWithATooltipAndCollisionsInRed() {
        let a = claim("billing", 8080, owner: "pay", id: 1)
        let b = claim("shop", 8080, owner: "shop", id: 2)
        let svg = PortMapSVG.render(
            PortMapInput(
                assignments: [a, b, claim("grpc", 20000, 20999, owner: "pay", id: 3)], registered: [portRange(8000)],
                collisions: [Collision(first: a, second: b)], ephemeral: portRange(32768, 60999)))
        #expect(svg.components("<rect class=\"claim\"") == 3)
        #expect(svg.contains("<title>billing 8080/tcp · owner pay · COLLIDES with shop</title>"))
        #expect(svg.contains("<title>grpc 20000-20999/tcp · owner pay</title>"))
        #expect(svg.components("fill=\"\(PortMapSVG.collisionColour)\" stroke=\"#7a0c0c\" stroke-width=\"1.5\"") == 2)
        #expect(svg.contains(">grpc</text>"), "a wide claim carries its name")
        #expect(svg.contains("ephemeral range 32768–60999"))
        #expect(!svg.contains("<script") && !svg.contains("href") && !svg.contains("@import"))
    }

    @Test(arguments: [20, 40, 60, 80, 132, 300])
    func terminalLinesFitTheWidth(_ width: Int) {
        let input = PortMapInput(
            assignments: (0..<40).map {
                claim("service-with-a-long-name-\($0)", 8000 + $0 * 3, owner: "team-\($0 % 7)")
            },
            registered: [portRange(1, 5000)], ephemeral: portRange(32768, 60999),
            source: "/a/very/long/path/to/the/registry/database/file/that/goes/on/registry.db",
            date: "2026-12-01T09:00:00Z")
        for colour in [false, true] {
            let text = PortMapText.render(input, width: width, colour: colour)
            for line in text.split(separator: "\n") {
                let visible = PortMapTests.strippingEscapes(String(line))
                #expect(visible.count <= width, "\(visible.count) > \(width): \(visible)")
            }
            #expect(text.contains("\u{1B}[") == colour)
        }
    }

    @Test func terminalShowsOwnersAsLettersAndCollisionsWithoutColour() {
        let a = claim("billing", 8080, owner: "pay", id: 1)
        let b = claim("shop", 8080, owner: "web", id: 2)
        let text = PortMapText.render(
            PortMapInput(
                assignments: [a, b, claim("grpc", 20000, 20999, owner: "pay", id: 3)], registered: [],
                collisions: [Collision(first: a, second: b)]), width: 80)
        let lines = text.split(separator: "\n").map(String.init)
        #expect(lines.contains { $0.hasPrefix(" 7500 ") && $0.contains("!") && $0.contains("billing!, shop!") })
        #expect(lines.contains { $0.hasPrefix("20000 AAAAAAAAAAAAAAAAAAAA·") && $0.hasSuffix("  grpc") })
        #expect(lines.contains { $0.contains("A pay") && $0.contains("B web") })
    }

    static func strippingEscapes(_ text: String) -> String {
        var out = ""
        var escaping = false
        for character in text {
            if escaping {
                if character == "m" { escaping = false }
            } else if character == "\u{1B}" {
                escaping = true
            } else {
                out.append(character)
            }
        }
        return out
    }

    @Test(arguments: Backing.allCases)
    func theInputIsReadFromTheRegistry(_ backing: Backing) throws {
        try withDatabasePath(backing) { path in
            let registry = try Registry.open(path: path)
            try recordAssignments(
                [claim("billing", 8080, owner: "pay"), claim("shop", 8080), claim("far", 40000)], in: registry)
            let input = try registry.mapInput(range: portRange(8000, 8999), ephemeral: nil)
            #expect(input.assignments.map(\.service).sorted() == ["billing", "shop"])
            #expect(input.collisions.count == 1)
            #expect(input.registered.contains(portRange(8080)), "the seed registers http-alt")
            #expect(input.registered.allSatisfy { $0.overlaps(portRange(8000, 8999)) })
            #expect(input.source == path && Timestamp.isValid(input.date))
            #expect(input.catalog.map(\.source).contains(.common))
        }
    }
}

extension String {
    func components(_ separator: String) -> Int {
        split(separator: separator, omittingEmptySubsequences: false).count - 1
    }
}
