import Foundation
import Testing

@testable import LuaScriptKit

/// The line where ``lint(_:keys:argv:)`` puts the first line of its code.
let codeLine = 17

/// Lints `code` as the script `test.lua` under a valid header that declares `keys` keys and `argv`
/// arguments (at most 4 each), and returns the findings as `test.lua:<line>: <rule>`.
///
/// The header always takes 16 lines (the `-- keys:` and `-- argv:` sections are padded with
/// continuation lines), so the code starts on line ``codeLine`` whatever is declared.
func lint(_ code: String, keys: Int = 0, argv: Int = 0) -> [String] {
    lintFindings(code, keys: keys, argv: argv).map(\.location)
}

/// The findings ``lint(_:keys:argv:)`` reports, in full.
func lintFindings(_ code: String, keys: Int = 0, argv: Int = 0) -> [Finding] {
    let source = testHeader(keys: keys, argv: argv) + code
    return ScriptLinter.lint(source: Array(source.utf8), path: "test.lua").findings
}

extension Finding {
    /// `<file name>:<line>: <rule>`: where the finding is and which rule found it, without the message.
    var location: String {
        "\(path.split(separator: "/").last ?? ""):\(line): \(rule.rawValue)"
    }
}

/// The 16-line header ``lint(_:keys:argv:)`` uses, ending with a blank line.
func testHeader(keys: Int, argv: Int) -> String {
    precondition(keys <= 4 && argv <= 4, "the test header has room for 4 keys and 4 arguments")
    func section(_ items: [String]) -> [String] {
        let lines = items.isEmpty ? ["--   none"] : items
        return lines + Array(repeating: "--   (the section continues)", count: 4 - lines.count)
    }
    let lines =
        ["-- name: test", "-- version: 1", "-- summary: A script for the tests.", "-- keys:"]
        + section((0..<keys).map { "--   \($0 + 1). key\($0 + 1): a key" })
        + ["-- argv:"]
        + section((0..<argv).map { "--   \($0 + 1). an argument" })
        + ["-- returns:", "--   anything", ""]
    return lines.joined(separator: "\n") + "\n"
}

/// What a finished child process left behind.
struct ProcessOutput {
    /// The exit status.
    let status: Int32
    /// Everything written to standard output, as UTF-8 text.
    let standardOutput: String
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
        standardOutput: String(decoding: try Data(contentsOf: outputURL), as: UTF8.self),
        standardError: String(decoding: try Data(contentsOf: errorURL), as: UTF8.self)
    )
}

/// The SHA1 of `bytes` as `/usr/bin/sha1sum` computes it, in lowercase hex.
func sha1sum(_ bytes: [UInt8]) throws -> String {
    let output = try runProcess(URL(filePath: "/usr/bin/sha1sum"), [], input: bytes)
    try #require(output.status == 0, "sha1sum failed: \(output.standardError)")
    return String(output.standardOutput.prefix(40))
}

/// A new, empty directory under the system's temporary directory; the caller removes it.
func makeTemporaryDirectory() throws -> URL {
    let directory = FileManager.default.temporaryDirectory.appending(path: "LuaScriptKitTests-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    return directory
}

/// Writes `text` to `directory/name` and returns the file's path.
@discardableResult
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

/// `Tests/LuaScriptKitTests/Fixtures`.
let fixtures = packageRoot.appending(path: "Tests/LuaScriptKitTests/Fixtures")

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
