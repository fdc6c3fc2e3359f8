import LuaScriptKit

/// `ScriptEmbedder lint [--update-lock] <scripts-folder or script.lua>...`: the linter alone, for the
/// `lint-scripts` command plugin. Every finding is an error here, lock findings included.
enum LintMode {
    /// Runs the linter with `arguments` (after `lint`) and returns the exit status: 1 on findings or bad arguments.
    ///
    /// Findings go to standard output as `path:line: error: rule: message`, followed by the summary.
    static func run(arguments: [String]) -> Int32 {
        var updateLock = false
        var paths: [String] = []
        for argument in arguments {
            if argument == "--update-lock" {
                updateLock = true
            } else if argument.hasPrefix("-") {
                EmbedderCommand.printError("unknown option '\(argument)'\n\(EmbedderCommand.usage)")
                return 1
            } else {
                paths.append(argument)
            }
        }
        guard !paths.isEmpty else {
            EmbedderCommand.printError(EmbedderCommand.usage)
            return 1
        }
        let report: LintReport
        do {
            report = try ScriptLinter.run(paths: paths, updateLock: updateLock)
        } catch {
            EmbedderCommand.printError("\(error.path): error: \(error.message)")
            return 1
        }
        for finding in report.findings {
            print(EmbedderCommand.diagnostic(finding, severity: "error"))
        }
        report.summary.forEach { print($0) }
        return report.exitStatus
    }
}
