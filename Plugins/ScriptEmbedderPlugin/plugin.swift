import Foundation
import PackagePlugin

/// Lints the Lua scripts of the package's `Scripts/` folder and embeds them into the target as generated Swift.
///
/// Runs the ScriptEmbedder tool with every `*.lua` directly in `Scripts/` (subfolders such as
/// `Scripts/tests/` are not scripts) and `Scripts/scripts.lock` when it exists, and adds the tool's
/// output, `EmbeddedScripts.swift`, to the target. Linter findings fail the build, except those
/// that only say the lock is out of date, which are warnings.
///
/// SwiftPM runs this plugin only when it re-plans the build, which it does when Package.swift or a
/// target's folder changes, not when `Scripts/` gains or loses a file: after adding or removing a
/// script (or creating `Scripts/scripts.lock`), `touch Package.swift`. Edits to existing scripts
/// and to the lock are picked up by every build.
@main
struct ScriptEmbedderPlugin: BuildToolPlugin {
    /// Returns the one command that turns `Scripts/*.lua` into `EmbeddedScripts.swift`.
    func createBuildCommands(context: PluginContext, target: any Target) throws -> [Command] {
        let scriptsFolder = context.package.directoryURL.appending(path: "Scripts")
        let scripts = try luaFiles(in: scriptsFolder)
        let lock = scriptsFolder.appending(path: "scripts.lock")
        let locks = FileManager.default.fileExists(atPath: lock.path(percentEncoded: false)) ? [lock] : []
        let output = context.pluginWorkDirectoryURL.appending(path: "EmbeddedScripts.swift")
        let lockArguments = locks.flatMap { ["--lock", $0.path(percentEncoded: false)] }
        return [
            .buildCommand(
                displayName: "Linting and embedding Scripts/*.lua (\(scripts.count) files) into \(target.name)",
                executable: try context.tool(named: "ScriptEmbedder").url,
                arguments: lockArguments + [output.path(percentEncoded: false)] + scripts.map { $0.path(percentEncoded: false) },
                inputFiles: scripts + locks,
                outputFiles: [output]
            )
        ]
    }

    /// The regular, non-hidden `*.lua` files directly in `directory`, sorted by path; none if it does not exist.
    private func luaFiles(in directory: URL) throws -> [URL] {
        guard FileManager.default.fileExists(atPath: directory.path(percentEncoded: false)) else { return [] }
        let entries = try FileManager.default.contentsOfDirectory(
            at: directory,
            includingPropertiesForKeys: [.isRegularFileKey],
            options: [.skipsHiddenFiles]
        )
        var scripts: [URL] = []
        for url in entries where url.pathExtension == "lua" {
            if try url.resourceValues(forKeys: [.isRegularFileKey]).isRegularFile == true {
                scripts.append(url)
            }
        }
        return scripts.sorted { $0.path(percentEncoded: false) < $1.path(percentEncoded: false) }
    }
}
