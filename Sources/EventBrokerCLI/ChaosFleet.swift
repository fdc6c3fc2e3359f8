import Foundation
import Synchronization

/// The processes of a chaos run: the consumers of each service and the producer, each this
/// executable run again with a hidden subcommand, its ledger and log in the run's directory.
/// Knows which consumers run, which are stopped, and which exited without being killed.
final class ChaosFleet: Sendable {
    private let executable: String
    private let directory: URL
    private let redisURL: String
    private let settings: ChaosReport.Settings
    private let journal: LedgerWriter

    private struct Consumer {
        let child: SpawnedProcess
        let ledger: URL
        var isStopped = false
    }

    private struct State {
        var consumers: [pid_t: Consumer] = [:]
        var started = 0
    }

    private let state = Mutex(State())

    /// A fleet whose processes run `executable` against `redisURL` and write into `directory`;
    /// `journal` is the orchestrator's own ledger.
    init(executable: String, directory: URL, redisURL: String, settings: ChaosReport.Settings, journal: LedgerWriter) {
        self.executable = executable
        self.directory = directory
        self.redisURL = redisURL
        self.settings = settings
        self.journal = journal
    }

    /// Starts a consumer of `service` and waits until it subscribed.
    @discardableResult
    func startConsumer(_ service: String, readyWithin timeout: Duration = .seconds(30)) async throws -> SpawnedProcess {
        let number = state.withLock { state in
            state.started += 1
            return state.started
        }
        let name = "consumer-\(service)-\(number)"
        let ledger = directory.appending(path: "\(name).ledger")
        let child = try SpawnedProcess.spawn(
            executable,
            [
                "chaos-consumer", "--redis-url", redisURL, "--ledger", ledger.path, "--service", service,
                "--loops", String(settings.loopsPerConsumer),
                "--lease", ChaosDuration(.milliseconds(settings.leaseMilliseconds)).description,
                "--checker-interval", ChaosDuration(ChaosRun.checkerInterval).description,
                "--failure-rate", String(settings.failureRate), "--seed", String(settings.seed &+ UInt64(number)),
            ],
            log: directory.appending(path: "\(name).log").path, service: service)
        journal.record(.consumerStarted(service: service, pid: child.pid, at: LedgerEntry.now()))
        state.withLock { $0.consumers[child.pid] = Consumer(child: child, ledger: ledger) }
        try await Self.waitUntilReady(child, ledger: ledger, timeout: timeout)
        return child
    }

    /// Waits until a consumer's ledger starts with its ready line (`Y`).
    static func waitUntilReady(_ child: SpawnedProcess, ledger: URL, timeout: Duration) async throws {
        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline {
            if let data = FileManager.default.contents(atPath: ledger.path), data.first == UInt8(ascii: "Y") { return }
            if child.hasExited { break }
            try await Task.sleep(for: .milliseconds(10))
        }
        throw ChaosRun.Failure("consumer \(child.pid) did not become ready (see \(ledger.deletingPathExtension().path).log)")
    }

    /// Starts the producer, which publishes the run's events and exits.
    func startProducer() throws -> (child: SpawnedProcess, ledger: URL) {
        let ledger = directory.appending(path: "producer.ledger")
        _ = FileManager.default.createFile(atPath: ledger.path, contents: nil)
        let child = try SpawnedProcess.spawn(
            executable,
            [
                "chaos-producer", "--redis-url", redisURL, "--ledger", ledger.path, "--events", String(settings.events),
                "--rate", String(settings.rate),
            ],
            log: directory.appending(path: "producer.log").path)
        journal.record(.producerStarted(pid: child.pid, at: LedgerEntry.now()))
        return (child, ledger)
    }

    /// A random running consumer that is not stopped, if any.
    func anyRunningConsumer(using generator: inout some RandomNumberGenerator) -> SpawnedProcess? {
        let running = state.withLock { state in
            state.consumers.values.filter { !$0.isStopped }.map(\.child).sorted { $0.pid < $1.pid }
        }
        return running.randomElement(using: &generator)
    }

    /// The ledger file of a running consumer.
    func ledger(of child: SpawnedProcess) -> URL? {
        state.withLock { $0.consumers[child.pid]?.ledger }
    }

    /// Marks a consumer stopped (SIGSTOP) or running again (SIGCONT).
    func setStopped(_ child: SpawnedProcess, _ stopped: Bool) {
        state.withLock { $0.consumers[child.pid]?.isStopped = stopped }
    }

    /// Forgets a consumer that was killed.
    func remove(_ child: SpawnedProcess) {
        _ = state.withLock { $0.consumers.removeValue(forKey: child.pid) }
    }

    /// Consumers that exited although nobody killed them; they are forgotten.
    func unexpectedExits() -> [SpawnedProcess] {
        state.withLock { state in
            let exited = state.consumers.values.map(\.child).filter(\.hasExited)
            exited.forEach { state.consumers.removeValue(forKey: $0.pid) }
            return exited
        }
    }

    /// Asks every consumer to shut down (SIGCONT for a stopped one, then SIGTERM) and waits; returns those that did not exit
    /// cleanly (status 0) within `grace` and were killed.
    func terminateConsumers(grace: Duration) async -> [SpawnedProcess] {
        let children = state.withLock { state in
            defer { state.consumers = [:] }
            return state.consumers.values.map(\.child)
        }
        for child in children {
            child.send(SIGCONT)
            child.send(SIGTERM)
        }
        var unclean: [SpawnedProcess] = []
        for child in children {
            if await !child.terminate(grace: grace) || child.exitCode != 0 {
                unclean.append(child)
            }
        }
        return unclean
    }
}
