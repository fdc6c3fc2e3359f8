import Foundation
import LuaScriptKit

/// The command line of the build tool:
/// `ScriptEmbedder [--lock <scripts.lock>] <output.swift> <script.lua>...` lints the scripts and
/// embeds them into one generated Swift file; `ScriptEmbedder lint ...` only lints (see ``LintMode``).
enum EmbedderCommand {
    /// How to call the tool, in both modes.
    static let usage = "usage: ScriptEmbedder [--lock <scripts.lock>] <output.swift> <script.lua>...\n"
        + "       ScriptEmbedder lint [--update-lock] <scripts-folder or script.lua>..."

    /// Runs the command with `arguments` (without the program name) and returns the exit status.
    ///
    /// Errors go to standard error, script errors as `path:line: error: message` (linter findings
    /// as `path:line: error: rule: message`); the status is then 1. Lock findings that only say the
    /// lock is out of date are printed as warnings and do not fail the build, so that a developer
    /// who raised a version can still build the `event-broker` that rewrites the lock.
    static func run(arguments: [String]) -> Int32 {
        if arguments.first == "lint" {
            return LintMode.run(arguments: Array(arguments.dropFirst()))
        }
        var arguments = arguments
        var lockPath: String?
        if arguments.first == "--lock" {
            guard arguments.count >= 2 else {
                printError(usage)
                return 1
            }
            lockPath = arguments[1]
            arguments.removeFirst(2)
        }
        guard let outputPath = arguments.first else {
            printError(usage)
            return 1
        }
        let scriptPaths = Array(arguments.dropFirst())
        guard lint(scriptPaths: scriptPaths, lockPath: lockPath) else {
            return 1
        }
        let code: String
        do {
            code = try generateCode(scriptPaths: scriptPaths)
        } catch {
            for diagnostic in error.diagnostics {
                printError(diagnostic.description)
            }
            return 1
        }
        do {
            try writeIfChanged(code, to: outputPath)
        } catch {
            printError("\(outputPath): error: cannot write the generated file: \(error.localizedDescription)")
            return 1
        }
        return 0
    }

    /// Lints the scripts, prints every finding, and returns whether none of them fails the build.
    private static func lint(scriptPaths: [String], lockPath: String?) -> Bool {
        let findings: [Finding]
        do {
            findings = try ScriptLinter.lint(scriptPaths: scriptPaths, lockPath: lockPath)
        } catch {
            printError("\(error.path):1: error: \(error.message)")
            return false
        }
        for finding in findings {
            printError(diagnostic(finding, severity: finding.isResolvedByUpdatingLock ? "warning" : "error"))
        }
        return findings.allSatisfy(\.isResolvedByUpdatingLock)
    }

    /// `finding` as `path:line: <severity>: rule: message`, the form SwiftPM, Xcode and editors make clickable.
    static func diagnostic(_ finding: Finding, severity: String) -> String {
        "\(finding.path):\(finding.line): \(severity): \(finding.rule.rawValue): \(finding.message)"
    }

    /// Reads every script and returns the generated Swift code, or every error found in any of them.
    static func generateCode(scriptPaths: [String]) throws(ScriptErrors) -> String {
        var scripts: [ScriptFile] = []
        var diagnostics: [ScriptDiagnostic] = []
        for path in scriptPaths {
            do {
                scripts.append(try ScriptFile.read(path: path))
            } catch {
                diagnostics += error.diagnostics
            }
        }
        diagnostics += duplicateNameErrors(in: scripts)
        guard diagnostics.isEmpty else {
            throw ScriptErrors(diagnostics: diagnostics)
        }
        return SwiftCodeGenerator.generate(scripts)
    }

    /// An error for each script whose name, or Swift identifier, an earlier script already has.
    ///
    /// Identifiers can collide where names do not: `lease-2x` and `lease2x` both become `lease2x`.
    private static func duplicateNameErrors(in scripts: [ScriptFile]) -> [ScriptDiagnostic] {
        var firstByIdentifier: [String: ScriptFile] = [:]
        var errors: [ScriptDiagnostic] = []
        for script in scripts {
            let identifier = SwiftCodeGenerator.identifier(forScriptName: script.header.name)
            if let first = firstByIdentifier[identifier] {
                let location = "\(first.path):\(first.header.nameLine)"
                let message = first.header.name == script.header.name
                    ? "duplicate script name '\(script.header.name)'; also declared at \(location)"
                    : "the names '\(script.header.name)' and '\(first.header.name)' (\(location)) both become the Swift identifier '\(identifier)'"
                errors.append(ScriptDiagnostic(path: script.path, line: script.header.nameLine, message: message))
            } else {
                firstByIdentifier[identifier] = script
            }
        }
        return errors
    }

    /// Writes `code` to `path` unless the file already holds exactly that, so unchanged scripts do not recompile the target.
    static func writeIfChanged(_ code: String, to path: String) throws {
        let data = Data(code.utf8)
        if FileManager.default.contents(atPath: path) != data {
            try data.write(to: URL(filePath: path), options: .atomic)
        }
    }

    /// Writes `line` and a newline to standard error.
    static func printError(_ line: String) {
        FileHandle.standardError.write(Data((line + "\n").utf8))
    }
}
