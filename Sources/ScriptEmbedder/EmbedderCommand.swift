import Foundation

/// The command line `ScriptEmbedder <output.swift> <script.lua>...`: embeds the scripts into one generated Swift file.
enum EmbedderCommand {
    /// Runs the command with `arguments` (without the program name) and returns the exit status.
    ///
    /// Errors go to standard error, script errors as `path:line: error: message`; the status is then 1.
    static func run(arguments: [String]) -> Int32 {
        guard let outputPath = arguments.first else {
            printError("usage: ScriptEmbedder <output.swift> <script.lua>...")
            return 1
        }
        let code: String
        do {
            code = try generateCode(scriptPaths: Array(arguments.dropFirst()))
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
    private static func printError(_ line: String) {
        FileHandle.standardError.write(Data((line + "\n").utf8))
    }
}
