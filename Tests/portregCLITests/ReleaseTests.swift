import Foundation
import PortregTestSupport
import Testing

/// What a release promises a newcomer (issue 21): one list of build packages everywhere a
/// recipe names it, a build that needs no libpq header, one version everywhere it is set.
@Suite struct ReleaseTests {
    static func text(_ path: String) throws -> String {
        try String(contentsOfFile: Repository.root + "/" + path, encoding: .utf8)
    }

    /// packaging/deb/control's Build-Depends, as a space-separated list.
    static func buildPackages() throws -> String {
        let control = try text("packaging/deb/control")
        let line = try #require(control.split(separator: "\n").first { $0.hasPrefix("Build-Depends: ") })
        return line.dropFirst("Build-Depends: ".count).split(separator: ",").map {
            $0.trimmingCharacters(in: .whitespaces)
        }.joined(separator: " ")
    }

    /// Every `apt-get install` of a build recipe (README, docs/ci.md, .pre-commit-hooks.yaml)
    /// installs the Build-Depends list, and no file asks for libpq-dev.
    @Test func everyRecipeNamesTheBuildPackages() throws {
        let packages = try Self.buildPackages()
        #expect(packages == "libsqlite3-dev libyaml-dev pkg-config")
        for file in ["README.md", "docs/ci.md", ".pre-commit-hooks.yaml"] {
            let text = try Self.text(file)
            // A recipe line that installs libsqlite3-dev installs the whole list, in its order.
            let flattened = text.replacingOccurrences(of: "\n# ", with: " ").replacingOccurrences(of: "\n", with: " ")
            var searched = flattened[...]
            var recipes = 0
            while let found = searched.range(of: "install -y ") {
                let rest = searched[found.upperBound...].replacingOccurrences(of: "-qq ", with: "")
                #expect(!rest.prefix(80).contains("libpq-dev"), "\(file) installs libpq-dev: \(rest.prefix(80))")
                if rest.hasPrefix("libsqlite3-dev") {
                    recipes += 1
                    #expect(rest.hasPrefix(packages), "\(file): \(rest.prefix(60))")
                }
                searched = searched[found.upperBound...]
            }
            #expect(recipes > 0, "\(file) has no recipe that installs the build packages")
        }
    }

    /// Sources/CLibPQ includes no header of libpq's (libpq-fe.h, postgres_ext.h): the build
    /// needs no libpq-dev; shim.h declares the part of the API portreg calls.
    @Test func libpqShimIncludesNoLibpqHeader() throws {
        for file in ["Sources/CLibPQ/shim.h", "Sources/CLibPQ/module.modulemap"] {
            let includes = try Self.text(file).split(separator: "\n").filter {
                $0.hasPrefix("#include") || $0.contains("__has_include") || $0.contains("link ")
            }
            #expect(
                includes.allSatisfy { $0 == "#include <dlfcn.h>" || $0 == "#include <stddef.h>" },
                "\(file): \(includes)")
        }
    }

    /// The version the binary says is the CHANGELOG's newest release, and the revision the
    /// docs pin (`rev: vX.Y.Z`, `@vX.Y.Z`) is that release's tag.
    @Test func oneVersionEverywhere() throws {
        let source = try Self.text("Sources/portreg/Portreg.swift")
        let version = try #require(source.firstMatch(of: /version: "([0-9]+\.[0-9]+\.[0-9]+) \(/)?.1)
        let changelog = try Self.text("CHANGELOG.md")
        let released = try #require(changelog.firstMatch(of: #/\n## ([0-9]+\.[0-9]+\.[0-9]+) /#)?.1)
        #expect(released == version, "CHANGELOG's newest release \(released), the binary \(version)")
        for file in ["docs/ci.md", "README.md", "action.yml", "scripts/github-action.sh"] {
            let text = try Self.text(file)
            for match in text.matches(of: /(?:rev: |portreg@)v([0-9]+\.[0-9]+\.[0-9]+)/) {
                #expect(match.1 == version, "\(file) names v\(match.1), the release is \(version)")
            }
        }
    }
}
