import Foundation

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// One instance of a shop service that the demo runs: its executable, environment and log file,
/// and its process while it runs. Used by the demo's own task only.
final class DemoInstance {
    /// The service, for example `billing`.
    let service: String
    /// The instance's number within its service, from 1.
    let number: Int
    /// The service's executable.
    let executable: String
    /// What the instance's environment adds to the demo's.
    let environment: [String: String]
    /// Where its standard output and error go; a restarted instance appends to it.
    let logPath: String
    /// Reads what the instance logged.
    var log: ServiceLogReader
    /// The running or last process; `nil` before the first start.
    private(set) var process: SpawnedProcess?

    /// `billing#2`.
    var name: String { "\(service)#\(number)" }

    /// Whether the demo killed its last process on purpose.
    private(set) var wasKilled = false

    /// Whether its process runs.
    var isRunning: Bool { process.map { !$0.hasExited } ?? false }

    /// Whether its process stopped without the demo killing it.
    var stoppedOnItsOwn: Bool { process?.hasExited == true && !wasKilled }

    init(service: String, number: Int, executable: String, environment: [String: String], logDirectory: URL) {
        self.service = service
        self.number = number
        self.executable = executable
        self.environment = environment
        logPath = logDirectory.appending(path: "\(service)-\(number).log").path
        log = ServiceLogReader(path: logPath)
    }

    /// Starts (or starts again) the instance's process.
    func start() throws {
        process = try SpawnedProcess.spawn(executable, [], log: logPath, environment: environment, service: service)
        wasKilled = false
    }

    /// Kills the process with SIGKILL and waits until it is gone.
    func kill() async {
        wasKilled = true
        process?.send(SIGKILL)
        _ = await process?.waitForExit(timeout: .seconds(10))
    }
}
