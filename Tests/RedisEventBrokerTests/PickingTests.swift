import EventBrokerTestSupport
import Foundation
import Synchronization
import Testing

@testable import EventBrokerCore
@testable import RedisEventBroker

@Suite(.timeLimit(.minutes(2))) struct PickingTests {
    struct HandlerFailure: Error, Equatable {}

    @Test func pickingAnEmptyQueueNeverCallsTheHandler() async throws {
        try await TestRedis.with { redis in
            let billing = try await redis.broker("billing")
            try await billing.subscribe("orders")
            let handled = try await billing.pick { _ in Issue.record("the handler ran on an empty queue") }
            #expect(!handled)
        }
    }

    @Test func eachEventIsHandledByOneOfSeveralInstances() async throws {
        try await TestRedis.with { redis in
            var instances: [RedisEventBroker] = []
            for _ in 0..<4 {
                instances.append(try await redis.broker("billing"))
            }
            try await instances[0].subscribe("orders")
            let publisher = try await redis.broker("orders")
            var published: Set<String> = []
            for number in 1...40 {
                published.insert(try await publisher.publishEvent(Event(streamId: "order-\(number)", topic: "orders")))
            }
            let ledger = Ledger()
            try await withThrowingTaskGroup(of: Void.self) { group in
                for instance in instances {
                    group.addTask {
                        while try await instance.pick({ ledger.record(instance, $0) }) {}
                    }
                }
                try await group.waitForAll()
            }
            #expect(ledger.handled(by: "billing") == Dictionary(uniqueKeysWithValues: published.map { ($0, 1) }))
            #expect(Set(ledger.all.map(\.instance)).count > 1, "the work was shared")
        }
    }

    @Test func aFailedEventComesBackAtTheFrontForAnyInstanceWithItsCountRaised() async throws {
        try await TestRedis.with { redis in
            let first = try await redis.broker("billing")
            let second = try await redis.broker("billing")
            try await first.subscribe("orders")
            let failing = try await first.publishEvent(Event(streamId: "order-1", topic: "orders"))
            let next = try await first.publishEvent(Event(streamId: "order-2", topic: "orders"))

            await #expect(throws: HandlerFailure()) {
                try await first.pick { event in
                    #expect(event.id == failing)
                    #expect(event.deliveryCount == 1)
                    throw HandlerFailure()
                }
            }
            try await second.pick { event in
                #expect(event.id == failing)
                #expect(event.deliveryCount == 2)
            }
            try await first.pick { event in
                #expect(event.id == next)
                #expect(event.deliveryCount == 1)
            }
            #expect(try await first.pick { _ in } == false)
            let leftovers = try await redis.keys().filter { $0.hasPrefix(first.serviceKeys.base) }
            #expect(leftovers == [], "handled events leave nothing behind in Redis")
        }
    }

    @Test func aLateAckNeverRemovesTheCopyAnotherInstanceHolds() async throws {
        try await TestRedis.with { redis in
            // 30-second leases: the lease keeper renews them only every 10 seconds. No lease
            // checkers: the test sweeps by hand, at the moment it chooses.
            let stalled = try await redis.broker("billing") { $0.companions = [] }
            let other = try await redis.broker("billing") { $0.companions = [] }
            try await stalled.subscribe("orders")
            let id = try await stalled.publishEvent(Event(streamId: "order-1", topic: "orders"))
            let ledger = Ledger()
            await #expect(throws: BrokerError.leaseLost(eventId: id)) {
                try await stalled.pick { event in
                    // As if this process had stalled past its lease: the lease ends now, and a
                    // sweep hands the event to the other instance.
                    try await redis.command("ZADD", stalled.serviceKeys.leases, "0", id)
                    let sweep = try await other.scripts.sweep(
                        service: other.serviceKeys, guardTime: .zero, limit: 10, maxDeliveries: 10, deadLetterLimit: 10)
                    #expect(sweep.requeued == 1)
                    #expect(try await other.pick { ledger.record(other, $0) })
                    ledger.record(stalled, event)
                }
            }
            #expect(ledger.all.map(\.deliveryCount).sorted() == [1, 2])
            #expect(try await stalled.pick { _ in } == false)
            #expect(try await redis.keys().filter { $0.hasPrefix(stalled.serviceKeys.base) } == [], "the other copy was acked")
        }
    }

    @Test func payloadsRoundTripExactly() async throws {
        struct Line: Codable, Equatable, Sendable {
            var sku: String
            var quantity: Int
        }
        struct Invoice: Codable, Equatable, Sendable {
            var number: String
            var issuedAt: Date
            var note: String?
            var missing: String?
            var lines: [Line]
            var attachment: Data
            var amounts: [String: Double]
            var huge: Int64
            var flags: [Bool]
        }
        let invoice = Invoice(
            number: "123", issuedAt: Date(timeIntervalSinceReferenceDate: 812_345_678.123_456_7), note: "🧾 \"net\" 30\n",
            missing: nil, lines: [Line(sku: "0042", quantity: 3), Line(sku: "", quantity: -1)],
            attachment: Data([0, 1, 2, 255, 254]), amounts: ["eur": 10.1, "usd": 1e-300], huge: .max,
            flags: [true, false])
        try await TestRedis.with { redis in
            let billing = try await redis.broker("billing")
            try await billing.subscribe("invoices")
            try await billing.publishEvent(Event(streamId: "invoice-123", topic: "invoices", payload: invoice))
            try await billing.publishEvent(Event(streamId: "s", topic: "invoices", payload: "123"))
            #expect(try await nextEvent(billing)?.payload(as: Invoice.self) == invoice)
            let string = try #require(try await nextEvent(billing))
            #expect(try string.payload(as: String.self) == "123")
            #expect(throws: BrokerError.self) { try string.payload(as: Int.self) }
        }
    }
}
