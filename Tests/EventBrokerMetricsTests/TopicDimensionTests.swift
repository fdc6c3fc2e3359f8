import CoreMetrics
import EventBrokerMetrics
import EventBrokerTestSupport
import MetricsTestKit
import Synchronization
import Testing

@testable import EventBrokerCore
@testable import EventBrokerMetrics
@testable import RedisEventBroker

/// The topic dimension settings, and handles made once per series.
@Suite(.timeLimit(.minutes(2))) struct TopicDimensionTests {
    /// Publishes one event on each of `topics` from `shop` and picks them all with `billing`.
    func publishAndPick(_ topics: [String], _ redis: TestRedis, _ observer: BrokerMetrics) async throws {
        let billing = try await redis.broker("billing") { $0.observers = [observer] }
        let shop = try await redis.broker("shop") { $0.observers = [observer] }
        for topic in Set(topics) {
            try await billing.subscribe(topic)
        }
        for (number, topic) in topics.enumerated() {
            try await shop.publishEvent(Event(streamId: "s-\(number)", topic: topic))
        }
        while try await billing.pick({ _ in }) {}
    }

    @Test func aLimitedTopicDimensionReportsLaterTopicsAsOther() async throws {
        try await TestRedis.with(brokers: .init(leaseChecker: false)) { redis in
            let metrics = TestMetrics()
            let observer = BrokerMetrics(factory: metrics, topicDimension: .limited(2))
            try await publishAndPick(["orders", "refunds", "orders", "returns", "invoices"], redis, observer)
            #expect(metrics.count("reb_events_published_total", on("shop", "orders")) == 2)
            #expect(metrics.count("reb_events_published_total", on("shop", "refunds")) == 1)
            #expect(metrics.count("reb_events_published_total", on("shop", "other")) == 2)
            #expect(metrics.count("reb_events_delivered_total", on("billing", "other")) == 2)
            #expect(metrics.count("reb_events_acked_total", on("billing", "orders")) == 2)
            let topics = Set(metrics.counters.flatMap { $0.dimensions.filter { $0.0 == "topic" }.map(\.1) })
            #expect(topics == ["orders", "refunds", "other"])
        }
    }

    @Test func withoutATopicDimensionOnlyTheServiceIsADimension() async throws {
        try await TestRedis.with(brokers: .init(leaseChecker: false)) { redis in
            let metrics = TestMetrics()
            let observer = BrokerMetrics(factory: metrics, topicDimension: .none)
            try await publishAndPick(["orders", "refunds", "returns"], redis, observer)
            #expect(metrics.count("reb_events_published_total", [("service", "shop")]) == 3)
            #expect(metrics.count("reb_events_delivered_total", [("service", "billing")]) == 3)
            #expect(metrics.count("reb_events_acked_total", [("service", "billing")]) == 3)
            #expect(metrics.timings("reb_handler_duration", [("service", "billing")]) == 3)
            #expect(metrics.counters.allSatisfy { !$0.dimensions.contains { $0.0 == "topic" } })
            #expect(metrics.timers.allSatisfy { $0.dimensions.map(\.0) == ["service"] })
        }
    }

    @Test func aLimitAdmitsExactlyItsNumberOfTopicsUnderConcurrentUse() async {
        let names = TopicNames(.limited(3))
        let values = await withTaskGroup(of: String?.self) { group in
            for index in 0..<200 {
                group.addTask { names.value(for: "topic-\(index % 20)") }
            }
            return await group.reduce(into: Set<String?>()) { $0.insert($1) }
        }
        #expect(values.count == 4, "three topics and other")
        #expect(values.contains("other"))
        #expect(names.value(for: "") == "", "the unknown topic takes no place")
    }

    @Test func handlesAreMadeOncePerSeries() {
        let factory = CountingFactory()
        let observer = BrokerMetrics(factory: factory)
        for _ in 0..<100 {
            observer.eventPublished(service: "shop", topic: "orders", services: 1, duration: .milliseconds(1))
            observer.eventDelivered(service: "billing", topic: "orders", deliveryCount: 1, latency: .milliseconds(3))
            observer.queueDepthsSampled(
                service: "billing", depths: QueueDepths(queued: 1, inFlight: 2, delayed: 3, deadLetters: 4))
        }
        #expect(factory.made == 2 + 2 + 4)
        #expect(factory.metrics.count("reb_events_published_total", on("shop", "orders")) == 100)
    }
}

/// A factory that counts the handlers it makes, recording through a `TestMetrics`.
final class CountingFactory: MetricsFactory {
    let metrics = TestMetrics()
    private let handlers = Atomic<Int>(0)

    /// How many handlers were made.
    var made: Int { handlers.load(ordering: .relaxed) }

    func makeCounter(label: String, dimensions: [(String, String)]) -> any CounterHandler {
        handlers.add(1, ordering: .relaxed)
        return metrics.makeCounter(label: label, dimensions: dimensions)
    }

    func makeRecorder(label: String, dimensions: [(String, String)], aggregate: Bool) -> any RecorderHandler {
        handlers.add(1, ordering: .relaxed)
        return metrics.makeRecorder(label: label, dimensions: dimensions, aggregate: aggregate)
    }

    func makeTimer(label: String, dimensions: [(String, String)]) -> any TimerHandler {
        handlers.add(1, ordering: .relaxed)
        return metrics.makeTimer(label: label, dimensions: dimensions)
    }

    func destroyCounter(_ handler: any CounterHandler) {
        metrics.destroyCounter(handler)
    }

    func destroyRecorder(_ handler: any RecorderHandler) {
        metrics.destroyRecorder(handler)
    }

    func destroyTimer(_ handler: any TimerHandler) {
        metrics.destroyTimer(handler)
    }
}
