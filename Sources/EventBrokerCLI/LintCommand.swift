import ArgumentParser
import Foundation
import LuaScriptKit

/// `event-broker lint [paths...] [--update-lock] [--json]`: lints the Lua scripts against their lock.
struct LintCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "lint",
        abstract: "Lint the Lua scripts: Lua 5.1 compatibility, globals, keys from KEYS, headers, and the lock.",
        discussion: """
            Prints one finding per line, as path:line: rule: message, then a summary, and exits with \
            status 1 when there is any finding. A folder stands for the *.lua files directly in it and \
            is checked against its scripts.lock, when it has one. With --update-lock, rewrites (or \
            creates) the lock from the scripts, unless findings remain that it would not resolve.
            """)

    @Argument(help: "Script files or folders of scripts.")
    var paths: [String] = ["Scripts"]

    @Flag(help: "Rewrite each folder's scripts.lock from its scripts (refused while other findings remain).")
    var updateLock = false

    @Flag(help: "Print the findings as a JSON array of {path, line, rule, message} objects instead.")
    var json = false

    func run() throws {
        let (output, status) = try Self.output(paths: paths, updateLock: updateLock, json: json)
        print(output)
        if status != 0 {
            throw ExitCode(status)
        }
    }

    /// What `lint` prints for these options, and its exit status.
    static func output(paths: [String], updateLock: Bool, json: Bool) throws -> (text: String, status: Int32) {
        let report = try ScriptLinter.run(paths: paths, updateLock: updateLock)
        guard json else {
            return ((report.findings.map(\.description) + report.summary).joined(separator: "\n"), report.exitStatus)
        }
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        return (String(decoding: try encoder.encode(report.findings), as: UTF8.self), report.exitStatus)
    }
}
