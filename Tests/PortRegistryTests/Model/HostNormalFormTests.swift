import Testing
@testable import PortRegistryModel

@testable import PortRegistry

/// Hosts that differ only in Unicode normal form are one host: SQL compares bytes and Swift
/// compares canonical equivalence, so the stored name must be one normal form (NFC).
@Suite struct HostNormalFormTests {
    @Test(arguments: [
        ("\u{00FC}-prod", "u\u{0308}-prod"),
        ("\u{00DC}-PROD", "u\u{0308}-prod"),
        ("U\u{0308}-Prod", "\u{00FC}-prod"),
        ("\u{212B}ngstr\u{00F6}m", "a\u{030A}ngstro\u{0308}m"),  // ANGSTROM SIGN, decomposed
        ("\u{D55C}", "\u{1112}\u{1161}\u{11AB}"),  // Hangul syllable and its jamo
    ])
    func canonicallyEquivalentNamesAreOneNameByteForByte(_ a: String, _ b: String) throws {
        let first = try #require(HostScope(parsing: a))
        let second = try #require(HostScope(parsing: b))
        #expect(Array(first.name.utf8) == Array(second.name.utf8))
        #expect(first == second)
        #expect(first.overlaps(second))
    }

    @Test func asciiNamesAreKeptOrLowercased() throws {
        #expect(try #require(HostScope(parsing: "web-01")).name == "web-01")
        #expect(try #require(HostScope(parsing: "Web-01")).name == "web-01")
    }

    @Test func theStoredFormIsNFC() throws {
        let host = try #require(HostScope(parsing: "u\u{0308}-prod"))
        #expect(Array(host.name.utf8) == Array("\u{00FC}-prod".utf8))
    }

    /// Found by fuzzing: 251 letters and "İ" are 253 bytes, but lowercased 254, a name that
    /// did not parse back (a stored host read back as `*`).
    @Test(arguments: [
        String(repeating: "a", count: 249) + "\u{130}", String(repeating: "c", count: 250) + "\u{130}", "Web-01",
        "u\u{0308}-prod", "\u{130}STANBUL",
    ])
    func aStoredNameAlwaysParsesBackToItself(_ raw: String) throws {
        let host = try #require(HostScope(parsing: raw), "\(raw.utf8.count) bytes")
        #expect(HostScope(parsing: host.name) == host)
        #expect(host.name.utf8.count <= 253)
    }

    @Test(arguments: [String(repeating: "a", count: 251) + "\u{130}", String(repeating: "b", count: 252) + "\u{130}"])
    func aNameOver253BytesOnceLowercasedIsRefused(_ raw: String) {
        #expect(HostScope(parsing: raw) == nil, "\(raw.lowercased().utf8.count) bytes once lowercased")
    }
}
