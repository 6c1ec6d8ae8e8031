import Foundation
import PackagePlugin

/// Declares every migration and seed file as an input, so that editing one rebuilds the
/// embedded copy. A file added or removed is noticed once Package.swift is touched; the
/// test `EmbeddedFilesTests` fails until then.
@main
struct EmbedFilesPlugin: BuildToolPlugin {
    func createBuildCommands(context: PluginContext, target: Target) throws -> [Command] {
        let root = context.package.directoryURL
        var inputs: [URL] = []
        for (folder, suffix) in [("Migrations", ".sql"), ("Migrations/postgres", ".sql"), ("Seeds", ".csv")] {
            let directory = root.appending(path: folder)
            let names = try FileManager.default.contentsOfDirectory(atPath: directory.path)
                .filter { $0.hasSuffix(suffix) }
                .sorted()
            inputs += names.map { directory.appending(path: $0) }
        }
        let output = context.pluginWorkDirectoryURL.appending(path: "EmbeddedFiles.swift")
        return [
            .buildCommand(
                displayName: "Embedding \(inputs.count) migration and seed files",
                executable: try context.tool(named: "EmbedFiles").url,
                arguments: [output.path] + inputs.map(\.path),
                inputFiles: inputs,
                outputFiles: [output]
            )
        ]
    }
}
