import Testing
@testable import PortRegistry
@testable import PortRegistryCatalog
@testable import PortRegistryModel

/// `portreg import` tells the kind of a file from its head, in the library (so that the
/// executable only picks the use case).
@Suite struct ImportFormatTests {
    @Test func theHeaderNamesTheFormat() throws {
        let registry = "service,port,protocol,host,bind,owner,note,created_at,expires_at\nweb,8080,tcp,*,*,,,,\n"
        #expect(try ImportFormat.of(head: registry, file: "r.csv", source: nil) == .assignments)
        let iana = "Service Name,Port Number,Transport Protocol,Description\nhttp,80,tcp,World Wide Web\n"
        #expect(try ImportFormat.of(head: iana, file: "i.csv", source: nil) == .catalog(.iana))
        #expect(try ImportFormat.of(head: iana, file: "i.csv", source: .common) == .catalog(.common))
        #expect(try ImportFormat.of(head: "http 80/tcp www\n", file: "services", source: nil) == .services)
    }

    @Test func anUnknownFileIsADataErrorAtLineOne() {
        let error = #expect(throws: RegistryError.self) {
            _ = try ImportFormat.of(head: "hello world\n", file: "notes.txt", source: nil)
        }
        #expect(error?.kind == .dataFormat)
        #expect(error?.message.contains("not a known format") == true)
    }

    @Test func systemIsNotASourceForAnIANAFile() {
        let iana = "Service Name,Port Number,Transport Protocol,Description\nhttp,80,tcp,World Wide Web\n"
        let error = #expect(throws: RegistryError.self) {
            _ = try ImportFormat.of(head: iana, file: "i.csv", source: .system)
        }
        #expect(error?.kind == .usage)
    }
}
