import EventBrokerTestSupport
import Foundation
import Synchronization
import Testing

@testable import EventBrokerCore
@testable import RedisEventBroker

/// The broker calls its observers at each step, in order, with what happened.
@Suite(.timeLimit(.minutes(2))) struct ObserverTests {
    struct Refused: Error {}

    @Test func oneEventIsObservedStepByStepInOrder() async throws {
        try await TestRedis.with { redis in
            let observer = RecordingObserver()
            let broker = try await redis.broker("billing") { $0.observers = [observer] }
            try await broker.subscribe("orders")
            try await broker.publishEvent(Event(streamId: "order-1", topic: "orders"))
            #expect(try await broker.pick { _ in })
            #expect(
                observer.eventCalls == [
                    .published(service: "billing", topic: "orders", services: 1),
                    .delivered(service: "billing", topic: "orders", deliveryCount: 1),
                    .acknowledged(service: "billing", topic: "orders"),
                ])
            #expect(observer.durationsBelowZero == 0)
        }
    }

    @Test func aConsumerIsObservedInTheSameOrder() async throws {
        try await TestRedis.with { redis in
            let observer = RecordingObserver()
            let broker = try await redis.broker("billing") { $0.observers = [observer] }
            try await broker.subscribe("orders")
            let handled = Atomic<Int>(0)
            broker.pickOnNotification { _ in handled.add(1, ordering: .relaxed) }
            try await broker.publishEvent(Event(streamId: "order-1", topic: "orders"))
            try await eventually("the event was acknowledged") { observer.eventCalls.count == 3 }
            // The publisher is told once Redis answered, and the notified consumer may have
            // taken the event by then: the consumer's calls keep their order.
            let published = RecordingObserver.Call.published(service: "billing", topic: "orders", services: 1)
            #expect(observer.eventCalls.filter { $0 == published }.count == 1)
            #expect(
                observer.eventCalls.filter { $0 != published } == [
                    .delivered(service: "billing", topic: "orders", deliveryCount: 1),
                    .acknowledged(service: "billing", topic: "orders"),
                ])
            #expect(handled.load(ordering: .relaxed) == 1)
        }
    }

    @Test func eachFailureIsObservedWithWhatBecameOfTheEvent() async throws {
        try await TestRedis.with { redis in
            let observer = RecordingObserver()
            let broker = try await redis.broker("billing") { configuration in
                configuration.observers = [observer]
                configuration.timeoutPolicy = StandardTimeoutPolicy(maxDeliveries: 2)
            }
            let delaying = try await redis.broker("shipping") { configuration in
                configuration.observers = [observer]
                configuration.timeoutPolicy = StandardTimeoutPolicy(backoff: .fixed(.seconds(60)))
            }
            try await broker.subscribe("orders")
            try await delaying.subscribe("orders")
            try await broker.publishEvent(Event(streamId: "order-1", topic: "orders"))
            for _ in 1...2 {
                await #expect(throws: Refused.self) { try await broker.pick { _ in throw Refused() } }
            }
            await #expect(throws: Refused.self) { try await delaying.pick { _ in throw Refused() } }
            #expect(
                observer.eventCalls == [
                    .published(service: "billing", topic: "orders", services: 2),
                    .delivered(service: "billing", topic: "orders", deliveryCount: 1),
                    .failed(service: "billing", topic: "orders", outcome: .requeued),
                    .delivered(service: "billing", topic: "orders", deliveryCount: 2),
                    .failed(service: "billing", topic: "orders", outcome: .deadLettered),
                    .delivered(service: "shipping", topic: "orders", deliveryCount: 1),
                    .failed(service: "shipping", topic: "orders", outcome: .delayed),
                ])
        }
    }

    @Test func anUndecodableEventIsObservedAsAFailureWithoutTopicOrDelivery() async throws {
        try await TestRedis.with { redis in
            let observer = RecordingObserver()
            let broker = try await redis.broker("billing") { $0.observers = [observer] }
            try await broker.subscribe("orders")
            let id = try await broker.publishEvent(Event(streamId: "order-1", topic: "orders"))
            try await redis.command("HSET", broker.serviceKeys.events, id, "\u{1}not an envelope")
            await #expect(throws: BrokerError.self) { try await broker.pick { _ in } }
            #expect(
                observer.eventCalls == [
                    .published(service: "billing", topic: "orders", services: 1),
                    .failed(service: "billing", topic: "", outcome: .requeued),
                ])
        }
    }

    @Test func aConsumersLateAckIsObserved() async throws {
        try await TestRedis.with { redis in
            // No lease checkers: the test sweeps by hand, as PickingTests' late ack does.
            let observer = RecordingObserver()
            let stalled = try await redis.broker("billing") { configuration in
                configuration.companions = []
                configuration.observers = [observer]
            }
            let other = try await redis.broker("billing") { $0.companions = [] }
            try await stalled.subscribe("orders")
            let id = try await stalled.publishEvent(Event(streamId: "order-1", topic: "orders"))
            stalled.pickOnNotification { _ in
                // As if this process had stalled past its lease: another instance takes and acks the event.
                try await redis.command("ZADD", stalled.serviceKeys.leases, "0", id)
                _ = try await other.scripts.sweep(
                    service: other.serviceKeys, guardTime: .zero, limit: 10, maxDeliveries: 10, deadLetterLimit: 10)
                _ = try await other.pick { _ in }
            }
            try await eventually("the late ack was observed") { observer.eventCalls.count == 3 }
            #expect(
                observer.eventCalls == [
                    .published(service: "billing", topic: "orders", services: 1),
                    .delivered(service: "billing", topic: "orders", deliveryCount: 1),
                    .lateAcknowledgement(service: "billing", topic: "orders"),
                ])
        }
    }

    @Test func observersAndTheirSamplingIntervalArePartOfTheSharedInstancesConfiguration() async throws {
        try await TestRedis.with { redis in
            let plain = redis.configuration("billing")
            var observed = plain
            observed.observers = [RecordingObserver()]
            var sampledSlowly = observed
            sampledSlowly.depthSamplingInterval = .seconds(60)
            let first = try await RedisEventBroker.shared(plain)
            let second = try await RedisEventBroker.shared(observed)
            let third = try await RedisEventBroker.shared(sampledSlowly)
            #expect(first !== second && second !== third && first !== third)
            #expect(try await RedisEventBroker.shared(observed) === second)
            for broker in [first, second, third] {
                try await broker.shutdown()
            }
        }
    }

    @Test func sweepsReconnectsReloadsAndDepthsReachTheObserver() async throws {
        try await TestRedis.with { redis in
            let observer = RecordingObserver()
            let broker = try await redis.broker("billing") { configuration in
                configuration.observers = [observer]
                configuration.companions = [LeaseChecker(interval: .milliseconds(100))]
                configuration.depthSamplingInterval = .milliseconds(100)
            }
            try await broker.subscribe("orders")
            try await broker.publishEvent(Event(streamId: "order-1", topic: "orders"))
            let expected = QueueDepths(queued: 1, inFlight: 0, delayed: 0, deadLetters: 0)
            try await eventually("a sample shows the queued event") {
                observer.calls.contains(.sampled(service: "billing", depths: expected))
            }
            try await eventually("a sweep was observed") {
                observer.calls.contains(.swept(service: "billing", expiredRequeued: 0, retriesDue: 0, deadLettered: 0))
            }
            try await redis.command("SCRIPT", "FLUSH")
            try await redis.command("CLIENT", "KILL", "TYPE", "normal", "SKIPME", "yes")
            try await eventually("the reconnect and a reload were observed") {
                let calls = observer.calls
                return calls.contains(.reconnected(service: "billing", role: "commands"))
                    && calls.contains(.reloaded(service: "billing", script: "depths"))
            }
        }
    }
}
