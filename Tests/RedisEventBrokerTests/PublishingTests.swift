import EventBrokerTestSupport
import Foundation
import Testing

@testable import EventBrokerCore
@testable import RedisEventBroker

@Suite(.timeLimit(.minutes(2))) struct PublishingTests {
    @Test func anEventReachesEverySubscribedServiceOnceInOrder() async throws {
        try await TestRedis.with { redis in
            let billing = try await redis.broker("billing")
            let shipping = try await redis.broker("shipping")
            let audit = try await redis.broker("audit")
            let orders = try await redis.broker("orders")
            try await billing.subscribe("orders")
            try await shipping.subscribe("orders")
            try await audit.subscribe("payments")

            var published: [String] = []
            for number in 1...5 {
                published.append(
                    try await orders.publishEvent(
                        Event(streamId: "order-\(number)", topic: "orders", message: "orderCreated",
                              payload: Order(number: number, item: "book"))))
            }
            for service in [billing, shipping] {
                var received: [String] = []
                while try await service.pick({ received.append($0.id) }) {}
                #expect(received == published)
            }
            #expect(try await audit.pick { _ in Issue.record("audit is not subscribed to orders") } == false)
            #expect(Set(published).count == published.count)
        }
    }

    @Test func publishingWakesASleepingInstanceOfEachSubscribedService() async throws {
        try await TestRedis.with { redis in
            let ledger = Ledger()
            var consumers: [RedisEventBroker] = []
            for service in ["billing", "shipping"] {
                // With an hour-long idle poll, only the wake-up marker can bring the event in time.
                let consumer = try await redis.broker(service) { $0.idlePollInterval = .seconds(3600) }
                try await consumer.subscribe("orders")
                consumer.pickOnNotification { ledger.record(consumer, $0) }
                consumers.append(consumer)
            }
            let orders = try await redis.broker("orders")
            try await eventually("both consumers sleep in BLPOP") { try await redis.blockedClients() == 2 }
            let id = try await orders.publishEvent(Event(streamId: "order-1", topic: "orders"))
            try await eventually("both services handled the event") {
                ledger.handled(by: "billing") == [id: 1] && ledger.handled(by: "shipping") == [id: 1]
            }
        }
    }

    @Test func anEventWithoutMessageOrPayloadIsDelivered() async throws {
        try await TestRedis.with { redis in
            let billing = try await redis.broker("billing")
            try await billing.subscribe("orders")
            let id = try await billing.publishEvent(Event(streamId: "order-15", topic: "orders"))
            let handled = try await billing.pick { event in
                #expect(event.id == id)
                #expect(event.streamId == "order-15")
                #expect(event.topic == "orders")
                #expect(event.message == nil)
                #expect(!event.hasPayload)
                #expect(event.deliveryCount == 1)
                #expect(throws: BrokerError.missingPayload(eventId: id)) { try event.payload(as: Order.self) }
            }
            #expect(handled)
        }
    }

    @Test func anInvalidEventIsRefusedAndRedisStaysAsItWas() async throws {
        struct Unencodable: Encodable, Sendable {
            struct Refused: Error {}
            func encode(to encoder: any Encoder) throws { throw Refused() }
        }
        try await TestRedis.with { redis in
            let billing = try await redis.broker("billing")
            try await billing.subscribe("orders")
            _ = try await billing.publishEvent(Event(streamId: "order-1", topic: "orders"))
            let before = try await redis.snapshot()

            await #expect(throws: BrokerError.invalidName(kind: .streamId, value: "", reason: "it is empty")) {
                try await billing.publishEvent(Event(streamId: "", topic: "orders"))
            }
            await #expect(throws: BrokerError.invalidName(kind: .topic, value: "", reason: "it is empty")) {
                try await billing.publishEvent(Event(streamId: "order-2", topic: ""))
            }
            do {
                try await billing.publishEvent(Event(streamId: "order-3", topic: "orders", payload: Unencodable()))
                Issue.record("an unencodable payload was published")
            } catch let error as BrokerError {
                guard case .payloadEncodingFailed(topic: "orders", _) = error else {
                    Issue.record("unexpected error \(error)")
                    return
                }
            }
            #expect(try await redis.snapshot() == before)
        }
    }

    /// With the per-service placement a publish is one run per service, each atomic on its own:
    /// a service whose run failed does not keep the others from getting the event, and the
    /// publish sent again with the same id (as the broker does after a lost connection) reaches
    /// the one that missed it and no other a second time, even one that handled it meanwhile.
    @Test func perServicePublishingIsAtomicPerServiceAndQueuedOnceWhenSentAgain() async throws {
        try await TestRedis.with(brokers: .init(slotPlacement: .perService)) { redis in
            let billing = try await redis.broker("billing")
            let shipping = try await redis.broker("shipping")
            try await billing.subscribe("orders")
            try await shipping.subscribe("orders")
            try await redis.command("SET", shipping.serviceKeys.published, "not a list")
            let ledger = Ledger()
            let id = "order-1-id"
            let envelope = try billing.encode(Event(streamId: "order-1", topic: "orders"), id: id)
            do {
                _ = try await billing.queue([(id, envelope)], topic: "orders")
                Issue.record("publishing into a corrupted queue succeeded")
            } catch RedisError.server(let message) {
                #expect(message.hasPrefix("BROKER_WRONGTYPE"))
            }
            #expect(try await billing.pick { ledger.record(billing, $0) })
            #expect(try await redis.command("GET", shipping.serviceKeys.published).string == "not a list")

            try await redis.command("DEL", shipping.serviceKeys.published)
            #expect(try await billing.queue([(id, envelope)], topic: "orders") == [2])
            #expect(try await billing.queue([(id, envelope)], topic: "orders") == [2])
            while try await billing.pick({ ledger.record(billing, $0) }) {}
            while try await shipping.pick({ ledger.record(shipping, $0) }) {}
            #expect(ledger.handled(by: "billing") == [id: 1])
            #expect(ledger.handled(by: "shipping") == [id: 1])
            #expect(ledger.all.count == 2)
        }
    }

    /// With the per-prefix placement; the per-service one is atomic per service (below).
    @Test func publishingIsAllOrNothingAcrossServices() async throws {
        try await TestRedis.with(brokers: .init(slotPlacement: .perPrefix)) { redis in
            let billing = try await redis.broker("billing")
            let shipping = try await redis.broker("shipping")
            try await billing.subscribe("orders")
            try await shipping.subscribe("orders")
            // A foreign value in shipping's queue key makes shipping's part of the publish fail.
            try await redis.command("SET", shipping.serviceKeys.published, "not a list")
            let before = try await redis.snapshot()
            do {
                try await billing.publishEvent(Event(streamId: "order-1", topic: "orders"))
                Issue.record("publishing into a corrupted queue succeeded")
            } catch RedisError.server(let message) {
                #expect(message.hasPrefix("BROKER_WRONGTYPE"))
            }
            #expect(try await redis.snapshot() == before)
            #expect(try await billing.pick { _ in } == false)
        }
    }

    @Test func unsubscribedServicesGetNoNewEventsButKeepQueuedOnes() async throws {
        try await TestRedis.with { redis in
            let billing = try await redis.broker("billing")
            let publisher = try await redis.broker("orders")
            try await billing.subscribe("orders")
            let queued = try await publisher.publishEvent(Event(streamId: "order-1", topic: "orders"))
            try await billing.unsubscribe("orders")
            _ = try await publisher.publishEvent(Event(streamId: "order-2", topic: "orders"))
            var received: [String] = []
            while try await billing.pick({ received.append($0.id) }) {}
            #expect(received == [queued])
            try await billing.subscribe("orders")
            let later = try await publisher.publishEvent(Event(streamId: "order-3", topic: "orders"))
            #expect(try await nextEventId(billing) == later)
        }
    }
}

extension TestRedis {
    /// How many clients wait in a blocking command (on every node of a cluster).
    func blockedClients() async throws -> Int {
        try await info("clients").filter { $0.hasPrefix("blocked_clients:") }.reduce(0) { total, line in
            total + (Int(line.dropFirst("blocked_clients:".count)) ?? 0)
        }
    }
}
