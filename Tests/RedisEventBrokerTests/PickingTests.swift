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
            let slow = try await redis.broker("billing") { $0.processingTimeout = .milliseconds(200) }
            let fast = try await redis.broker("billing") { $0.processingTimeout = .seconds(30) }
            try await slow.subscribe("orders")
            let id = try await slow.publishEvent(Event(streamId: "order-1", topic: "orders"))
            let ledger = Ledger()
            let fastHolds = Mutex(false)
            await #expect(throws: BrokerError.leaseLost(eventId: id)) {
                try await slow.pick { event in
                    // Outlive the lease: the other instance takes the event over meanwhile.
                    try await eventually("the fast instance took the expired event") {
                        _ = try await fast.pick { event in
                            ledger.record(fast, event)
                            fastHolds.withLock { $0 = true }
                        }
                        return fastHolds.withLock { $0 }
                    }
                    ledger.record(slow, event)
                }
            }
            #expect(ledger.all.map(\.deliveryCount).sorted() == [1, 2])
            #expect(try await slow.pick { _ in } == false)
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
