import Foundation
import Testing

/// What a finished child process left behind.
struct ProcessOutput {
    /// The exit status.
    let status: Int32
    /// Everything written to standard output.
    let standardOutput: Data
    /// Everything written to standard error, as UTF-8 text.
    let standardError: String
}

/// Runs `executable` with `arguments`, feeding it `input` on standard input, and waits for it to exit.
///
/// Output goes to temporary files, not pipes, so a chatty child can never block on a full pipe.
func runProcess(_ executable: URL, _ arguments: [String], input: [UInt8] = []) throws -> ProcessOutput {
    let directory = try makeTemporaryDirectory()
    defer { try? FileManager.default.removeItem(at: directory) }
    let outputURL = directory.appending(path: "stdout")
    let errorURL = directory.appending(path: "stderr")
    try Data().write(to: outputURL)
    try Data().write(to: errorURL)
    let inputPipe = Pipe()
    let process = Process()
    process.executableURL = executable
    process.arguments = arguments
    process.standardInput = inputPipe
    process.standardOutput = try FileHandle(forWritingTo: outputURL)
    process.standardError = try FileHandle(forWritingTo: errorURL)
    try process.run()
    try inputPipe.fileHandleForWriting.write(contentsOf: input)
    try inputPipe.fileHandleForWriting.close()
    process.waitUntilExit()
    return ProcessOutput(
        status: process.terminationStatus,
        standardOutput: try Data(contentsOf: outputURL),
        standardError: String(decoding: try Data(contentsOf: errorURL), as: UTF8.self)
    )
}

/// The SHA1 of `bytes` as `/usr/bin/sha1sum` computes it, in lowercase hex.
func sha1sum(_ bytes: [UInt8]) throws -> String {
    let output = try runProcess(URL(filePath: "/usr/bin/sha1sum"), [], input: bytes)
    try #require(output.status == 0, "sha1sum failed: \(output.standardError)")
    return String(String(decoding: output.standardOutput, as: UTF8.self).prefix(40))
}

/// A new, empty directory under the system's temporary directory; the caller removes it.
func makeTemporaryDirectory() throws -> URL {
    let directory = FileManager.default.temporaryDirectory.appending(path: "ScriptEmbedderTests-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    return directory
}

/// Writes `text` to `directory/name` and returns the file's path.
func writeFile(_ text: String, named name: String, in directory: URL) throws -> String {
    let url = directory.appending(path: name)
    try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
    try Data(text.utf8).write(to: url)
    return url.path(percentEncoded: false)
}

/// The root folder of this package, found from this file's path.
let packageRoot = URL(filePath: #filePath)
    .deletingLastPathComponent()
    .deletingLastPathComponent()
    .deletingLastPathComponent()

/// `Tests/ScriptEmbedderTests/Fixtures/Scripts`: a real-looking script and one full of hard-to-embed text.
let fixtureScripts = packageRoot.appending(path: "Tests/ScriptEmbedderTests/Fixtures/Scripts")

/// A small, seedable random number generator (SplitMix64), so a failing random test can be replayed.
struct SeededGenerator: RandomNumberGenerator {
    /// The generator's state; advances on every call.
    private var state: UInt64

    /// Creates a generator whose sequence is fixed by `seed`.
    init(seed: UInt64) {
        state = seed
    }

    /// Returns the next 64 random bits.
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

/// A complete, valid header for a script `name` that uses no keys and no arguments, `version` as written:
/// the shebang is line 1, `-- name:` line 2, `-- version:` line 3, and the code starts on line 12.
func header(name: String, version: String = "1") -> String {
    """
    #!lua
    -- name: \(name)
    -- version: \(version)
    -- summary: A script for the tests.
    -- keys:
    --   none
    -- argv:
    --   none
    -- returns:
    --   1


    """
}
