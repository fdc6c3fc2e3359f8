import Foundation
import Synchronization

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A server program run in the background for tests and tools (redis-server, stunnel): its
/// standard streams go to `/dev/null` (it writes a log file of its own), it starts with default
/// signal handling, and ``terminate()`` stops it with SIGTERM, then SIGKILL if it lingers.
package final class BackgroundProcess: Sendable {
    /// The process id.
    package let pid: pid_t
    /// Set once the process was reaped: its pid may then belong to another process.
    private let reaped = Mutex(false)

    /// Starts `executable` (a path) with `arguments`; throws the `posix_spawn` error.
    package init(executable: String, arguments: [String]) throws {
        pid = try Self.spawn(executable, arguments: arguments)
    }

    /// Starts `executable` (a path) with `arguments`, its standard streams on `/dev/null` and no
    /// other descriptor of this process, with an empty signal mask and default handlers (a child
    /// of a test runner would otherwise inherit blocked signals and ignore SIGTERM), and returns
    /// its pid.
    private static func spawn(_ executable: String, arguments: [String]) throws -> pid_t {
        var fileActions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&fileActions)
        defer { posix_spawn_file_actions_destroy(&fileActions) }
        for descriptor: Int32 in [STDIN_FILENO, STDOUT_FILENO, STDERR_FILENO] {
            posix_spawn_file_actions_addopen(&fileActions, descriptor, "/dev/null", O_RDWR, 0)
        }
        closeDescriptorsAboveStandardError(in: &fileActions)

        let argv = ([executable] + arguments).map { strdup($0) } + [nil]
        defer { argv.forEach { free($0) } }
        var pid: pid_t = 0
        let result = withDefaultSignalSpawnAttributes { posix_spawn(&pid, executable, &fileActions, &$0, argv, environ) }
        guard result == 0 else { throw POSIXError(POSIXErrorCode(rawValue: result) ?? .EINVAL) }
        return pid
    }

    /// The path of the executable `name` on `PATH` or in the usual system folders; `nil` when none.
    package static func find(_ name: String) -> String? {
        let path = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/local/bin:/usr/bin:/bin"
        let folders = path.split(separator: ":").map(String.init) + ["/usr/bin", "/usr/local/bin", "/usr/sbin"]
        return folders.map { "\($0)/\(name)" }.first { FileManager.default.isExecutableFile(atPath: $0) }
    }

    /// Whether the process has exited; reaps it when it has.
    package var hasExited: Bool {
        reaped.withLock { reaped in
            if !reaped {
                var status: Int32 = 0
                let result = waitpid(pid, &status, WNOHANG)
                reaped = result == pid || (result == -1 && errno == ECHILD)
            }
            return reaped
        }
    }

    /// Sends `signal` (SIGSTOP, SIGCONT, ...) unless the process was already reaped.
    package func send(_ signal: Int32) {
        reaped.withLock { reaped in
            if !reaped { kill(pid, signal) }
        }
    }

    /// How long the process gets to exit after SIGTERM before SIGKILL.
    private static let gracePeriod = Duration.seconds(5)
    /// How often a wait for the exit looks whether the process exited, in microseconds.
    private static let pollMicroseconds: UInt32 = 10_000

    /// Stops the process: SIGTERM, up to 5 seconds for it to exit, then SIGKILL. Returns once it
    /// was reaped. Blocks the calling thread meanwhile; from a task, prefer
    /// ``terminateWithoutBlocking()``.
    package func terminate() {
        send(SIGTERM)
        let deadline = ContinuousClock.now + Self.gracePeriod
        while !hasExited, ContinuousClock.now < deadline { usleep(Self.pollMicroseconds) }
        if !hasExited {
            send(SIGKILL)
            while !hasExited { usleep(Self.pollMicroseconds) }
        }
    }

    /// ``terminate()`` waiting as a task, which blocks no thread of Swift's cooperative pool. A
    /// cancelled task still waits for the process (its sleeps then block its thread).
    package func terminateWithoutBlocking() async {
        send(SIGTERM)
        let deadline = ContinuousClock.now + Self.gracePeriod
        while !hasExited, ContinuousClock.now < deadline { await Self.pause() }
        if !hasExited {
            send(SIGKILL)
            while !hasExited { await Self.pause() }
        }
    }

    /// Sleeps one poll interval, as a task unless it is cancelled.
    private static func pause() async {
        if (try? await Task.sleep(for: .microseconds(pollMicroseconds))) == nil {
            usleep(pollMicroseconds)
        }
    }
}
