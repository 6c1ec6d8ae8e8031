import Foundation
import PackagePlugin

/// Names the commit the package is built from (`BuildCommit.description`), for `--version`,
/// SARIF and `doctor`. The tool reads the git directory's files itself; the inputs declared
/// here are the ones git rewrites whenever HEAD moves (HEAD, and its reflog on every commit,
/// checkout, reset or merge), so a new commit rebuilds the name. Only files that exist are
/// declared: a missing declared input would fail the build. See docs/DECISIONS.md.
@main
struct BuildCommitPlugin: BuildToolPlugin {
    func createBuildCommands(context: PluginContext, target: Target) throws -> [Command] {
        let output = context.pluginWorkDirectoryURL.appending(path: "BuildCommit.swift")
        var arguments = [output.path]
        var inputs: [URL] = []
        if let git = gitDirectories(of: context.package.directoryURL) {
            arguments += [git.directory.path, git.common.path]
            let head = git.directory.appending(path: "HEAD")
            let reflog = git.directory.appending(path: "logs/HEAD")
            inputs = [head, reflog].filter { FileManager.default.fileExists(atPath: $0.path) }
        }
        return [
            .buildCommand(
                displayName: "Naming the commit the package is built from",
                executable: try context.tool(named: "BuildCommit").url,
                arguments: arguments,
                inputFiles: inputs,
                outputFiles: [output]
            )
        ]
    }

    /// `.git` as a folder (a clone), or a file `gitdir: PATH` (a worktree or a submodule), whose
    /// folder names the shared one in `commondir`. Nil outside git (a source tarball).
    func gitDirectories(of root: URL) -> (directory: URL, common: URL)? {
        let dotGit = root.appending(path: ".git")
        var isFolder: ObjCBool = false
        guard FileManager.default.fileExists(atPath: dotGit.path, isDirectory: &isFolder) else { return nil }
        if isFolder.boolValue { return (dotGit, dotGit) }
        guard let text = try? String(contentsOf: dotGit, encoding: .utf8), text.hasPrefix("gitdir:") else { return nil }
        let path = text.dropFirst("gitdir:".count).trimmingCharacters(in: .whitespacesAndNewlines)
        let directory = path.hasPrefix("/") ? URL(fileURLWithPath: path) : root.appending(path: path)
        guard let common = try? String(contentsOf: directory.appending(path: "commondir"), encoding: .utf8) else {
            return (directory, directory)
        }
        let commonPath = common.trimmingCharacters(in: .whitespacesAndNewlines)
        return (
            directory,
            commonPath.hasPrefix("/") ? URL(fileURLWithPath: commonPath) : directory.appending(path: commonPath)
        )
    }
}
