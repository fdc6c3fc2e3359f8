import EventBrokerMetrics
import EventBrokerTestSupport
import MetricsTestKit
import Testing

@testable import EventBrokerCore
@testable import RedisEventBroker

/// The per-event metrics, recorded by real brokers: published, delivered, acknowledged, failed,
/// retried, dead-lettered and late acknowledgements, with their timers.
@Suite(.timeLimit(.minutes(2))) struct EventMetricsTests {
    struct Refused: Error {}

    @Test func publishedDeliveredAndAcknowledgedEventsAreCountedAndTimed() async throws {
        try await TestRedis.with(brokers: .init(leaseChecker: false)) { redis in
            let metrics = TestMetrics()
            let observer = BrokerMetrics(factory: metrics)
            let billing = try await redis.broker("billing") { $0.observers = [observer] }
            let shop = try await redis.broker("shop") { $0.observers = [observer] }
            try await billing.subscribe("orders")
            for number in 1...3 {
                try await shop.publishEvent(Event(streamId: "order-\(number)", topic: "orders"))
            }
            #expect(metrics.count("reb_events_published_total", on("shop", "orders")) == 3)
            #expect(metrics.timings("reb_publish_duration", on("shop", "orders")) == 3)
            #expect(metrics.count("reb_events_delivered_total", on("billing", "orders")) == 0)

            for _ in 1...3 {
                #expect(try await billing.pick { _ in })
            }
            #expect(try await billing.pick { _ in } == false)
            #expect(metrics.count("reb_events_delivered_total", on("billing", "orders")) == 3)
            #expect(metrics.count("reb_events_acked_total", on("billing", "orders")) == 3)
            #expect(metrics.timings("reb_handler_duration", on("billing", "orders")) == 3)
            #expect(metrics.timings("reb_end_to_end_latency", on("billing", "orders")) == 3)
            #expect(try metrics.expectTimer("reb_end_to_end_latency", on("billing", "orders")).values.allSatisfy { $0 >= 0 })
            #expect(metrics.count("reb_events_failed_total", on("billing", "orders")) == 0)
            #expect(metrics.counters(label: "reb_events_published_total").count == 1, "billing published nothing")
        }
    }

    @Test func aThrowingHandlerCountsAFailureAndARetry() async throws {
        try await TestRedis.with(brokers: .init(leaseChecker: false)) { redis in
            let metrics = TestMetrics()
            let observer = BrokerMetrics(factory: metrics)
            let billing = try await redis.broker("billing") { $0.observers = [observer] }
            let shipping = try await redis.broker("shipping") { configuration in
                configuration.observers = [observer]
                configuration.timeoutPolicy = StandardTimeoutPolicy(backoff: .fixed(.seconds(60)))
            }
            try await billing.subscribe("orders")
            try await shipping.subscribe("orders")
            try await billing.publishEvent(Event(streamId: "order-1", topic: "orders"))

            // billing: back at the front at once, twice, then handled.
            for _ in 1...2 {
                await #expect(throws: Refused.self) { try await billing.pick { _ in throw Refused() } }
            }
            #expect(try await billing.pick { _ in })
            #expect(metrics.count("reb_events_failed_total", on("billing", "orders")) == 2)
            #expect(metrics.count("reb_events_retried_total", on("billing", "orders")) == 2)
            #expect(metrics.count("reb_events_delivered_total", on("billing", "orders")) == 3)
            #expect(metrics.count("reb_events_acked_total", on("billing", "orders")) == 1)
            #expect(metrics.timings("reb_handler_duration", on("billing", "orders")) == 3, "failed handlers are timed too")

            // shipping: retried after a delay.
            await #expect(throws: Refused.self) { try await shipping.pick { _ in throw Refused() } }
            #expect(metrics.count("reb_events_failed_total", on("shipping", "orders")) == 1)
            #expect(metrics.count("reb_events_retried_total", on("shipping", "orders")) == 1)
            #expect(metrics.count("reb_events_dead_lettered_total", on("shipping", "orders")) == 0)
        }
    }

    @Test func anEventWhoseDeliveriesAreUsedUpIsDeadLettered() async throws {
        try await TestRedis.with(brokers: .init(leaseChecker: false)) { redis in
            let metrics = TestMetrics()
            let billing = try await redis.broker("billing") { configuration in
                configuration.observers = [BrokerMetrics(factory: metrics)]
                configuration.timeoutPolicy = StandardTimeoutPolicy(maxDeliveries: 2)
            }
            try await billing.subscribe("orders")
            try await billing.publishEvent(Event(streamId: "order-1", topic: "orders"))
            for _ in 1...2 {
                await #expect(throws: Refused.self) { try await billing.pick { _ in throw Refused() } }
            }
            #expect(metrics.count("reb_events_failed_total", on("billing", "orders")) == 2)
            #expect(metrics.count("reb_events_retried_total", on("billing", "orders")) == 1)
            #expect(metrics.count("reb_events_dead_lettered_total", on("billing", "orders")) == 1)

            // An event no codec can read fails without a handler, under an empty topic.
            let garbage = try await billing.publishEvent(Event(streamId: "order-2", topic: "orders"))
            try await redis.command("HSET", billing.serviceKeys.events, garbage, "\u{1}not an envelope")
            for _ in 1...2 {
                await #expect(throws: BrokerError.self) { try await billing.pick { _ in } }
            }
            #expect(metrics.count("reb_events_failed_total", on("billing", "")) == 2)
            #expect(metrics.count("reb_events_retried_total", on("billing", "")) == 1)
            #expect(metrics.count("reb_events_dead_lettered_total", on("billing", "")) == 1)
            #expect(metrics.count("reb_events_delivered_total", on("billing", "")) == 0)
            #expect(metrics.timings("reb_handler_duration", on("billing", "")) == 0, "no handler ran")
            #expect(try await billing.deadLetters.count() == 2)
        }
    }

    @Test func lateAcknowledgementsAndFailuresAfterALostLeaseAreRejectedAndCounted() async throws {
        try await TestRedis.with(brokers: .init(leaseChecker: false)) { redis in
            // As PickingTests' late ack: 30-second leases, sweeps by hand when the test chooses.
            let metrics = TestMetrics()
            let observer = BrokerMetrics(factory: metrics)
            let stalled = try await redis.broker("billing") { $0.observers = [observer] }
            let other = try await redis.broker("billing") { $0.observers = [observer] }
            try await stalled.subscribe("orders")

            /// As if `stalled` had stalled past its lease: the lease ends now, and `other` takes the event.
            @Sendable func loseTheLease(of id: String) async throws {
                try await redis.command("ZADD", stalled.serviceKeys.leases, "0", id)
                let sweep = try await other.scripts.sweep(
                    service: other.serviceKeys, guardTime: .zero, limit: 10, maxDeliveries: 10, deadLetterLimit: 10)
                #expect(sweep.requeued == 1)
                #expect(try await other.pick { _ in })
            }

            let acked = try await stalled.publishEvent(Event(streamId: "order-1", topic: "orders"))
            await #expect(throws: BrokerError.leaseLost(eventId: acked)) {
                try await stalled.pick { _ in try await loseTheLease(of: acked) }
            }
            #expect(metrics.count("reb_late_acks_rejected_total", on("billing", "orders")) == 1)

            let failed = try await stalled.publishEvent(Event(streamId: "order-2", topic: "orders"))
            await #expect(throws: Refused.self) {
                try await stalled.pick { _ in
                    try await loseTheLease(of: failed)
                    throw Refused()
                }
            }
            #expect(metrics.count("reb_late_acks_rejected_total", on("billing", "orders")) == 2)
            #expect(metrics.count("reb_events_failed_total", on("billing", "orders")) == 1)
            #expect(metrics.count("reb_events_retried_total", on("billing", "orders")) == 0)
            #expect(metrics.count("reb_events_delivered_total", on("billing", "orders")) == 4)
            #expect(metrics.count("reb_events_acked_total", on("billing", "orders")) == 2, "the other instance's")
        }
    }
}
