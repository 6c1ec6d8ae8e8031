import Testing

@testable import PortRegistryConfigScan
@testable import PortRegistryModel

/// SPEC, "Procfiles": the processes of one Procfile run together; the Procfiles of one folder
/// are alternatives (a process manager runs one).
@Suite struct ProcfileAlternativesTests {
    @Test func procfilesOfOneFolderAreAlternatives() throws {
        let tree = try ClusterTree([
            "app/Procfile": "web: bundle exec puma -p 3000\n",
            "app/Procfile.dev": "web: bin/rails server -p 3000\ncss: bin/rails tailwindcss:watch\n",
            "app/Procfile.dev-static-assets": "web: bin/rails server -p 3000\n",
        ])
        #expect(try tree.collisions().isEmpty)
    }

    @Test func processesOfOneProcfileRunTogether() throws {
        let tree = try ClusterTree([
            "app/Procfile": "web: bundle exec puma -p 3000\n",
            "app/Procfile.dev": "web: bin/rails server -p 3000\nvite: bin/vite dev --port 3000\n",
        ])
        let findings = try tree.collisions()
        try #require(findings.count == 1)
        #expect(findings[0].places.allSatisfy { $0.location.file.hasSuffix("Procfile.dev") })
    }

    @Test func procfilesOfTwoFoldersRunSideBySide() throws {
        let tree = try ClusterTree([
            "app/Procfile.dev": "web: bin/rails server -p 3000\n",
            "docs/Procfile": "web: mkdocs serve --port=3000\n",
        ])
        #expect(try tree.collisions().count == 1)
    }
}
