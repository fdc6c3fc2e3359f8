import EventBrokerTestSupport
import Foundation
import Testing

@testable import EventBrokerCore
@testable import RedisEventBroker

@Suite(.timeLimit(.minutes(2))) struct DeadLetterTests {
    struct Refused: Error, CustomStringConvertible {
        var description: String { "refused" }
    }

    /// A service whose events die on their first failure, with `events` dead letters made:
    /// half on topic "orders", half on "refunds".
    func deadLetters(_ redis: TestRedis, events: Int, limit: Int = 100) async throws -> (RedisEventBroker, [String]) {
        let broker = try await redis.broker("billing") { configuration in
            configuration.timeoutPolicy = StandardTimeoutPolicy(maxDeliveries: 1)
            configuration.deadLetterLimit = limit
        }
        try await broker.subscribe("orders")
        try await broker.subscribe("refunds")
        var ids: [String] = []
        for number in 0..<events {
            ids.append(
                try await broker.publishEvent(
                    Event(streamId: "s-\(number)", topic: number.isMultiple(of: 2) ? "orders" : "refunds")))
        }
        for _ in 0..<events {
            await #expect(throws: Refused.self) { try await broker.pick { _ in throw Refused() } }
        }
        return (broker, ids)
    }

    @Test func deadLettersAreListedOldestFirstWithTheirEventAndError() async throws {
        try await TestRedis.with { redis in
            let (broker, ids) = try await deadLetters(redis, events: 5)
            #expect(try await broker.deadLetters.count() == 5)
            let (total, page) = try await broker.deadLetters.list(offset: 1, limit: 3)
            #expect(total == 5)
            #expect(page.map(\.eventId) == Array(ids[1...3]))
            #expect(page.allSatisfy { $0.error == "refused" && $0.deliveries == 1 })
            #expect(page.map(\.topic) == ["refunds", "orders", "refunds"])
            #expect(page.first?.event?.streamId == "s-1")
            #expect(try await broker.pick { _ in } == false, "dead letters are out of the queue")
        }
    }

    @Test func replayPutsDeadLettersBackByIdByTopicAndAll() async throws {
        try await TestRedis.with { redis in
            let (broker, ids) = try await deadLetters(redis, events: 6)
            #expect(try await broker.deadLetters.replay([ids[0], "not-a-dead-letter"]) == 1)
            #expect(try await nextEvent(broker)?.deliveryCount == 1, "a replayed event's deliveries start again")
            #expect(try await broker.deadLetters.replay(topic: "refunds") == 3)
            var refunds: [String] = []
            while let event = try await nextEvent(broker) { refunds.append(event.topic) }
            #expect(refunds == ["refunds", "refunds", "refunds"])
            #expect(try await broker.deadLetters.replayAll() == 2)
            #expect(try await broker.deadLetters.count() == 0)
            #expect(try await nextEventId(broker) == ids[2])
            #expect(try await nextEventId(broker) == ids[4])
        }
    }

    @Test func purgeDeletesSomeOrAllDeadLetters() async throws {
        try await TestRedis.with { redis in
            let (broker, ids) = try await deadLetters(redis, events: 4)
            #expect(try await broker.deadLetters.purge([ids[1], ids[2]]) == 2)
            #expect(try await broker.deadLetters.list().page.map(\.eventId) == [ids[0], ids[3]])
            #expect(try await broker.deadLetters.purgeAll() == 2)
            #expect(try await redis.keys().filter { $0.hasPrefix(broker.serviceKeys.base) } == [], "nothing is left")
        }
    }

    @Test func theDeadLetterListKeepsOnlyTheNewestUpToItsLimit() async throws {
        try await TestRedis.with { redis in
            let (broker, ids) = try await deadLetters(redis, events: 5, limit: 2)
            #expect(try await broker.deadLetters.list().page.map(\.eventId) == Array(ids[3...4]))
            let fields = try await redis.command("HLEN", broker.serviceKeys.deadLetters).integer
            #expect(fields == 6, "envelope, error and delivery count of the two kept, nothing of the evicted")
        }
    }
}
