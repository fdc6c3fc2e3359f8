import Foundation

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

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

/// Runs `executable` with `arguments` (in `directory`, if given, with `environment` added to this
/// process's own), feeding it `input` on standard input, and waits for it to exit.
///
/// Output goes to temporary files, not pipes, so a chatty child can never block on a full pipe.
package func runProcess(
    _ executable: URL, _ arguments: [String], input: [UInt8] = [], environment: [String: String] = [:],
    in directory: URL? = nil
) throws -> ProcessOutput {
    let child = try ChildProcess(executable, arguments, environment: environment, in: directory)
    try child.closeInput(after: input)
    child.process.waitUntilExit()
    return try child.output()
}

/// Runs `executable` as the blocking `runProcess` above does, but waits for it
/// without blocking a thread: for long runs (a compiler, a chaos run) in async tests, which would
/// otherwise hold one of the few threads of Swift's cooperative pool for all that time and starve
/// every other test of the process (timers, lease renewals).
package func runProcess(
    _ executable: URL, _ arguments: [String], input: [UInt8] = [], environment: [String: String] = [:],
    in directory: URL? = nil
) async throws -> ProcessOutput {
    let child = try ChildProcess(executable, arguments, environment: environment, in: directory)
    try child.closeInput(after: input)
    while child.process.isRunning {
        try await Task.sleep(for: .milliseconds(20))
    }
    return try child.output()
}

/// A child process that runs while the test goes on, its output going to temporary files that
/// can be read at any time; for servers and other long-running commands.
///
/// A child still running when this object goes away is killed (SIGKILL), so a failing test
/// leaves nothing behind.
package final class ChildProcess {
    /// The running process.
    package let process = Process()
    private let outputs: URL
    private let input = Pipe()

    /// Starts `executable` with `arguments` (in `directory`, if given, with `environment` added
    /// to this process's own); its standard input stays open until ``closeInput(after:)``.
    package init(
        _ executable: URL, _ arguments: [String], environment: [String: String] = [:], in directory: URL? = nil
    ) throws {
        outputs = try makeTemporaryDirectory()
        try Data().write(to: standardOutputURL)
        try Data().write(to: standardErrorURL)
        process.executableURL = executable
        process.arguments = arguments
        process.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 }
        if let directory {
            process.currentDirectoryURL = directory
        }
        process.standardInput = input
        process.standardOutput = try FileHandle(forWritingTo: standardOutputURL)
        process.standardError = try FileHandle(forWritingTo: standardErrorURL)
        try process.run()
    }

    deinit {
        if process.isRunning {
            kill(process.processIdentifier, SIGKILL)
            process.waitUntilExit()
        }
        try? FileManager.default.removeItem(at: outputs)
    }

    private var standardOutputURL: URL { outputs.appending(path: "stdout") }
    private var standardErrorURL: URL { outputs.appending(path: "stderr") }

    /// Writes `bytes` to the child's standard input, then closes it.
    package func closeInput(after bytes: [UInt8] = []) throws {
        try input.fileHandleForWriting.write(contentsOf: bytes)
        try input.fileHandleForWriting.close()
    }

    /// Everything the child wrote to standard error so far, as UTF-8 text.
    package var standardErrorSoFar: String {
        String(decoding: (try? Data(contentsOf: standardErrorURL)) ?? Data(), as: UTF8.self)
    }

    /// Sends `signal` (such as `SIGTERM`) to the child.
    package func send(_ signal: Int32) {
        kill(process.processIdentifier, signal)
    }

    /// Waits, without blocking a thread, until the child exits, and returns its output; `nil`
    /// when it is still running after `timeout`.
    package func exit(within timeout: Duration) async throws -> ProcessOutput? {
        let deadline = ContinuousClock.now + timeout
        while process.isRunning {
            guard ContinuousClock.now < deadline else { return nil }
            try await Task.sleep(for: .milliseconds(20))
        }
        return try output()
    }

    /// The exit status and all output of the child, which must have exited.
    package func output() throws -> ProcessOutput {
        ProcessOutput(
            status: process.terminationStatus,
            standardOutputData: try Data(contentsOf: standardOutputURL),
            standardErrorData: try Data(contentsOf: standardErrorURL))
    }
}
