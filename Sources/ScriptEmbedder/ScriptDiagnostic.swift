/// One error in a script, located by file and 1-based line.
struct ScriptDiagnostic: Equatable, Sendable, CustomStringConvertible {
    /// The script's path as given on the command line.
    let path: String
    /// The 1-based line the error points at.
    let line: Int
    /// What is wrong, in one sentence.
    let message: String

    /// `path:line: error: message`, the form SwiftPM, Xcode and editors turn into a clickable error.
    var description: String {
        "\(path):\(line): error: \(message)"
    }
}

/// The errors that stop the embedder; it prints every one and exits with status 1.
struct ScriptErrors: Error, Equatable {
    /// The errors, in the order the scripts and their lines were read.
    let diagnostics: [ScriptDiagnostic]
}
