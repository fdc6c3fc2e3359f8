import ArgumentParser
import EventBrokerTestSupport
import Foundation
import Logging
import RedisEventBroker
import Synchronization

/// `event-broker chaos-consumer` (hidden): one consumer process of a chaos run. It subscribes its
/// service to `orders` and runs several `pick` loops, recording in its ledger each handler start,
/// completion, deliberate failure and ack outcome, until SIGTERM, when it shuts its broker down.
struct ChaosConsumerCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "chaos-consumer",
        abstract: "A consumer process of `event-broker chaos` (started by it).",
        shouldDisplay: false)

    @Option(help: "The Redis to use.")
    var redisURL: String

    @Option(help: "The ledger file to append to.")
    var ledger: String

    @Option(help: "The service this consumer belongs to.")
    var service: String

    @Option(help: "Concurrent pick loops.")
    var loops: Int = 4

    @Option(help: "The lease of each delivery, e.g. 2s.")
    var lease: ChaosDuration = ChaosDuration(.seconds(2))

    @Option(help: "How often the lease checker sweeps, e.g. 250ms.")
    var checkerInterval: ChaosDuration = ChaosDuration(.milliseconds(250))

    @Option(help: "The share of handler runs that throw on purpose (0 to 1).")
    var failureRate: Double = 0

    @Option(help: "The longest a handler works, in milliseconds (each run takes 1 to this many).")
    var maxWork: Int = 10

    @Option(help: "Seed of the handlers' random choices.")
    var seed: UInt64 = 1

    @Flag(help: "Handlers record their start and then block until the process is killed.")
    var holdHandlers = false

    func validate() throws {
        guard loops >= 1, maxWork >= 1, (0...1).contains(failureRate) else {
            throw ValidationError("use --loops >= 1, --max-work >= 1 and a --failure-rate between 0 and 1")
        }
    }

    func run() async throws {
        let ledger = try LedgerWriter(path: ledger)
        let stop = StopRequest.onSIGTERM()
        var configuration = BrokerConfiguration(serviceName: service, redisURL: redisURL, processingTimeout: lease.duration)
        configuration.companions = [LeaseChecker(interval: checkerInterval.duration)]
        // Deliberate failures must never dead-letter an event: the run checks that none did.
        configuration.timeoutPolicy = StandardTimeoutPolicy(lease: .fixed(lease.duration), maxDeliveries: 1_000_000)
        configuration.shutdownGracePeriod = .seconds(5)
        var logger = Logger(label: "chaos-consumer.\(service)")
        logger.logLevel = .warning
        configuration.logger = logger
        let broker = try await RedisEventBroker(configuration)
        try await Self.retrying(logger) { try await broker.subscribe(ChaosRun.topic) }
        let pid = getpid()
        ledger.record(.ready(service: service, pid: pid, at: LedgerEntry.now()))
        let parent = getppid()

        await withTaskGroup(of: Void.self) { loops in
            for index in 0..<self.loops {
                var loop = ChaosPickLoop(
                    broker: broker, ledger: ledger, service: service, pid: pid, failureRate: failureRate,
                    maxWork: maxWork, holdHandlers: holdHandlers, stop: stop, logger: logger,
                    generator: SeededGenerator(seed: seed &+ UInt64(pid) &* 1_000_003 &+ UInt64(index)))
                loops.addTask { await loop.run() }
            }
            // A consumer whose orchestrator died stops too, instead of running on forever.
            loops.addTask {
                while !stop.isRequested {
                    if getppid() != parent { stop.request() }
                    try? await Task.sleep(for: .milliseconds(200))
                }
            }
        }
        try await broker.shutdown()
    }

    /// Runs `body` up to 5 times, 200 ms apart, while Redis is unreachable (a fault may be under way).
    static func retrying(_ logger: Logger, _ body: () async throws -> Void) async throws {
        for attempt in 1... {
            do {
                return try await body()
            } catch let error as RedisError where attempt < 5 {
                logger.warning("Retrying after a Redis error", metadata: ["error": "\(error)"])
                try await Task.sleep(for: .milliseconds(200))
            }
        }
    }
}

/// A flag that SIGTERM (or the process itself) raises to stop the pick loops.
final class StopRequest: Sendable {
    private let requested = Atomic<Bool>(false)

    /// Whether the loops should stop.
    var isRequested: Bool {
        requested.load(ordering: .relaxed) || sigtermReceived.load(ordering: .relaxed)
    }

    /// Raises the flag.
    func request() {
        requested.store(true, ordering: .relaxed)
    }

    /// A flag that SIGTERM raises too; SIGTERM then no longer ends the process by itself.
    static func onSIGTERM() -> StopRequest {
        signal(SIGTERM) { _ in sigtermReceived.store(true, ordering: .relaxed) }
        return StopRequest()
    }
}

/// Set by the SIGTERM handler that ``StopRequest/onSIGTERM()`` installs (an atomic store is
/// safe in a signal handler).
private let sigtermReceived = Atomic<Bool>(false)

/// The error a handler throws on purpose.
struct DeliberateFailure: Error, CustomStringConvertible {
    var description: String { "the chaos handler failed on purpose" }
}

/// One `pick` loop of a chaos consumer: each handler run records its start, works 1 to
/// `maxWork` ms, then records its completion (the side effect) or throws on purpose; the ack
/// outcome `pick` reports is recorded after a completion. An empty queue is polled every 20 ms.
struct ChaosPickLoop {
    let broker: RedisEventBroker
    let ledger: LedgerWriter
    let service: String
    let pid: Int32
    let failureRate: Double
    let maxWork: Int
    let holdHandlers: Bool
    let stop: StopRequest
    let logger: Logger
    var generator: SeededGenerator

    mutating func run() async {
        while !stop.isRequested {
            let work = Duration.milliseconds(Int.random(in: 1...maxWork, using: &generator))
            let fails = Double.random(in: 0..<1, using: &generator) < failureRate
            var completed: LedgerDelivery?
            do {
                let handled = try await broker.pick { [self] event in
                    let delivery = LedgerDelivery(service: service, eventId: event.id, number: event.deliveryCount, pid: pid)
                    ledger.record(.started(delivery, at: LedgerEntry.now()))
                    if holdHandlers {
                        try await Task.sleep(for: .seconds(86_400))
                    }
                    try await Task.sleep(for: work)
                    if fails {
                        ledger.record(.failed(delivery, at: LedgerEntry.now()))
                        throw DeliberateFailure()
                    }
                    ledger.record(.handled(delivery, at: LedgerEntry.now()))
                    completed = delivery
                }
                if let completed {
                    ledger.record(.acked(completed, .ok, at: LedgerEntry.now()))
                } else if !handled {
                    try? await Task.sleep(for: .milliseconds(20))
                }
            } catch {
                if let completed {
                    let lost = if case BrokerError.leaseLost? = error as? BrokerError { true } else { false }
                    ledger.record(.acked(completed, lost ? .lost : .error, at: LedgerEntry.now()))
                } else if !(error is DeliberateFailure) {
                    logger.warning("pick failed", metadata: ["error": "\(error)"])
                    try? await Task.sleep(for: .milliseconds(50))
                }
            }
        }
    }
}
