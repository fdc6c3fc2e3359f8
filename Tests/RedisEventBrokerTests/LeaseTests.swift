import EventBrokerTestSupport
import Foundation
import ServiceLifecycle
import Synchronization
import Testing

@testable import EventBrokerCore
@testable import RedisEventBroker

@Suite(.timeLimit(.minutes(2))) struct LeaseTests {
    struct HandlerFailure: Error, CustomStringConvertible {
        let attempt: Int
        var description: String { "boom #\(attempt)" }
    }

    /// A broker whose lease checker sweeps every 100 ms.
    func quickChecker(_ configuration: inout BrokerConfiguration) {
        configuration.companions = [LeaseChecker(interval: .milliseconds(100))]
    }

    @Test func aHandlerThatOutlivesItsLeaseKeepsItsEvent() async throws {
        try await TestRedis.with { redis in
            let ledger = Ledger()
            let started = Mutex(false)
            // A lease of 6 s, renewed every 2 s: a machine busy with the whole suite may stall
            // the renewal for a second or two, not for four.
            let slow = try await redis.broker("billing") { configuration in
                configuration.processingTimeout = .seconds(6)
                quickChecker(&configuration)
            }
            let other = try await redis.broker("billing") { configuration in
                configuration.processingTimeout = .seconds(6)
                quickChecker(&configuration)
            }
            try await slow.subscribe("orders")
            let id = try await slow.publishEvent(Event(streamId: "order-1", topic: "orders"))
            try await slow.pick { event in
                started.withLock { $0 = true }
                other.pickOnNotification { ledger.record(other, $0) }
                // Two and a half leases long, while the other instance and both checkers keep looking.
                try await Task.sleep(for: .seconds(15))
                ledger.record(slow, event)
            }
            #expect(started.withLock { $0 })
            #expect(ledger.all.map(\.instance) == [slow.instanceId], "only the slow instance handled the event")
            #expect(ledger.handled(by: "billing") == [id: 1])
        }
    }

    @Test func theCheckerPutsTheEventOfADeadInstanceBack() async throws {
        try await TestRedis.with { redis in
            // A lease long enough that the live consumer's own deliveries never expire on a busy machine.
            let consumer = try await redis.broker("billing") { configuration in
                configuration.processingTimeout = .seconds(10)
                quickChecker(&configuration)
            }
            try await consumer.subscribe("orders")
            let lost = try await consumer.publishEvent(Event(streamId: "order-1", topic: "orders"))
            let later = try await consumer.publishEvent(Event(streamId: "order-2", topic: "orders"))
            // An instance takes the first event and dies: no ack, no renewal, no release.
            let dead = try await consumer.scripts.pick(
                service: consumer.serviceKeys, owner: "dead-instance", lease: .milliseconds(500))
            #expect(dead.events.first?.eventId == lost)

            let ledger = Ledger()
            consumer.pickOnNotification { ledger.record(consumer, $0) }
            try await eventually("both events were handled") { ledger.all.count == 2 }
            let handled = ledger.all
            #expect(handled.map(\.eventId).sorted() == [lost, later].sorted())
            #expect(handled.first { $0.eventId == lost }?.deliveryCount == 2, "the dead instance's delivery counts")
        }
    }

    @Test func everyEventOfADeadInstancesBatchComesBack() async throws {
        try await TestRedis.with { redis in
            let consumer = try await redis.broker("billing") { configuration in
                configuration.processingTimeout = .seconds(10)
                quickChecker(&configuration)
            }
            try await consumer.subscribe("orders")
            var published: [String] = []
            for number in 1...4 {
                published.append(try await consumer.publishEvent(Event(streamId: "order-\(number)", topic: "orders")))
            }
            // An instance takes three events in one pick (running and prefetched alike) and dies.
            let dead = try await consumer.scripts.pick(
                service: consumer.serviceKeys, owner: "dead-instance", lease: .milliseconds(500),
                limit: 3)
            #expect(dead.events.map(\.eventId) == Array(published.prefix(3)))

            let ledger = Ledger()
            consumer.pickOnNotification { ledger.record(consumer, $0) }
            try await eventually("every event was handled") { ledger.all.count == 4 }
            #expect(ledger.handled(by: "billing") == Dictionary(uniqueKeysWithValues: published.map { ($0, 1) }))
            for entry in ledger.all {
                #expect(entry.deliveryCount == (entry.eventId == published[3] ? 1 : 2), "\(entry.eventId)")
            }
        }
    }

    @Test func aTopicWithALeaseOfItsOwnGetsItFromTheStart() async throws {
        try await TestRedis.with { redis in
            let broker = try await redis.broker("reports") { configuration in
                configuration.timeoutPolicy = StandardTimeoutPolicy(
                    lease: .perTopic(["monthly": .seconds(600)], default: .seconds(5)))
            }
            try await broker.subscribe("monthly")
            let id = try await broker.publishEvent(Event(streamId: "2026-11", topic: "monthly"))
            try await broker.pick { _ in
                let time = try await redis.command("TIME").array?.compactMap(\.string).compactMap { Int64($0) } ?? []
                let now = time[0] * 1000 + time[1] / 1000
                let deadline = try #require(try await redis.command("ZSCORE", broker.serviceKeys.leases, id).string)
                #expect(Int64(deadline)! > now + 500_000, "the lease is the topic's 10 minutes, not the default 5 seconds")
            }
        }
    }

    @Test func aFailedEventWaitsForItsRetryDelay() async throws {
        try await TestRedis.with { redis in
            let broker = try await redis.broker("billing") { configuration in
                // Long enough that a busy machine gets to the second pick before it passes.
                configuration.timeoutPolicy = StandardTimeoutPolicy(backoff: .fixed(.seconds(5)))
                quickChecker(&configuration)
            }
            try await broker.subscribe("orders")
            let id = try await broker.publishEvent(Event(streamId: "order-1", topic: "orders"))
            await #expect(throws: HandlerFailure.self) {
                try await broker.pick { _ in throw HandlerFailure(attempt: 1) }
            }
            #expect(try await redis.command("ZSCORE", broker.serviceKeys.retries, id) != .null, "the event waits in the retry set")
            #expect(try await broker.pick { _ in } == false, "it is not back in the queue before its delay")
            try await eventually("the retry is due and the checker put it back") {
                try await broker.pick { #expect($0.deliveryCount == 2) }
            }
        }
    }

    @Test func aPoisonEventReachesTheDeadLettersAndTheConsumerGoesOn() async throws {
        try await TestRedis.with { redis in
            let consumer = try await redis.broker("billing") { configuration in
                configuration.timeoutPolicy = StandardTimeoutPolicy(maxDeliveries: 3)
                quickChecker(&configuration)
            }
            try await consumer.subscribe("orders")
            let publisher = try await redis.broker("orders")
            let poison = try await publisher.publishEvent(Event(streamId: "order-1", topic: "orders", message: "poison"))
            let garbage = try await publisher.publishEvent(Event(streamId: "order-2", topic: "orders"))
            try await redis.command("HSET", consumer.serviceKeys.events, garbage, "\u{1}not an envelope")
            let ledger = Ledger()
            let attempts = Mutex(0)
            consumer.pickOnNotification { event in
                if event.message == "poison" {
                    let attempt = attempts.withLock { $0 += 1; return $0 }
                    throw HandlerFailure(attempt: attempt)
                }
                ledger.record(consumer, event)
            }
            try await eventually("both bad events are dead letters") {
                try await consumer.deadLetters.count() == 2
            }
            let healthy = try await publisher.publishEvent(Event(streamId: "order-3", topic: "orders"))
            try await eventually("the consumer still handles good events") { ledger.handled(by: "billing") == [healthy: 1] }

            let letters = try await consumer.deadLetters.list().page
            let thrown = try #require(letters.first { $0.eventId == poison })
            #expect(thrown.error == "boom #3")
            #expect(thrown.deliveries == 3)
            #expect(thrown.topic == "orders")
            #expect(thrown.event?.message == "poison")
            let undecodable = try #require(letters.first { $0.eventId == garbage })
            #expect(undecodable.deliveries == 3)
            #expect(undecodable.error.hasPrefix("undecodable event:"))
            #expect(undecodable.event == nil && undecodable.decodingError != nil)
            #expect(attempts.withLock { $0 } == 3)
        }
    }

    @Test func aDeliveryWhoseLeaseExpiresOnItsLastDeliveryIsDeadLettered() async throws {
        try await TestRedis.with { redis in
            let consumer = try await redis.broker("billing") { configuration in
                configuration.timeoutPolicy = StandardTimeoutPolicy(lease: .fixed(.milliseconds(200)), maxDeliveries: 1)
                quickChecker(&configuration)
            }
            try await consumer.subscribe("orders")
            let id = try await consumer.publishEvent(Event(streamId: "order-1", topic: "orders"))
            _ = try await consumer.scripts.pick(
                service: consumer.serviceKeys, owner: "dead-instance", lease: .milliseconds(200))
            try await eventually("the expired last delivery is a dead letter") {
                try await consumer.deadLetters.count() == 1
            }
            let letter = try #require(try await consumer.deadLetters.list().page.first)
            #expect(letter.eventId == id)
            #expect(letter.error == "the lease of delivery 1 expired")
        }
    }
}
