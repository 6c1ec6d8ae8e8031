import Foundation
import PackagePlugin

/// Declares the migration or seed files of the target's layer as inputs, so that editing one
/// rebuilds the embedded copy: Storage embeds Migrations/*.sql, PostgreSQL Migrations/postgres/*.sql,
/// Catalog Seeds/*.csv. A file added or removed is noticed once Package.swift is touched; the
/// test `EmbeddedFilesTests` fails until then.
@main
struct EmbedFilesPlugin: BuildToolPlugin {
    func createBuildCommands(context: PluginContext, target: Target) throws -> [Command] {
        let root = context.package.directoryURL
        var inputs: [URL] = []
        let folders: [(String, String)] =
            switch target.name {
            case "PortRegistryStorage": [("Migrations", ".sql")]
            case "PortRegistryPostgreSQL": [("Migrations/postgres", ".sql")]
            case "PortRegistryCatalog": [("Seeds", ".csv")]
            default: throw PluginError.nothingToEmbed(target.name)
            }
        for (folder, suffix) in folders {
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

enum PluginError: Error, CustomStringConvertible {
    case nothingToEmbed(String)
    var description: String {
        switch self {
        case .nothingToEmbed(let name): "EmbedFilesPlugin: target \(name) embeds no files; see Plugins/EmbedFilesPlugin"
        }
    }
}
