import EventBrokerTestSupport
import Foundation
import RedisServerProcess
import Synchronization
import Testing

@testable import EventBrokerCore
@testable import RedisEventBroker

@Suite(.timeLimit(.minutes(2))) struct RecoveryTests {
    @Test func scriptsAreReloadedAfterScriptFlush() async throws {
        try await TestRedis.with { redis in
            let billing = try await redis.broker("billing")
            try await billing.subscribe("orders")
            try await billing.publishEvent(Event(streamId: "order-1", topic: "orders"))
            try await redis.command("SCRIPT", "FLUSH")
            let id = try await billing.publishEvent(Event(streamId: "order-2", topic: "orders"))
            try await redis.command("SCRIPT", "FLUSH")
            #expect(try await billing.pick { _ in })
            try await redis.command("SCRIPT", "FLUSH")
            #expect(try await nextEventId(billing) == id)
        }
    }

    @Test func callsSucceedAfterTheBrokersConnectionsAreKilled() async throws {
        try await TestRedis.with { redis in
            let ledger = Ledger()
            // A kill can land while a pick's reply is on its way: the event is then leased to a
            // delivery that never reached this instance, and comes back when the lease expires
            // (the lease checker puts it back).
            let consumer = try await redis.broker("billing") { $0.processingTimeout = .seconds(2) }
            try await consumer.subscribe("orders")
            consumer.pickOnNotification { ledger.record(consumer, $0) }
            let publisher = try await redis.broker("orders")
            var published: Set<String> = []
            for number in 1...6 {
                try await redis.command("CLIENT", "KILL", "TYPE", "normal", "SKIPME", "yes")
                published.insert(try await publisher.publishEvent(Event(streamId: "order-\(number)", topic: "orders")))
            }
            try await eventually("every event was handled") { ledger.handled(by: "billing").count == 6 }
            // At least once: a kill can also swallow an ack, and that event is then handled again.
            #expect(Set(ledger.handled(by: "billing").keys) == published)
        }
    }

    @Test func aRestartedServerKeepsQueuedEventsAndNotificationsComeBack() async throws {
        try await TestRedis.with(
            .init(appendOnly: true), brokers: .init(cluster: TestRedis.BrokerSettings.clusterWithEveryKeyOnTheServer)
        ) { redis in
            let billing = try await redis.broker("billing")
            try await billing.subscribe("orders")
            let topics = Mutex<[String]>([])
            billing.onNotification { topic in topics.withLock { $0.append(topic) } }
            let listener = try #require(billing.notificationListener)
            try await listener.connection.waitForSubscription(count: 1)
            let queued = try await billing.publishEvent(Event(streamId: "order-1", topic: "orders"))

            try await redis.server.restart()

            // The next call reconnects and reloads the scripts the restart dropped.
            #expect(try await nextEventId(billing) == queued)
            try await listener.connection.waitForSubscription(count: 2)
            try await billing.publishEvent(Event(streamId: "order-2", topic: "orders"))
            try await eventually("a notification arrived after the restart") { topics.withLock { $0.count } == 2 }
            #expect(topics.withLock { $0 } == ["orders", "orders"])
        }
    }

    @Test func subscriptionsComeBackWhenARestartLostTheData() async throws {
        try await TestRedis.with(brokers: .init(cluster: TestRedis.BrokerSettings.clusterWithEveryKeyOnTheServer)) { redis in
            let billing = try await redis.broker("billing")
            try await billing.subscribe("orders")
            let publisher = try await redis.broker("orders")
            try await redis.server.restart()
            // Without persistence the registry is gone; the instance re-asserts its subscriptions
            // as soon as its connection is back.
            #expect(try await billing.pick { _ in } == false)
            try await eventually("the subscription is back in Redis") {
                try await redis.command("SCARD", billing.layout.topic("orders").subscribers).integer == 1
            }
            let id = try await publisher.publishEvent(Event(streamId: "order-1", topic: "orders"))
            #expect(try await nextEventId(billing) == id)
        }
    }
}
