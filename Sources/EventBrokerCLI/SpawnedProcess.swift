import Foundation
import Synchronization
import RedisServerProcess

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A child process of a chaos run or the demo (this executable run again with a hidden
/// subcommand, a service of the Examples package, `swift build`), usually with its standard
/// output and error in a log file, that its parent signals (SIGKILL, SIGSTOP, SIGCONT, SIGTERM)
/// and reaps.
final class SpawnedProcess: Sendable {
    /// The process id.
    let pid: pid_t
    /// The service of a consumer; `nil` for the producer.
    let service: String?

    /// The raw `waitpid` status once the process was reaped.
    private let status = Mutex<Int32?>(nil)

    private init(pid: pid_t, service: String?) {
        self.pid = pid
        self.service = service
    }

    /// The path of the running executable, to run it again with another subcommand.
    static var currentExecutable: String {
        (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")) ?? CommandLine.arguments[0]
    }

    /// Starts `executable` (a path, or a name looked up in `PATH`) with `arguments`, standard
    /// input from `/dev/null`, standard output and error appended to `log` (or the parent's when
    /// `log` is `nil`) and no other descriptor of this process, in this process's environment
    /// with `environment` added. The child starts with an empty signal mask and default signal
    /// handlers, whatever the parent (a test runner, say) blocks or ignores.
    static func spawn(
        _ executable: String, _ arguments: [String], log: String?, environment: [String: String] = [:],
        service: String? = nil
    ) throws -> SpawnedProcess {
        var fileActions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&fileActions)
        defer { posix_spawn_file_actions_destroy(&fileActions) }
        posix_spawn_file_actions_addopen(&fileActions, STDIN_FILENO, "/dev/null", O_RDONLY, 0)
        if let log {
            posix_spawn_file_actions_addopen(&fileActions, STDOUT_FILENO, log, O_WRONLY | O_CREAT | O_APPEND, 0o644)
            posix_spawn_file_actions_adddup2(&fileActions, STDOUT_FILENO, STDERR_FILENO)
        }
        closeDescriptorsAboveStandardError(in: &fileActions)

        let argv = ([executable] + arguments).map { strdup($0) } + [nil]
        defer { argv.forEach { free($0) } }
        let variables = ProcessInfo.processInfo.environment.merging(environment) { _, added in added }
        let envp = variables.map { strdup("\($0.key)=\($0.value)") } + [nil]
        defer { envp.forEach { free($0) } }
        var pid: pid_t = 0
        let result = withDefaultSignalSpawnAttributes { posix_spawnp(&pid, executable, &fileActions, &$0, argv, envp) }
        guard result == 0 else { throw POSIXError(POSIXErrorCode(rawValue: result) ?? .EINVAL) }
        return SpawnedProcess(pid: pid, service: service)
    }

    /// Sends `signal` to the process, unless it was already reaped.
    func send(_ signal: Int32) {
        status.withLock { status in
            if status == nil { kill(pid, signal) }
        }
    }

    /// Whether the process has exited; reaps it when it has.
    var hasExited: Bool {
        status.withLock { status in
            if status != nil { return true }
            var raw: Int32 = 0
            let result = waitpid(pid, &raw, WNOHANG)
            if result == pid {
                status = raw
            } else if result == -1 && errno == ECHILD {
                status = -1
            }
            return status != nil
        }
    }

    /// The exit code of a process that exited normally; `nil` while it runs or when a signal ended it.
    var exitCode: Int32? {
        guard hasExited, let raw = status.withLock({ $0 }), raw >= 0, raw & 0x7F == 0 else { return nil }
        return (raw >> 8) & 0xFF
    }

    /// Waits until the process exits, for at most `timeout`; `true` when it did.
    func waitForExit(timeout: Duration) async -> Bool {
        let deadline = ContinuousClock.now + timeout
        while !hasExited {
            guard ContinuousClock.now < deadline else { return false }
            try? await Task.sleep(for: .milliseconds(10))
        }
        return true
    }

    /// Asks the process to stop (SIGTERM) and waits up to `grace`; then kills it (SIGKILL).
    /// Returns `true` when it stopped on its own.
    @discardableResult
    func terminate(grace: Duration) async -> Bool {
        send(SIGTERM)
        if await waitForExit(timeout: grace) { return true }
        send(SIGKILL)
        _ = await waitForExit(timeout: .seconds(60))
        return false
    }
}
