import EventBrokerTestSupport
import Foundation
import Synchronization
import Testing

@testable import EventBrokerCore
@testable import RedisEventBroker

@Suite(.timeLimit(.minutes(2))) struct ConsumerTests {
    struct HandlerFailure: Error {}

    @Test func pickOnNotificationHandlesEveryEventEvenWhenNotificationsAreLost() async throws {
        try await TestRedis.with { redis in
            let ledger = Ledger()
            let notifications = Mutex(0)
            for _ in 0..<2 {
                let instance = try await redis.broker("billing")
                try await instance.subscribe("orders")
                instance.onNotification { _ in notifications.withLock { $0 += 1 } }
                instance.pickOnNotification { event in
                    try await Task.sleep(for: .milliseconds(1))
                    ledger.record(instance, event)
                }
            }
            let publisher = try await redis.broker("orders")
            var published: Set<String> = []
            for number in 1...20 {
                published.insert(try await publisher.publishEvent(Event(streamId: "order-\(number)", topic: "orders")))
                if number % 4 == 0 {
                    try await redis.command("CLIENT", "KILL", "TYPE", "pubsub")
                }
            }
            try await eventually("every event was handled") { ledger.handled(by: "billing").count == 20 }
            #expect(ledger.handled(by: "billing") == Dictionary(uniqueKeysWithValues: published.map { ($0, 1) }))
            #expect(ledger.all.count == 20)
        }
    }

    @Test func aThrowingAsyncHandlerCountsAsAFailureAndItsEventIsHandledAgain() async throws {
        try await TestRedis.with { redis in
            let ledger = Ledger()
            let consumer = try await redis.broker("billing")
            try await consumer.subscribe("orders")
            let publisher = try await redis.broker("orders")
            var ids: [String] = []
            for number in 1...5 {
                ids.append(try await publisher.publishEvent(Event(streamId: "order-\(number)", topic: "orders")))
            }
            let failing = ids[2]
            consumer.pickOnNotification { event in
                try await Task.sleep(for: .milliseconds(5))
                if event.id == failing && event.deliveryCount == 1 {
                    ledger.record(consumer, event, succeeded: false)
                    throw HandlerFailure()
                }
                ledger.record(consumer, event)
            }
            try await eventually("every event was handled") { ledger.handled(by: "billing").count == 5 }
            #expect(ledger.handled(by: "billing").values.allSatisfy { $0 == 1 })
            let attempts = ledger.all.filter { $0.eventId == failing }
            #expect(attempts.map(\.deliveryCount) == [1, 2])
            #expect(attempts.map(\.succeeded) == [false, true])
        }
    }

    @Test func aConsumerRunsAtMostItsConcurrencyOfHandlersAtOnce() async throws {
        try await TestRedis.with { redis in
            let consumer = try await redis.broker("billing")
            try await consumer.subscribe("orders")
            for number in 1...12 {
                try await consumer.publishEvent(Event(streamId: "order-\(number)", topic: "orders"))
            }
            struct Counters { var active = 0, most = 0, done = 0 }
            let counters = Mutex(Counters())
            let consuming = Task {
                try await consumer.consume(concurrency: 3) { _ in
                    counters.withLock { $0.active += 1; $0.most = max($0.most, $0.active) }
                    // Hold every handler until three run at once (or the rest of the queue is running).
                    try await eventually("three handlers run at once") {
                        counters.withLock { $0.active == 3 || $0.active + $0.done == 12 }
                    }
                    counters.withLock { $0.active -= 1; $0.done += 1 }
                }
            }
            try await eventually("all events were handled") { counters.withLock { $0.done } == 12 }
            consuming.cancel()
            try await consuming.value
            #expect(counters.withLock { $0.most } == 3)
        }
    }

    @Test func shutdownLetsRunningHandlersFinishThenClosesEveryConnection() async throws {
        try await TestRedis.with { redis in
            let consumer = try await redis.broker("billing")
            try await consumer.subscribe("orders")
            consumer.onNotification { _ in }
            let started = Mutex(false)
            let release = Mutex(false)
            let shutdownFinished = Atomic(false)
            let finishedBeforeShutdown = Mutex<Bool?>(nil)
            consumer.pickOnNotification { _ in
                started.withLock { $0 = true }
                try await eventually("the test releases the handler") { release.withLock { $0 } }
                finishedBeforeShutdown.withLock { $0 = !shutdownFinished.load(ordering: .relaxed) }
            }
            let publisher = try await redis.broker("orders")
            try await publisher.publishEvent(Event(streamId: "order-1", topic: "orders"))
            try await eventually("the handler started") { started.withLock { $0 } }
            let shutdown = Task {
                try await consumer.shutdown()
                shutdownFinished.store(true, ordering: .relaxed)
            }
            try await Task.sleep(for: .milliseconds(300))
            release.withLock { $0 = true }
            try await shutdown.value
            #expect(finishedBeforeShutdown.withLock { $0 } == true)
            #expect(try await redis.keys().filter { $0.hasPrefix(consumer.serviceKeys.base) } == [], "the event was acked")
            let prefix = RedisEventBroker.clientName(serviceName: "billing", instanceId: consumer.instanceId, role: "")
            try await eventually("the server saw every connection of the consumer close") {
                try await redis.clientNames().allSatisfy { !$0.hasPrefix(prefix) }
            }
            await #expect(throws: BrokerError.shutDown) { try await consumer.pick { _ in } }
        }
    }
}
