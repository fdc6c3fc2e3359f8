import EventBrokerChecker
import EventBrokerMetrics
import EventBrokerTestSupport
import Logging
import MetricsTestKit
import Testing

@testable import EventBrokerCore
@testable import RedisEventBroker

/// The metrics of faults and their recovery: expired leases and the checker's dead letters,
/// reconnects and script reloads.
@Suite(.timeLimit(.minutes(2))) struct RecoveryMetricsTests {
    @Test func expiredLeasesAndTheCheckersDeadLettersAreCounted() async throws {
        try await TestRedis.with { redis in
            let metrics = TestMetrics()
            let broker = try await redis.broker("billing") { configuration in
                configuration.observers = [BrokerMetrics(factory: metrics)]
                configuration.companions = [LeaseChecker(interval: .milliseconds(100))]
                configuration.timeoutPolicy = StandardTimeoutPolicy(maxDeliveries: 2)
            }
            try await broker.subscribe("orders")
            try await broker.publishEvent(Event(streamId: "order-1", topic: "orders"))
            // An instance takes the event and dies, as in LeaseTests: no ack, no renewal.
            _ = try await broker.scripts.pick(
                service: broker.serviceKeys, owner: "dead-instance", lease: .milliseconds(200))
            try await eventually("the checker put the expired delivery back") {
                metrics.count("reb_leases_expired_total", [("service", "billing")]) == 1
            }
            // It dies again on the event's last delivery: the checker dead-letters it.
            let last = try await broker.scripts.pick(
                service: broker.serviceKeys, owner: "dead-instance", lease: .milliseconds(200))
            #expect(last.events.first?.deliveryCount == 2)
            try await eventually("the checker dead-lettered the expired last delivery") {
                metrics.count("reb_events_dead_lettered_total", on("billing", "")) == 1
            }
            #expect(metrics.count("reb_leases_expired_total", [("service", "billing")]) == 1)
            #expect(try await broker.deadLetters.count() == 1)
        }
    }

    @Test func theStandaloneCheckerReportsTheLeasesItPutsBack() async throws {
        try await TestRedis.with(brokers: .init(leaseChecker: false)) { redis in
            for name in ["billing", "shipping"] {
                let broker = try await redis.broker(name)
                try await broker.subscribe("orders")
                try await broker.publishEvent(Event(streamId: "order-\(name)", topic: "orders"))
                _ = try await broker.scripts.pick(
                    service: broker.serviceKeys, owner: "dead-instance", lease: .milliseconds(100))
            }
            let metrics = TestMetrics()
            let checker = try StandaloneChecker(
                redisURL: redis.url, interval: .milliseconds(100), observers: [BrokerMetrics(factory: metrics)],
                logger: Logger(label: "test.checker"))
            let running = Task { try await checker.run() }
            try await eventually("both expired leases were put back") {
                metrics.count("reb_leases_expired_total", [("service", "billing")]) == 1
                    && metrics.count("reb_leases_expired_total", [("service", "shipping")]) == 1
            }
            running.cancel()
            try await running.value
        }
    }

    @Test func reconnectsAreCountedByConnection() async throws {
        try await TestRedis.with(brokers: .init(leaseChecker: false)) { redis in
            let metrics = TestMetrics()
            let broker = try await redis.broker("billing") { $0.observers = [BrokerMetrics(factory: metrics)] }
            try await broker.subscribe("orders")
            broker.pickOnNotification { _ in }
            broker.onNotification { _ in }
            let listener = try #require(broker.notificationListener)
            try await listener.connection.waitForSubscription(count: 1)
            try await eventually("the consumer waits on its own connection") {
                try await redis.clientId(of: broker, role: "wait") != nil
            }

            let commands = try #require(try await redis.clientId(of: broker, role: "commands"))
            try await redis.command("CLIENT", "KILL", "ID", commands)
            #expect(try await broker.pick { _ in } == false, "the next call reconnects")
            #expect(metrics.count("reb_reconnects_total", [("service", "billing"), ("role", "commands")]) == 1)

            let wait = try #require(try await redis.clientId(of: broker, role: "wait"))
            try await redis.command("CLIENT", "KILL", "ID", wait)
            try await redis.command("CLIENT", "KILL", "TYPE", "pubsub")
            try await eventually("the wait and notify connections reconnected") {
                metrics.count("reb_reconnects_total", [("service", "billing"), ("role", "wait")]) == 1
                    && metrics.count("reb_reconnects_total", [("service", "billing"), ("role", "notify")]) == 1
            }
            try await listener.connection.waitForSubscription(count: 2)
            #expect(metrics.count("reb_reconnects_total", [("service", "billing"), ("role", "commands")]) == 1)
        }
    }

    @Test func scriptReloadsAreCountedByScript() async throws {
        try await TestRedis.with(brokers: .init(leaseChecker: false)) { redis in
            let metrics = TestMetrics()
            let broker = try await redis.broker("billing") { $0.observers = [BrokerMetrics(factory: metrics)] }
            try await broker.subscribe("orders")
            try await broker.publishEvent(Event(streamId: "order-1", topic: "orders"))
            #expect(try await broker.pick { _ in })
            // A server that never saw a script loads it on its first use: that counts as well.
            let publish = [("service", "billing"), ("script", "publish")]
            let pick = [("service", "billing"), ("script", "pick")]
            #expect(metrics.count("reb_script_reloads_total", publish) == 1)
            #expect(metrics.count("reb_script_reloads_total", pick) == 1)

            try await redis.command("SCRIPT", "FLUSH")
            try await broker.publishEvent(Event(streamId: "order-2", topic: "orders"))
            try await broker.publishEvent(Event(streamId: "order-3", topic: "orders"))
            #expect(metrics.count("reb_script_reloads_total", publish) == 2)
            #expect(metrics.count("reb_script_reloads_total", pick) == 1)
            #expect(try await broker.pick { _ in })
            #expect(metrics.count("reb_script_reloads_total", pick) == 2)
        }
    }
}
