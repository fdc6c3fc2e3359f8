import ArgumentParser
import Foundation
import Logging
import RedisEventBroker
import Synchronization

/// `event-broker chaos-producer` (hidden): the producer process of a chaos run. It publishes
/// `--events` orders at `--rate` per second from several concurrent publishers and records each
/// publish in its ledger only after `publishEvent` returned. A publish that throws is recorded as
/// unacknowledged and retried with a new event, until that many publishes were acknowledged.
struct ChaosProducerCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "chaos-producer",
        abstract: "The producer process of `event-broker chaos` (started by it).",
        shouldDisplay: false)

    /// The payload of each order.
    struct Order: Codable, Sendable {
        var sequence: Int
        var attempt: Int
    }

    @Option(help: "The Redis to use.")
    var redisURL: String

    @Option(help: "The ledger file to append to.")
    var ledger: String

    @Option(help: "How many publishes must be acknowledged.")
    var events: Int

    @Option(help: "Publishes started per second.")
    var rate: Double = 200

    @Option(help: "Concurrent publishers.")
    var publishers: Int = 4

    func validate() throws {
        guard events >= 1, rate > 0, publishers >= 1 else {
            throw ValidationError("use --events >= 1, --rate > 0 and --publishers >= 1")
        }
    }

    func run() async throws {
        let ledger = try LedgerWriter(path: ledger)
        var configuration = BrokerConfiguration(serviceName: "shop", redisURL: redisURL)
        configuration.companions = []
        configuration.logger = Logger(label: "chaos-producer")
        configuration.logger.logLevel = .warning
        let broker = try await RedisEventBroker(configuration)
        let orders = OrderNumbers(count: events)
        let start = ContinuousClock.now
        let (rate, logger) = (rate, configuration.logger)

        await withTaskGroup(of: Void.self) { publishers in
            for _ in 0..<self.publishers {
                publishers.addTask {
                    while let sequence = orders.claim() {
                        try? await Task.sleep(until: start + .seconds(Double(sequence) / rate), clock: .continuous)
                        await Self.publish(sequence, broker: broker, ledger: ledger, logger: logger)
                    }
                }
            }
        }
        try await broker.shutdown()
    }

    /// Publishes order `sequence` until a publish is acknowledged, each attempt a new event.
    private static func publish(_ sequence: Int, broker: RedisEventBroker, ledger: LedgerWriter, logger: Logger) async {
        for attempt in 1... {
            do {
                let id = try await broker.publishEvent(
                    Event(
                        streamId: "order-\(sequence)", topic: ChaosRun.topic, message: "orderPlaced",
                        payload: Order(sequence: sequence, attempt: attempt)))
                ledger.record(.published(eventId: id, at: LedgerEntry.now()))
                return
            } catch {
                ledger.record(.publishUnacknowledged(at: LedgerEntry.now()))
                logger.warning(
                    "A publish was not acknowledged; publishing a new event instead",
                    metadata: ["order": "\(sequence)", "attempt": "\(attempt)", "error": "\(error)"])
                try? await Task.sleep(for: .milliseconds(50))
            }
        }
    }
}

/// The order numbers the producer's publishers claim, each once.
private final class OrderNumbers: Sendable {
    private let count: Int
    private let next = Mutex(0)

    init(count: Int) {
        self.count = count
    }

    /// The next unclaimed number, or `nil` once all `count` were claimed.
    func claim() -> Int? {
        next.withLock { next in
            guard next < count else { return nil }
            defer { next += 1 }
            return next
        }
    }
}
