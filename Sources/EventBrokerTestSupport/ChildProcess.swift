import Foundation

/// What a finished child process left behind: its exit status and its output, as bytes and as UTF-8 text.
package struct ProcessOutput: Sendable {
    /// The exit status.
    package let status: Int32
    /// Everything written to standard output, as raw bytes.
    package let standardOutputData: Data
    /// Everything written to standard error, as raw bytes.
    package let standardErrorData: Data

    /// Everything written to standard output, as UTF-8 text.
    package var standardOutput: String { String(decoding: standardOutputData, as: UTF8.self) }

    /// Everything written to standard error, as UTF-8 text.
    package var standardError: String { String(decoding: standardErrorData, as: UTF8.self) }
}

/// Runs `executable` with `arguments` (in `directory`, if given), feeding it `input` on standard input, and waits for it to exit.
///
/// Output goes to temporary files, not pipes, so a chatty child can never block on a full pipe.
package func runProcess(
    _ executable: URL, _ arguments: [String], input: [UInt8] = [], in directory: URL? = nil
) throws -> ProcessOutput {
    let outputs = try makeTemporaryDirectory()
    defer { try? FileManager.default.removeItem(at: outputs) }
    let outputURL = outputs.appending(path: "stdout")
    let errorURL = outputs.appending(path: "stderr")
    try Data().write(to: outputURL)
    try Data().write(to: errorURL)
    let inputPipe = Pipe()
    let process = Process()
    process.executableURL = executable
    process.arguments = arguments
    if let directory {
        process.currentDirectoryURL = directory
    }
    process.standardInput = inputPipe
    process.standardOutput = try FileHandle(forWritingTo: outputURL)
    process.standardError = try FileHandle(forWritingTo: errorURL)
    try process.run()
    try inputPipe.fileHandleForWriting.write(contentsOf: input)
    try inputPipe.fileHandleForWriting.close()
    process.waitUntilExit()
    return ProcessOutput(
        status: process.terminationStatus,
        standardOutputData: try Data(contentsOf: outputURL),
        standardErrorData: try Data(contentsOf: errorURL)
    )
}
