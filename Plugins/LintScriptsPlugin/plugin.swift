import Foundation
import PackagePlugin

/// `swift package lint-scripts [--update-lock]`: lints the Lua scripts of the package's `Scripts/`
/// folder against `Scripts/scripts.lock`, and with `--update-lock` rewrites the lock.
///
/// Runs `ScriptEmbedder lint` on `Scripts/`, which prints its findings (`path:line: error: rule: message`)
/// and a summary; the command fails when it exits non-zero.
@main
struct LintScriptsPlugin: CommandPlugin {
    /// Runs the linter; throws when it reports findings or the arguments are wrong.
    func performCommand(context: PluginContext, arguments: [String]) throws {
        var extractor = ArgumentExtractor(arguments)
        let updateLock = extractor.extractFlag(named: "update-lock") > 0
        guard extractor.remainingArguments.isEmpty else {
            throw LintScriptsError(
                message: "unexpected arguments \(extractor.remainingArguments); usage: swift package lint-scripts [--update-lock]")
        }
        let scripts = context.package.directoryURL.appending(path: "Scripts").path(percentEncoded: false)
        let process = Process()
        process.executableURL = try context.tool(named: "ScriptEmbedder").url
        process.arguments = ["lint"] + (updateLock ? ["--update-lock"] : []) + [scripts]
        try process.run()
        process.waitUntilExit()
        guard process.terminationReason == .exit, process.terminationStatus == 0 else {
            throw LintScriptsError(message: "the linter exited with status \(process.terminationStatus): fix what it printed")
        }
    }
}

/// Why `lint-scripts` failed.
struct LintScriptsError: Error, CustomStringConvertible {
    /// What went wrong.
    let message: String

    /// The message SwiftPM prints.
    var description: String { message }
}
