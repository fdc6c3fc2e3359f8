import EventBrokerTestSupport
import Foundation
import Testing

@testable import EventBrokerCore
@testable import RedisEventBroker

/// A third format a user could plug in: tag `P`, version 1, then the envelope as a binary
/// property list; payloads are property lists too (wrapped in an array, since a property list
/// needs a container at its top).
struct PropertyListCodec: EventCodec {
    struct Stored: Codable {
        var id: String
        var streamId: String
        var topic: String
        var message: String?
        var payload: Data?
        var headers: [String: String]
        var publishedAt: Int64
    }

    enum Failure: Error { case notMine }

    var name: String { "plist" }
    var tag: UInt8 { UInt8(ascii: "P") }

    func encodePayload(_ payload: any Encodable) throws -> [UInt8] {
        let encoder = PropertyListEncoder()
        encoder.outputFormat = .binary
        return Array(try encoder.encode([AnyEncodable(payload)]))
    }

    func decodePayload<T: Decodable>(_ type: T.Type, from bytes: [UInt8]) throws -> T {
        try PropertyListDecoder().decode([T].self, from: Data(bytes))[0]
    }

    func encodeEnvelope(_ envelope: EventEnvelope) throws -> [UInt8] {
        let stored = Stored(
            id: envelope.id, streamId: envelope.streamId, topic: envelope.topic, message: envelope.message,
            payload: envelope.payload.map { Data($0) }, headers: envelope.headers,
            publishedAt: envelope.publishedAtMilliseconds)
        let encoder = PropertyListEncoder()
        encoder.outputFormat = .binary
        return [tag, 1] + Array(try encoder.encode(stored))
    }

    func decodeEnvelope(_ bytes: [UInt8]) throws -> EventEnvelope {
        guard bytes.count > 2, bytes[0] == tag, bytes[1] == 1 else { throw Failure.notMine }
        let stored = try PropertyListDecoder().decode(Stored.self, from: Data(bytes[2...]))
        return EventEnvelope(
            id: stored.id, streamId: stored.streamId, topic: stored.topic, message: stored.message,
            payload: stored.payload.map { Array($0) }, headers: stored.headers,
            publishedAtMilliseconds: stored.publishedAt)
    }

    /// Lets an existential `Encodable` sit in an array.
    struct AnyEncodable: Encodable {
        let value: any Encodable
        init(_ value: any Encodable) { self.value = value }
        func encode(to encoder: any Encoder) throws { try value.encode(to: encoder) }
    }
}

@Suite(.timeLimit(.minutes(2))) struct CodecTests {
    @Test func aCodecOfTheUsersOwnIsOneLineOfConfiguration() async throws {
        try await TestRedis.with { redis in
            let broker = try await redis.broker("billing") { $0.codec = PropertyListCodec() }
            try await broker.subscribe("orders")
            let id = try await broker.publishEvent(
                Event(streamId: "order-7", topic: "orders", message: "orderPlaced", payload: Order(number: 7, item: "book"),
                      headers: ["trace": "abc"]))
            let stored = try #require(try await redis.command("HGET", broker.serviceKeys.events, id).bytes)
            #expect(stored.prefix(2) == [UInt8(ascii: "P"), 1], "the stored envelope starts with the codec's tag and version")
            let event = try #require(try await nextEvent(broker))
            #expect(event.id == id)
            #expect(event.message == "orderPlaced")
            #expect(event.headers == ["trace": "abc"])
            #expect(try event.payload(as: Order.self) == Order(number: 7, item: "book"))
        }
    }

    @Test func instancesSwitchCodecsOneAtATimeWithNoEventLostOrMisread() async throws {
        try await TestRedis.with { redis in
            // The old instance writes JSON; the new one writes property lists; both read both.
            let old = try await redis.broker("shop") { $0.readableCodecs = [PropertyListCodec()] }
            let new = try await redis.broker("shop") { configuration in
                configuration.codec = PropertyListCodec()
                configuration.readableCodecs = [JSONCodec()]
            }
            let billing = try await redis.broker("billing") { $0.readableCodecs = [PropertyListCodec()] }
            try await billing.subscribe("orders")
            var published: [String: Int] = [:]
            for number in 1...6 {
                let writer = number.isMultiple(of: 2) ? new : old
                published[try await writer.publishEvent(
                    Event(streamId: "order-\(number)", topic: "orders", payload: Order(number: number, item: "item \(number)")))] = number
            }
            var read: [String: Int] = [:]
            while let event = try await nextEvent(billing) {
                read[event.id] = try event.payload(as: Order.self).number
            }
            #expect(read == published)
        }
    }

    @Test func anEventOfAnUnknownCodecIsDeadLetteredWithTheReason() async throws {
        try await TestRedis.with { redis in
            let writer = try await redis.broker("shop") { $0.codec = PropertyListCodec() }
            let reader = try await redis.broker("billing") { configuration in
                configuration.timeoutPolicy = StandardTimeoutPolicy(maxDeliveries: 1)
            }
            try await reader.subscribe("orders")
            let id = try await writer.publishEvent(Event(streamId: "order-1", topic: "orders"))
            await #expect(throws: BrokerError.self) { try await reader.pick { _ in } }
            let letter = try #require(try await reader.deadLetters.list().page.first)
            #expect(letter.eventId == id)
            #expect(letter.error.contains("no known codec writes envelopes that start with the byte 0x50"))
        }
    }

    @Test func theDefaultConfigurationReadsJSONAndBinaryAndSwitchingIsOneLine() async throws {
        try await TestRedis.with { redis in
            let jsonWriter = try await redis.broker("shop")
            let binaryWriter = try await redis.broker("shop") { $0.codec = BinaryCodec() }
            let billing = try await redis.broker("billing")
            try await billing.subscribe("orders")
            var published: [String: Int] = [:]
            for number in 1...6 {
                let writer = number.isMultiple(of: 2) ? binaryWriter : jsonWriter
                published[try await writer.publishEvent(
                    Event(streamId: "order-\(number)", topic: "orders", payload: Order(number: number, item: "item \(number)")))] = number
            }
            var firstBytes: Set<UInt8> = []
            for id in published.keys {
                firstBytes.insert(try #require(try await redis.command("HGET", billing.serviceKeys.events, id).bytes?.first))
            }
            #expect(firstBytes == [UInt8(ascii: "{"), UInt8(ascii: "B")])
            var read: [String: Int] = [:]
            while let event = try await nextEvent(billing) {
                read[event.id] = try event.payload(as: Order.self).number
            }
            #expect(read == published)
        }
    }

    @Test func aMalformedBinaryEnvelopeIsDeadLetteredAndTheConsumerGoesOn() async throws {
        /// Claims the binary tag and writes an envelope with undefined flag bits.
        struct Breaker: EventCodec {
            var name: String { "breaker" }
            var tag: UInt8 { BinaryCodec().tag }
            func encodePayload(_ payload: any Encodable) throws -> [UInt8] { [] }
            func decodePayload<T: Decodable>(_ type: T.Type, from bytes: [UInt8]) throws -> T {
                try BinaryCodec().decodePayload(type, from: bytes)
            }
            func encodeEnvelope(_ envelope: EventEnvelope) throws -> [UInt8] { [tag, 1, 0xF8] }
            func decodeEnvelope(_ bytes: [UInt8]) throws -> EventEnvelope { try BinaryCodec().decodeEnvelope(bytes) }
        }
        try await TestRedis.with { redis in
            let breaker = try await redis.broker("shop") { configuration in
                configuration.codec = Breaker()
                configuration.readableCodecs = []
            }
            let shop = try await redis.broker("shop")
            let billing = try await redis.broker("billing") { configuration in
                configuration.timeoutPolicy = StandardTimeoutPolicy(maxDeliveries: 1)
            }
            try await billing.subscribe("orders")
            let broken = try await breaker.publishEvent(Event(streamId: "order-1", topic: "orders"))
            let good = try await shop.publishEvent(Event(streamId: "order-2", topic: "orders"))
            await #expect(throws: BrokerError.self) { try await billing.pick { _ in } }
            #expect(try await nextEvent(billing)?.id == good)
            let letters = try await billing.deadLetters.list().page
            #expect(letters.map(\.eventId) == [broken])
            #expect(letters.first?.error.contains(String(describing: BinaryCodecError.unknownFlags(0xF8))) == true)
        }
    }

    @Test func twoCodecsWithOneTagAreRefusedBeforeConnecting() async throws {
        /// Claims JSON's tag; the broker must refuse it before any use.
        struct Impostor: EventCodec {
            struct Unused: Error {}
            var name: String { "impostor" }
            var tag: UInt8 { UInt8(ascii: "{") }
            func encodePayload(_ payload: any Encodable) throws -> [UInt8] { [] }
            func decodePayload<T: Decodable>(_ type: T.Type, from bytes: [UInt8]) throws -> T { throw Unused() }
            func encodeEnvelope(_ envelope: EventEnvelope) throws -> [UInt8] { [] }
            func decodeEnvelope(_ bytes: [UInt8]) throws -> EventEnvelope { throw Unused() }
        }
        var configuration = BrokerConfiguration(
            serviceName: "billing", redisURL: "unix:///nonexistent/redis.sock", environment: [:])
        configuration.readableCodecs = [Impostor()]
        await #expect(throws: BrokerError.self) { try await RedisEventBroker(configuration) }
    }
}
