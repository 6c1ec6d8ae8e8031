import PortregTestSupport
import Testing
@testable import PortRegistryFormats

@testable import PortRegistry

@Suite struct SHA256Tests {
    /// FIPS 180-4 / NIST example vectors.
    @Test(arguments: [
        ("", "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"),
        ("abc", "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"),
        (
            "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq",
            "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1"
        ),
        (
            "abcdefghbcdefghicdefghijdefghijkefghijklfghijklmghijklmnhijklmnoijklmnopjklmnopqklmnopqrlmnopqrsmnopqrstnopqrstu",
            "cf5b16a778af8380036ce59e7b0492370b249b11e8f07a51afac45037afee9d1"
        ),
    ])
    func standardVectors(message: String, digest: String) {
        var hasher = SHA256()
        hasher.update(message.utf8)
        #expect(hasher.finalize() == digest)
    }

    @Test func aMillionAs() {
        let chunk = [UInt8](repeating: UInt8(ascii: "a"), count: 1000)
        var hasher = SHA256()
        for _ in 0..<1000 { chunk.withUnsafeBytes { hasher.update($0) } }
        #expect(hasher.finalize() == "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0")
    }

    /// Every split of a message across two updates, around the block and padding boundaries
    /// (55/56 bytes: the length still fits in the last block or does not).
    @Test func incrementalUpdatesMatchOneShot() {
        for length in [0, 1, 55, 56, 63, 64, 65, 119, 120, 128, 200] {
            let bytes = (0..<length).map { UInt8(truncatingIfNeeded: $0 &* 31 &+ 7) }
            var whole = SHA256()
            whole.update(bytes)
            let expected = whole.finalize()
            for split in 0...length {
                var parts = SHA256()
                bytes[..<split].withUnsafeBytes { parts.update($0) }
                parts.update(bytes[split...])
                #expect(parts.finalize() == expected, "length \(length), split \(split)")
            }
        }
    }

    @Test func nonContiguousSequence() {
        var hasher = SHA256()
        hasher.update((0..<3).lazy.map { UInt8(ascii: "a") + UInt8($0) })
        #expect(hasher.finalize() == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
    }

    /// The digest of the 1.15 MB IANA file, computed chunk by chunk while parsing it, is checked
    /// in CSVReaderTests.realIANAFile; this one is a different file, hashed in one update.
    @Test(.enabled(if: SharedData.isAvailable, SharedData.skipMessage))
    func realServicesFile() throws {
        var hasher = SHA256()
        hasher.update(try SharedData.bytes(SharedData.services))
        #expect(hasher.finalize() == "f6183055fd949f9c53d49ee620f85d0150123ea691d25ed1bba0c641b4ee2f48")
    }
}
