import Foundation
import PortregTestSupport
import Testing

/// The executable sees the front door, never storage: a file that imports only
/// `PortRegistry` cannot reach the connection behind a `Registry`. Checked by type-checking
/// such a file against the modules of this build, as the executable's files are compiled.
@Suite struct FrontDoorAccessTests {
    /// swiftc, this build's module folder and the package name its files were compiled with.
    struct Compiler {
        let swiftc: String
        let modules: String
        let packageName: String

        static let current: Compiler? = {
            let swiftc = ["/opt/swift/usr/bin/swiftc", "/usr/bin/swiftc"].first {
                FileManager.default.isExecutableFile(atPath: $0)
            }
            let build = Repository.root + "/.build"
            let triples = (try? FileManager.default.contentsOfDirectory(atPath: build)) ?? []
            let modules = triples.sorted().map { "\(build)/\($0)/debug/Modules" }.first {
                FileManager.default.fileExists(atPath: $0 + "/PortRegistry.swiftmodule")
            }
            // The package name SwiftPM passes to this package's own modules.
            let description = (try? String(contentsOfFile: build + "/debug.yaml", encoding: .utf8)) ?? ""
            let names = description.components(separatedBy: "\"-package-name\",\"").dropFirst().compactMap {
                $0.split(separator: "\"").first.map(String.init)
            }
            guard let swiftc, let modules, let name = names.first(where: { $0 != "swift_argument_parser" }) else {
                return nil
            }
            return Compiler(swiftc: swiftc, modules: modules, packageName: name)
        }()

        /// Type-checks `source` as a file of the executable would be; the compiler's errors, or nil.
        func errors(typeChecking source: String) throws -> String? {
            let directory = try TemporaryDirectory(prefix: "portreg-access")
            let file = directory.path + "/snippet.swift"
            try source.write(toFile: file, atomically: true, encoding: .utf8)
            var arguments = ["-typecheck", "-package-name", packageName, "-I", modules]
            for library in ["CSQLite", "CLibPQ", "CYAML"] {
                arguments += ["-Xcc", "-fmodule-map-file=\(Repository.root)/Sources/\(library)/module.modulemap"]
            }
            let process = Process()
            process.executableURL = URL(fileURLWithPath: swiftc)
            process.arguments = arguments + [file]
            let errors = Pipe()
            process.standardError = errors
            process.standardOutput = FileHandle.nullDevice
            try process.run()
            let text = String(decoding: errors.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
            process.waitUntilExit()
            return process.terminationStatus == 0 ? nil : text
        }
    }

    @Test(.enabled(if: Compiler.current != nil, "no swiftc or no debug build of PortRegistry to type-check against"))
    func theExecutableCannotReachTheDatabaseThroughTheFrontDoor() throws {
        let compiler = try #require(Compiler.current)
        // The control: a front-door member type-checks, so a failure below is the access rule.
        #expect(
            try compiler.errors(
                typeChecking: "import PortRegistry\nfunc f(_ registry: Registry) -> Bool { registry.isReadOnly }\n")
                == nil)
        let errors = try compiler.errors(
            typeChecking: """
                import PortRegistry
                func f(_ registry: Registry) throws { try registry.database.execute("DELETE FROM assignment") }

                """)
        #expect(
            errors?.contains("'database' is inaccessible due to 'internal' protection level") == true, "\(errors ?? "")"
        )
    }
}
