import Foundation
import Logging
import RedisEventBroker
import Synchronization

/// The demo's scenario: a shop publishes orders; billing (three instances) and shipping (two)
/// handle each order once per service; billing fails once and the failed order comes back.
struct ShopDemo {
    /// The payload of each published order.
    struct OrderPlaced: Codable, Sendable {
        var number: Int
        var total: Double
    }

    /// Billing's failure for the order chosen to fail on its first delivery.
    struct PaymentDeclined: Error, CustomStringConvertible {
        var description: String { "payment declined (the demo's deliberate failure)" }
    }

    let redisURL: String
    let orders: Int
    let logLevel: Logger.Level

    /// The services that handle orders and how many instances each runs.
    static let services = [("billing", 3), ("shipping", 2)]

    /// Runs the scenario and returns what happened.
    func run() async throws -> DemoJournal.Summary {
        let journal = DemoJournal(services: Self.services.map(\.0))
        let failingOrder = (orders + 1) / 2
        var brokers: [RedisEventBroker] = []
        for (service, instances) in Self.services {
            for instance in 1...instances {
                let broker = try await RedisEventBroker(configuration(service))
                brokers.append(broker)
                try await broker.subscribe("orders")
                let name = "\(service)#\(instance)"
                broker.pickOnNotification { event in
                    journal.started(event.id)
                    let order = try event.payload(as: OrderPlaced.self)
                    try await Task.sleep(for: .milliseconds(Int.random(in: 5...40)))
                    if service == "billing" && order.number == failingOrder && event.deliveryCount == 1 {
                        print("\(name.padding(toLength: 11, withPad: " ", startingAt: 0)) order \(order.number): \(PaymentDeclined()); it goes back to the queue")
                        throw PaymentDeclined()
                    }
                    journal.handled(event.id, by: service, instance: name, delivery: event.deliveryCount)
                    print("\(name.padding(toLength: 11, withPad: " ", startingAt: 0)) order \(order.number) handled (delivery \(event.deliveryCount))")
                }
            }
        }
        let shop = try await RedisEventBroker(configuration("shop"))
        brokers.append(shop)
        print("Billing runs 3 instances, shipping 2; the shop publishes \(orders) orders.")
        for number in 1...orders {
            let id = try await shop.publishEvent(
                Event(streamId: "order-\(number)", topic: "orders", message: "orderPlaced",
                      payload: OrderPlaced(number: number, total: Double(number) * 9.5)))
            journal.published(id)
            try await Task.sleep(for: .milliseconds(10))
        }
        let deadline = ContinuousClock.now + .seconds(60)
        while !journal.everyEventHandled, ContinuousClock.now < deadline {
            try await Task.sleep(for: .milliseconds(20))
        }
        for broker in brokers {
            try await broker.shutdown()
        }
        return journal.summary()
    }

    private func configuration(_ service: String) -> BrokerConfiguration {
        var configuration = BrokerConfiguration(serviceName: service, redisURL: redisURL, processingTimeout: .seconds(10))
        var logger = Logger(label: "demo.\(service)")
        logger.logLevel = logLevel
        configuration.logger = logger
        return configuration
    }
}

/// What the demo saw: publishes, handler starts and successful handlings.
final class DemoJournal: Sendable {
    private struct State {
        var publishedAt: [String: ContinuousClock.Instant] = [:]
        var latencies: [Duration] = []
        var handled: [String: [String: Int]] = [:]
        var perInstance: [String: Int] = [:]
        var redelivered: [String: Int] = [:]
    }

    private let services: [String]
    private let state = Mutex(State())

    init(services: [String]) {
        self.services = services
    }

    func published(_ id: String) {
        state.withLock { $0.publishedAt[id] = .now }
    }

    func started(_ id: String) {
        state.withLock { state in
            if let publishedAt = state.publishedAt[id] { state.latencies.append(.now - publishedAt) }
        }
    }

    func handled(_ id: String, by service: String, instance: String, delivery: Int) {
        state.withLock { state in
            state.handled[service, default: [:]][id, default: 0] += 1
            state.perInstance[instance, default: 0] += 1
            if delivery > 1 { state.redelivered[service, default: 0] += 1 }
        }
    }

    var everyEventHandled: Bool {
        state.withLock { state in
            services.allSatisfy { service in
                state.publishedAt.keys.allSatisfy { state.handled[service]?[$0] != nil }
            }
        }
    }

    /// The figures the demo ends with.
    struct Summary {
        var published: Int
        var handled: [(service: String, distinct: Int, total: Int, redelivered: Int)]
        var perInstance: [(String, Int)]
        var lost: Int
        var latencyP50: Duration
        var latencyP99: Duration

        func report() -> String {
            var lines = ["", "Summary", "  published  \(published) orders"]
            for entry in handled {
                let instances = perInstance.filter { $0.0.hasPrefix(entry.service + "#") }
                    .map { "\($0.0) \($0.1)" }.joined(separator: ", ")
                let service = entry.service.padding(toLength: 9, withPad: " ", startingAt: 0)
                lines.append(
                    "  \(service)  handled \(entry.distinct) of \(published), \(entry.total - entry.distinct) twice"
                        + " (\(instances)); redelivered after a failure: \(entry.redelivered)")
            }
            lines.append("  lost       \(lost)")
            lines.append("  latency    publish → handler start: p50 \(Self.milliseconds(latencyP50)), p99 \(Self.milliseconds(latencyP99))")
            return lines.joined(separator: "\n")
        }

        private static func milliseconds(_ duration: Duration) -> String {
            String(format: "%.1f ms", duration.secondsValue * 1000)
        }
    }

    func summary() -> Summary {
        state.withLock { state in
            let latencies = state.latencies.sorted()
            func percentile(_ p: Double) -> Duration {
                latencies.isEmpty ? .zero : latencies[min(latencies.count - 1, Int(Double(latencies.count) * p))]
            }
            let handled = services.map { service in
                let counts = state.handled[service] ?? [:]
                return (service, counts.count, counts.values.reduce(0, +), state.redelivered[service] ?? 0)
            }
            let lost = services.reduce(0) { lost, service in
                lost + state.publishedAt.keys.filter { state.handled[service]?[$0] == nil }.count
            }
            return Summary(
                published: state.publishedAt.count, handled: handled,
                perInstance: state.perInstance.sorted { $0.key < $1.key }, lost: lost,
                latencyP50: percentile(0.5), latencyP99: percentile(0.99))
        }
    }
}
