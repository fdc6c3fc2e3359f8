import EventBrokerTestSupport
import Foundation
import Synchronization
import Testing

@testable import EventBrokerCore
@testable import RedisEventBroker

/// Publishes that come while a publish script run is on its way go together in the next one; a
/// consumer takes as many events per pick script as it has free handlers; handlers that finish
/// while an ack script is on its way are acknowledged together by the next one. Script runs are
/// counted by the commands each runs once (INFO commandstats): PUBLISH for a publish to one
/// service, RPOP for a pick, ZREM for an ack that removes something.
@Suite(.timeLimit(.minutes(2))) struct BatchingTests {
    @Test func publishesThatComeWhileOneIsOnItsWayShareTheNextScriptRun() async throws {
        try await TestRedis.with { redis in
            let ledger = Ledger()
            let consumer = try await redis.broker("billing") { $0.companions = [] }
            try await consumer.subscribe("orders")
            let publisher = try await redis.broker("orders") { $0.companions = [] }
            try await publisher.publishEvent(Event(streamId: "warm-up", topic: "orders"))
            try await redis.command("CONFIG", "RESETSTAT")
            // Redis holds every command for three seconds: the first publish waits there while
            // the others come (a busy machine may take a while to start ten tasks), and the next
            // run takes all of them.
            try await redis.command("CLIENT", "PAUSE", "3000", "ALL")
            let published = try await withThrowingTaskGroup(of: String.self) { group in
                for number in 1...10 {
                    group.addTask {
                        try await publisher.publishEvent(
                            Event(streamId: "order-\(number)", topic: "orders", message: "OrderPlaced", payload: Order(number: number, item: "mug")))
                    }
                }
                return try await group.reduce(into: Set<String>()) { $0.insert($1) }
            }
            let runs = try await redis.commandCalls("publish")
            #expect(runs >= 1 && runs <= 2, "10 publishes in \(runs) runs")
            #expect(try await redis.command("LLEN", consumer.serviceKeys.published).integer == 11)
            #expect(try await redis.command("LLEN", consumer.serviceKeys.wake).integer == 1, "one marker waits for them all")

            consumer.pickOnNotification { ledger.record(consumer, $0) }
            try await eventually("every event was handled") { ledger.all.count == 11 }
            let handled = ledger.handled(by: "billing")
            #expect(handled.count == 11 && handled.values.allSatisfy { $0 == 1 })
            #expect(published.isSubset(of: Set(handled.keys)))
        }
    }

    @Test func aConsumerTakesAsManyEventsPerPickAsItHasFreeHandlers() async throws {
        try await TestRedis.with { redis in
            let ledger = Ledger()
            let consumer = try await redis.broker("billing") { $0.companions = [] }
            try await consumer.subscribe("orders")
            let publisher = try await redis.broker("orders") { $0.companions = [] }
            let published = try await publishOrders(12, from: publisher)
            try await redis.command("CONFIG", "RESETSTAT")
            let gate = Gate()
            let consuming = gatedConsumer(consumer, concurrency: 8, gate: gate, ledger: ledger)
            try await eventually("8 handlers wait at the gate") { gate.waiting == 8 }
            #expect(try await redis.commandCalls("rpop") == 1, "one pick took the 8 events")
            #expect(try await redis.command("LLEN", consumer.serviceKeys.published).integer == 4)

            gate.open()
            try await eventually("every event was handled") { ledger.all.count == 12 }
            #expect(ledger.handled(by: "billing") == Dictionary(uniqueKeysWithValues: published.map { ($0, 1) }))
            consuming.cancel()
            try await consuming.value
            try await redis.waitUntilIdle(consumers: 0)
        }
    }

    @Test func aConsumerPrefetchesUnderLeaseAndGivesBackWhatItDidNotStartWhenItStops() async throws {
        try await TestRedis.with { redis in
            let ledger = Ledger()
            let consumer = try await redis.broker("billing") { configuration in
                configuration.companions = []
                configuration.consumerPrefetch = 4
            }
            try await consumer.subscribe("orders")
            let publisher = try await redis.broker("orders") { $0.companions = [] }
            let published = try await publishOrders(10, from: publisher)
            try await redis.command("CONFIG", "RESETSTAT")
            let gate = Gate()
            let consuming = gatedConsumer(consumer, concurrency: 2, gate: gate, ledger: ledger)
            try await eventually("2 handlers wait at the gate") { gate.waiting == 2 }
            #expect(try await redis.commandCalls("rpop") == 1, "one pick took 2 events to start and 4 to hold")
            #expect(try await redis.command("HLEN", consumer.serviceKeys.inflight).integer == 6)
            #expect(try await redis.command("LLEN", consumer.serviceKeys.published).integer == 4)

            // Stopping gives the 4 prefetched events back at once, uncounted; the 2 running finish.
            consuming.cancel()
            try await eventually("the prefetched events are back in the queue") {
                try await redis.command("LLEN", consumer.serviceKeys.published).integer == 8
            }
            #expect(try await redis.command("HLEN", consumer.serviceKeys.inflight).integer == 2)
            gate.open()
            try await consuming.value
            #expect(ledger.all.count == 2)

            consumer.pickOnNotification { ledger.record(consumer, $0) }
            try await eventually("every event was handled") { ledger.all.count == 10 }
            #expect(ledger.handled(by: "billing") == Dictionary(uniqueKeysWithValues: published.map { ($0, 1) }))
            #expect(ledger.all.allSatisfy { $0.deliveryCount == 1 }, "giving back counted no delivery")
        }
    }

    @Test func handlersThatFinishWhileAnAckIsOnItsWayAreAcknowledgedTogether() async throws {
        try await TestRedis.with { redis in
            let ledger = Ledger()
            let consumer = try await redis.broker("billing") { $0.companions = [] }
            try await consumer.subscribe("orders")
            let publisher = try await redis.broker("orders") { $0.companions = [] }
            let published = try await publishOrders(8, from: publisher)
            let gate = Gate()
            let consuming = gatedConsumer(consumer, concurrency: 8, gate: gate, ledger: ledger)
            try await eventually("8 handlers wait at the gate") { gate.waiting == 8 }
            try await redis.command("CONFIG", "RESETSTAT")
            // Redis holds every command for three seconds: the first ack run waits there while
            // the other handlers finish, and the next run takes all of them.
            try await redis.command("CLIENT", "PAUSE", "3000", "ALL")
            gate.open()
            try await eventually("every event was handled") { ledger.all.count == 8 }
            try await redis.waitUntilIdle(consumers: 1)
            let ackRuns = try await redis.commandCalls("zrem")
            #expect(ackRuns >= 1 && ackRuns <= 2, "8 acks in \(ackRuns) runs")
            #expect(ledger.handled(by: "billing") == Dictionary(uniqueKeysWithValues: published.map { ($0, 1) }))
            consuming.cancel()
            try await consuming.value
        }
    }

    @Test func aRunOfEventsWakesOneSleepingInstanceWhenItCanTakeThemAll() async throws {
        try await TestRedis.with { redis in
            let ledger = Ledger()
            let consumers = try await redis.sleepingConsumers(8, concurrency: 8) { ledger.record($0, $1) }
            let publisher = try await redis.broker("orders") { $0.companions = [] }
            try await redis.command("CONFIG", "RESETSTAT")
            let published = try await publishInOneRun(6, from: publisher)
            try await eventually("every event was handled") { ledger.all.count == 6 }
            try await redis.waitUntilIdle(consumers: 8)
            #expect(try await redis.commandCalls("rpop") == 1, "one instance woke and took the six events in one pick")
            #expect(ledger.handled(by: "billing") == Dictionary(uniqueKeysWithValues: published.map { ($0, 1) }))
            for consumer in consumers { consumer.cancel() }
        }
    }

    @Test func anInstanceThatLeavesEventsBehindWakesOthersForThem() async throws {
        try await TestRedis.with { redis in
            let ledger = Ledger()
            let gate = Gate()
            // One handler each, no prefetch: an instance takes one event per pick.
            let consumers = try await redis.sleepingConsumers(4, concurrency: 1) { consumer, event in
                await gate.wait()
                ledger.record(consumer, event)
            }
            let publisher = try await redis.broker("orders") { $0.companions = [] }
            let published = try await publishInOneRun(4, from: publisher)
            // The run's one marker wakes one instance; its pick leaves three events and three
            // markers, which wake the other three.
            try await eventually("4 handlers wait at the gate") { gate.waiting == 4 }
            gate.open()
            try await eventually("every event was handled") { ledger.all.count == 4 }
            #expect(ledger.handled(by: "billing") == Dictionary(uniqueKeysWithValues: published.map { ($0, 1) }))
            #expect(Set(ledger.all.map(\.instance)).count == 4, "each instance handled one")
            for consumer in consumers { consumer.cancel() }
        }
    }

    @Test func stoppingSleepingConsumersEndsTheirWaitsAndLeavesNothingBehind() async throws {
        try await TestRedis.with { redis in
            let ledger = Ledger()
            // They would look at the queue again in an hour: only their stop lists end the waits.
            let consumers = try await redis.sleepingConsumers(4, concurrency: 2) { ledger.record($0, $1) }
            for consumer in consumers { consumer.cancel() }
            for consumer in consumers { try await consumer.value }
            try await redis.waitUntilIdle(consumers: 0)

            let billing = try await redis.broker("billing") { $0.companions = [] }
            let publisher = try await redis.broker("orders") { $0.companions = [] }
            let published = try await publishOrders(3, from: publisher)
            #expect(published.count == 3)
            #expect(try await redis.command("LLEN", billing.serviceKeys.published).integer == 3, "no stopped consumer took one")
            #expect(ledger.all.isEmpty)
        }
    }

    @Test func lateAcksInABatchAreToldApartFromTheirNeighbours() async throws {
        try await TestRedis.with { redis in
            let consumer = try await redis.broker("billing") { $0.companions = [] }
            try await consumer.subscribe("orders")
            let publisher = try await redis.broker("orders") { $0.companions = [] }
            for number in 1...3 {
                try await publisher.publishEvent(Event(streamId: "order-\(number)", topic: "orders"))
            }
            let next = try await consumer.takeNext(limit: 3)
            let deliveries = next.taken.compactMap { taken -> Delivery? in
                if case .delivery(let delivery) = taken { return delivery }
                return nil
            }
            try #require(deliveries.count == 3)
            // The second delivery's lease passed to another instance meanwhile.
            try await redis.command("HSET", consumer.serviceKeys.inflight, deliveries[1].eventId, "other-instance.1:2")
            let held = try await consumer.scripts.ack(
                service: consumer.serviceKeys, deliveries: deliveries.map { ($0.eventId, $0.token) })
            #expect(held == [true, false, true])
            #expect(try await redis.command("HKEYS", consumer.serviceKeys.inflight).array?.compactMap(\.string) == [deliveries[1].eventId])
            #expect(try await redis.command("HEXISTS", consumer.serviceKeys.events, deliveries[1].eventId).integer == 1)
            for delivery in deliveries { consumer.leases.letGo(delivery.eventId) }
        }
    }
}

/// Publishes `count` events of `orders` and returns their ids.
private func publishOrders(_ count: Int, from publisher: RedisEventBroker) async throws -> Set<String> {
    var published: Set<String> = []
    for number in 1...count {
        published.insert(try await publisher.publishEvent(Event(streamId: "order-\(number)", topic: "orders")))
    }
    return published
}

/// Consumes with `concurrency` handlers that wait at `gate`, then record their event in `ledger`.
private func gatedConsumer(
    _ consumer: RedisEventBroker, concurrency: Int, gate: Gate, ledger: Ledger
) -> Task<Void, any Error> {
    Task {
        try await consumer.consume(concurrency: concurrency) { event in
            await gate.wait()
            ledger.record(consumer, event)
        }
    }
}

/// Queues `count` events of `orders` in one publish script run, as a batch of concurrent
/// publishes does, and returns their ids.
private func publishInOneRun(_ count: Int, from publisher: RedisEventBroker) async throws -> [String] {
    let events = try (1...count).map { number in
        let id = "order-\(number)-id"
        return (id: id, envelope: try publisher.encode(Event(streamId: "order-\(number)", topic: "orders"), id: id))
    }
    _ = try await publisher.queue(events, topic: "orders")
    return events.map(\.id)
}

extension TestRedis {
    /// `count` instances of billing consuming orders with `concurrency` handlers each, once all
    /// of them sleep in `BLPOP` with nothing but a wake-up marker to rouse them (their idle poll
    /// is an hour, and no companion runs).
    fileprivate func sleepingConsumers(
        _ count: Int, concurrency: Int, handler: @escaping @Sendable (RedisEventBroker, DeliveredEvent) async -> Void
    ) async throws -> [Task<Void, any Error>] {
        var consumers: [Task<Void, any Error>] = []
        for _ in 0..<count {
            let consumer = try await broker("billing") { configuration in
                configuration.idlePollInterval = .seconds(3600)
                configuration.companions = []
            }
            try await consumer.subscribe("orders")
            consumers.append(Task { try await consumer.consume(concurrency: concurrency) { await handler(consumer, $0) } })
        }
        try await eventually("every consumer sleeps") { try await blockedClients() == count }
        return consumers
    }
}

/// Holds handlers until ``open()``; counts those waiting.
private final class Gate: Sendable {
    private struct State {
        var isOpen = false
        var waiting: [CheckedContinuation<Void, Never>] = []
    }

    private let state = Mutex(State())

    /// How many callers wait.
    var waiting: Int { state.withLock { $0.waiting.count } }

    /// Returns once the gate is open.
    func wait() async {
        await withCheckedContinuation { continuation in
            let open = state.withLock { state in
                if !state.isOpen { state.waiting.append(continuation) }
                return state.isOpen
            }
            if open { continuation.resume() }
        }
    }

    /// Lets every waiting and later caller through.
    func open() {
        let waiting = state.withLock { state in
            state.isOpen = true
            defer { state.waiting = [] }
            return state.waiting
        }
        waiting.forEach { $0.resume() }
    }
}
