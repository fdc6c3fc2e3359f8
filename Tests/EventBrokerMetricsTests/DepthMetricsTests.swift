import EventBrokerMetrics
import EventBrokerTestSupport
import MetricsTestKit
import Testing

@testable import EventBrokerCore
@testable import RedisEventBroker

/// The depth gauges, sampled by the broker instances with observers.
@Suite(.timeLimit(.minutes(2))) struct DepthMetricsTests {
    struct Refused: Error {}

    @Test func theGaugesShowWhereTheServicesEventsAre() async throws {
        try await TestRedis.with(brokers: .init(leaseChecker: false)) { redis in
            let metrics = TestMetrics()
            // The sampled instance retries failed events after a minute; the other dead-letters them.
            let sampled = try await redis.broker("billing") { configuration in
                configuration.observers = [BrokerMetrics(factory: metrics)]
                configuration.depthSamplingInterval = .milliseconds(100)
                configuration.timeoutPolicy = StandardTimeoutPolicy(backoff: .fixed(.seconds(60)))
            }
            let strict = try await redis.broker("billing") { configuration in
                configuration.timeoutPolicy = StandardTimeoutPolicy(maxDeliveries: 1)
            }
            try await sampled.subscribe("orders")
            try await eventually("an empty service was sampled") {
                metrics.gauge("reb_queue_depth", service: "billing") == 0
            }

            try await sampled.publishEvent(Event(streamId: "order-1", topic: "orders"))
            _ = try await sampled.scripts.pick(
                service: sampled.serviceKeys, owner: "busy-instance", lease: .seconds(60))
            try await sampled.publishEvent(Event(streamId: "order-2", topic: "orders"))
            await #expect(throws: Refused.self) { try await sampled.pick { _ in throw Refused() } }
            try await sampled.publishEvent(Event(streamId: "order-3", topic: "orders"))
            await #expect(throws: Refused.self) { try await strict.pick { _ in throw Refused() } }
            try await sampled.publishEvent(Event(streamId: "order-4", topic: "orders"))
            try await sampled.publishEvent(Event(streamId: "order-5", topic: "orders"))

            try await eventually("a sample shows 2 queued, 1 in flight, 1 delayed and 1 dead letter") {
                metrics.gauge("reb_queue_depth", service: "billing") == 2
                    && metrics.gauge("reb_in_flight", service: "billing") == 1
                    && metrics.gauge("reb_delayed", service: "billing") == 1
                    && metrics.gauge("reb_dead_letters", service: "billing") == 1
            }
        }
    }

    @Test func onlyInstancesWithObserversSample() async throws {
        try await TestRedis.with(brokers: .init(leaseChecker: false)) { redis in
            let metrics = TestMetrics()
            let broker = try await redis.broker("billing")
            #expect(broker.depthSampler == nil)
            let observed = try await redis.broker("billing") { configuration in
                configuration.observers = [BrokerMetrics(factory: metrics)]
                configuration.depthSamplingInterval = .seconds(7)
            }
            let sampler = try #require(observed.depthSampler)
            #expect(sampler.interval == .seconds(7))
            #expect(sampler.service == observed.serviceKeys)
        }
    }
}
