import Foundation
import PackagePlugin

/// `swift package lint-scripts`: lints the Lua scripts of the package's `Scripts/` folder against
/// `Scripts/scripts.lock`. It only reads; `event-broker lint --update-lock` rewrites the lock.
///
/// Runs `ScriptEmbedder lint` on `Scripts/`, which prints its findings (`path:line: error: rule: message`)
/// and a summary; the command fails when it exits non-zero.
@main
struct LintScriptsPlugin: CommandPlugin {
    /// Runs the linter; throws when it reports findings or the arguments are wrong.
    func performCommand(context: PluginContext, arguments: [String]) throws {
        guard arguments.isEmpty else {
            throw LintScriptsError(
                message: "unexpected arguments \(arguments); usage: swift package lint-scripts (to rewrite the lock: event-broker lint --update-lock)")
        }
        let scripts = context.package.directoryURL.appending(path: "Scripts").path(percentEncoded: false)
        let process = Process()
        process.executableURL = try context.tool(named: "ScriptEmbedder").url
        process.arguments = ["lint", scripts]
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
