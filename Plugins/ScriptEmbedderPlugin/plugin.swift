import Foundation
import PackagePlugin

/// Embeds the Lua scripts of the package's `Scripts/` folder into the target as generated Swift.
///
/// Runs the ScriptEmbedder tool with every `*.lua` directly in `Scripts/` (subfolders such as
/// `Scripts/tests/` are not scripts) and adds its output, `EmbeddedScripts.swift`, to the target.
///
/// SwiftPM runs this plugin only when it re-plans the build, which it does when Package.swift or a
/// target's folder changes, not when `Scripts/` gains or loses a file: after adding or removing a
/// script, `touch Package.swift`. Edits to existing scripts are picked up by every build.
@main
struct ScriptEmbedderPlugin: BuildToolPlugin {
    /// Returns the one command that turns `Scripts/*.lua` into `EmbeddedScripts.swift`.
    func createBuildCommands(context: PluginContext, target: any Target) throws -> [Command] {
        let scripts = try luaFiles(in: context.package.directoryURL.appending(path: "Scripts"))
        let output = context.pluginWorkDirectoryURL.appending(path: "EmbeddedScripts.swift")
        return [
            .buildCommand(
                displayName: "Embedding Scripts/*.lua (\(scripts.count) files) into \(target.name)",
                executable: try context.tool(named: "ScriptEmbedder").url,
                arguments: [output.path(percentEncoded: false)] + scripts.map { $0.path(percentEncoded: false) },
                inputFiles: scripts,
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
