import EventBrokerCore
import Foundation
import Logging
import RedisEventBroker
import Synchronization

/// Measures the broker end to end through Redis, for one shape of deployment: `consumers`
/// instances of each of `fanOut` services subscribed to one topic, a publisher instance with
/// many publishing tasks, events of `payloadBytes`.
///
/// Two phases, each on a flushed Redis with fresh brokers: at saturation, the publisher's tasks
/// publish ``Settings/events`` events as fast as they can while the consumers handle them (the
/// figures: publishes and deliveries per second, latency, round trips, Redis commands and Redis
/// CPU per delivered event); at a fixed rate, one task publishes ``Settings/rateEvents`` events
/// at ``Settings/rate`` per second (the figure: latency, publish call to handler start). A
/// ledger checks that every service got every event; a missing one makes the run fail.
struct BrokerBenchmark {
    /// What to measure, and where.
    struct Settings {
        var redisURL: String
        /// Events published at saturation.
        var events: Int
        /// Events published at the fixed rate.
        var rateEvents: Int
        /// The fixed rate, events per second.
        var rate: Int
        /// Publishing tasks at saturation.
        var publishers: Int
        /// Handlers each consumer instance runs at once.
        var handlersPerInstance: Int
        /// Events each consumer instance takes beyond its free handlers.
        var prefetchPerInstance: Int
        /// How events are stored.
        var codec: any EventCodec
        var logger: Logger
    }

    /// One shape of deployment.
    struct Shape: Codable, Hashable, CustomStringConvertible {
        /// Instances per service.
        var consumers: Int
        /// Services subscribed to the topic.
        var fanOut: Int
        /// Bytes of each event's payload.
        var payloadBytes: Int

        var description: String { "\(consumers) consumers × \(fanOut) services, \(payloadBytes) B" }
    }

    /// The figures of one run of a shape.
    struct Figures: Codable {
        var publishedPerSecond: Double
        var deliveredPerSecond: Double
        /// Publish call to handler start at saturation, in milliseconds: p50, p99, p99.9.
        var saturationLatency: Latency
        /// The same at the fixed rate.
        var fixedRateLatency: Latency
        /// Requests the brokers sent per delivered event, by kind, and batches (round trips).
        var scriptsPerDelivery: Double
        var blockingWaitsPerDelivery: Double
        var otherRequestsPerDelivery: Double
        var requestsPerDelivery: Double
        var roundTripsPerDelivery: Double
        /// Commands redis-server ran per delivered event, those inside scripts included.
        var redisCommandsPerDelivery: Double
        /// Redis CPU time per delivered event, in microseconds.
        var redisCPUMicrosecondsPerDelivery: Double
        /// Deliveries beyond one per service and event (at-least-once).
        var duplicates: Int
    }

    /// Latency percentiles in milliseconds.
    struct Latency: Codable {
        var p50: Double
        var p99: Double
        var p999: Double

        init(p50: Double, p99: Double, p999: Double) {
            self.p50 = p50
            self.p99 = p99
            self.p999 = p999
        }

        /// The percentiles of `samples`.
        init(_ samples: [Double]) {
            let sorted = samples.sorted()
            func percentile(_ p: Double) -> Double {
                sorted.isEmpty ? 0 : sorted[min(sorted.count - 1, max(0, Int((Double(sorted.count) * p).rounded(.up)) - 1))]
            }
            p50 = percentile(0.50)
            p99 = percentile(0.99)
            p999 = percentile(0.999)
        }
    }

    /// The payload: when it was published (monotonic nanoseconds of this process) and padding.
    struct Payload: Codable, Sendable {
        var sentAt: UInt64
        var padding: String

        /// The padding that makes a payload's JSON about `payloadBytes` long.
        static func padding(for payloadBytes: Int) -> String {
            String(repeating: "x", count: max(0, payloadBytes - 40))
        }
    }

    let settings: Settings
    let admin: RedisConnection

    /// Runs both phases of `shape`.
    func run(_ shape: Shape) async throws -> Figures {
        let saturation = try await phase(shape, events: settings.events, rate: nil)
        let fixedRate = try await phase(shape, events: settings.rateEvents, rate: settings.rate)
        var figures = saturation
        figures.fixedRateLatency = fixedRate.saturationLatency
        figures.duplicates += fixedRate.duplicates
        return figures
    }

    private func phase(_ shape: Shape, events: Int, rate: Int?) async throws -> Figures {
        _ = try await admin.send("FLUSHALL")
        let services = (1...shape.fanOut).map { "bench\($0)" }
        let recorder = DeliveryRecorder(services: services, events: events)
        var consumers: [RedisEventBroker] = []
        var tasks: [Task<Void, any Error>] = []
        let publisher = try await RedisEventBroker(configuration(service: "benchpublisher"))
        do {
            for service in services {
                for _ in 1...shape.consumers {
                    let broker = try await RedisEventBroker(configuration(service: service))
                    try await broker.subscribe("orders")
                    consumers.append(broker)
                    tasks.append(
                        Task { [handlers = settings.handlersPerInstance] in
                            try await broker.consume(concurrency: handlers) { event in
                                let payload = try event.payload(as: Payload.self)
                                recorder.delivered(event.streamId, to: service, sentAt: payload.sentAt)
                            }
                        })
                }
            }
            let padding = Payload.padding(for: shape.payloadBytes)
            let statisticsBefore = try await RedisServerStatistics.read(admin)
            let trafficBefore = RedisTraffic.totals
            let start = DispatchTime.now().uptimeNanoseconds
            try await publish(events, rate: rate, through: publisher, padding: padding)
            let published = DispatchTime.now().uptimeNanoseconds
            try await recorder.waitUntilComplete(timeout: .seconds(max(60, events / 100)))
            let traffic = RedisTraffic.totals - trafficBefore
            let statistics = try await RedisServerStatistics.read(admin) - statisticsBefore
            let tally = recorder.tally()
            let deliveries = Double(events * shape.fanOut)
            for task in tasks { task.cancel() }
            for broker in consumers + [publisher] { try await broker.shutdown() }
            return Figures(
                publishedPerSecond: Double(events) / seconds(published - start),
                deliveredPerSecond: deliveries / seconds(tally.lastDelivery - start),
                saturationLatency: Latency(tally.latencies),
                fixedRateLatency: Latency([]),
                scriptsPerDelivery: Double(traffic.scripts) / deliveries,
                blockingWaitsPerDelivery: Double(traffic.blockingWaits) / deliveries,
                otherRequestsPerDelivery: Double(traffic.others) / deliveries,
                requestsPerDelivery: Double(traffic.requests) / deliveries,
                roundTripsPerDelivery: Double(traffic.batches) / deliveries,
                redisCommandsPerDelivery: Double(statistics.totalCalls) / deliveries,
                redisCPUMicrosecondsPerDelivery: statistics.cpuSeconds * 1_000_000 / deliveries,
                duplicates: tally.duplicates)
        } catch {
            for task in tasks { task.cancel() }
            for broker in consumers + [publisher] { try? await broker.shutdown() }
            throw error
        }
    }

    /// Publishes `events` events: from ``Settings/publishers`` tasks as fast as they go, or from
    /// one task at `rate` per second.
    private func publish(_ events: Int, rate: Int?, through publisher: RedisEventBroker, padding: String) async throws {
        if let rate {
            let interval = Duration.seconds(1) / rate
            var next = ContinuousClock.now
            for number in 0..<events {
                try await publisher.publishEvent(Self.event(number, padding: padding))
                next += interval
                if next > .now { try await Task.sleep(until: next) }
            }
            return
        }
        let publishers = settings.publishers
        try await withThrowingTaskGroup(of: Void.self) { group in
            for first in 0..<publishers {
                group.addTask {
                    for number in stride(from: first, to: events, by: publishers) {
                        try await publisher.publishEvent(Self.event(number, padding: padding))
                    }
                }
            }
            try await group.waitForAll()
        }
    }

    /// Event `number`, stamped with the time now.
    private static func event(_ number: Int, padding: String) -> Event {
        Event(
            streamId: "\(number)", topic: "orders", message: "orderPlaced",
            payload: Payload(sentAt: DispatchTime.now().uptimeNanoseconds, padding: padding))
    }

    private func configuration(service: String) -> BrokerConfiguration {
        var configuration = BrokerConfiguration(serviceName: service, redisURL: settings.redisURL)
        configuration.codec = settings.codec
        configuration.logger = settings.logger
        configuration.consumerPrefetch = settings.prefetchPerInstance
        return configuration
    }

    private func seconds(_ nanoseconds: UInt64) -> Double {
        Double(nanoseconds) / 1_000_000_000
    }
}

/// Which service got which event, and how long each took to reach its handler.
final class DeliveryRecorder: Sendable {
    /// What the recorder saw.
    struct Tally {
        /// Publish call to handler start, in milliseconds, one per delivery.
        var latencies: [Double]
        /// Deliveries beyond one per service and event.
        var duplicates: Int
        /// When the last first delivery happened (monotonic nanoseconds).
        var lastDelivery: UInt64
    }

    private struct State {
        var seen: [String: Set<String>]
        var latencies: [Double] = []
        var duplicates = 0
        var firstDeliveries = 0
        var lastDelivery: UInt64 = 0
    }

    private let expected: Int
    private let state: Mutex<State>

    init(services: [String], events: Int) {
        expected = services.count * events
        var seen: [String: Set<String>] = [:]
        for service in services { seen[service] = Set(minimumCapacity: events) }
        state = Mutex(State(seen: seen))
        state.withLock { $0.latencies.reserveCapacity(services.count * events) }
    }

    /// Records that `service` got event `stream` published at `sentAt`.
    func delivered(_ stream: String, to service: String, sentAt: UInt64) {
        let now = DispatchTime.now().uptimeNanoseconds
        state.withLock { state in
            state.latencies.append(Double(now &- sentAt) / 1_000_000)
            if state.seen[service, default: []].insert(stream).inserted {
                state.firstDeliveries += 1
                state.lastDelivery = now
            } else {
                state.duplicates += 1
            }
        }
    }

    /// Waits until every service got every event; throws after `timeout`, saying how many are missing.
    func waitUntilComplete(timeout: Duration) async throws {
        let deadline = ContinuousClock.now + timeout
        while state.withLock({ $0.firstDeliveries }) < expected {
            guard ContinuousClock.now < deadline else {
                let missing = expected - state.withLock { $0.firstDeliveries }
                throw BenchmarkFailure(description: "\(missing) of \(expected) deliveries did not arrive within \(timeout)")
            }
            try await Task.sleep(for: .milliseconds(1))
        }
    }

    func tally() -> Tally {
        state.withLock { Tally(latencies: $0.latencies, duplicates: $0.duplicates, lastDelivery: $0.lastDelivery) }
    }
}
