import EventBrokerTestSupport
import Foundation
import Testing

@testable import EventBrokerCore
@testable import RedisEventBroker

@Suite(.timeLimit(.minutes(2))) struct NamesTests {
    static let hostileNames = [
        "a{b}c", "}", "{reb}:v1:s:billing", "with space", #"quo"te's"#, "*", "?[a-z]",
        "заказы-📦", "]]..redis.call('FLUSHALL')..[[", "'); redis.call('DEL', KEYS[1]) --",
        "%41", "A", "a:b", "\\", "ＡＢＣ",
    ]

    @Test func hostileTopicsAndServiceNamesWorkAndStayInsideTheBrokersKeys() async throws {
        try await TestRedis.with { redis in
            try await redis.command("SET", "outside", "untouched")
            let publisher = try await redis.broker("publisher")
            for name in Self.hostileNames {
                let service = try await redis.broker(name)
                try await service.subscribe(name)
                let id = try await publisher.publishEvent(Event(streamId: name, topic: name, message: name))
                let handled = try await service.pick { event in
                    #expect(event.id == id)
                    #expect(event.topic == name)
                    #expect(event.streamId == name)
                    #expect(event.message == name)
                }
                #expect(handled, "service \(name) got its event")
                // "%41" and "A" must not share a queue: each got exactly its own event.
                #expect(try await service.pick { _ in } == false, "service \(name) got a foreign event")
            }
            #expect(try await redis.command("GET", "outside").string == "untouched")
            for key in try await redis.keys() where key != "outside" {
                #expect(redis.isBrokerKey(key), "key \(key) is outside the broker's prefix")
            }
        }
    }

    @Test(arguments: [
        ("", "it is empty"),
        (String(repeating: "x", count: 1025), "it is 1025 bytes long; the limit is 1024"),
        ("line\nbreak", "it contains the control character U+000A at position 4"),
        ("nul\u{0}", "it contains the control character U+0000 at position 3"),
        ("del\u{7F}", "it contains the control character U+007F at position 3"),
        // Protocol bytes: a second command smuggled after the name, were names ever sent inline.
        ("\r\n*3\r\n$3\r\nDEL\r\n$6\r\noutside\r\n", "it contains the control character U+000D at position 0"),
        ("orders\r\nFLUSHALL\r\n", "it contains the control character U+000D at position 6"),
        (String(repeating: "{reb}:*", count: 200), "it is 1400 bytes long; the limit is 1024"),
    ])
    func absurdNamesAreRefusedBeforeAnythingIsWritten(name: String, reason: String) async throws {
        try await TestRedis.with { redis in
            let broker = try await redis.broker("billing")
            try await broker.subscribe("orders")
            let before = try await redis.snapshot()
            await #expect(throws: BrokerError.invalidName(kind: .topic, value: name, reason: reason)) {
                try await broker.subscribe(name)
            }
            await #expect(throws: BrokerError.invalidName(kind: .topic, value: name, reason: reason)) {
                try await broker.unsubscribe(name)
            }
            await #expect(throws: BrokerError.invalidName(kind: .topic, value: name, reason: reason)) {
                try await broker.publishEvent(Event(streamId: "s", topic: name))
            }
            await #expect(throws: BrokerError.invalidName(kind: .streamId, value: name, reason: reason)) {
                try await broker.publishEvent(Event(streamId: name, topic: "orders"))
            }
            await #expect(throws: BrokerError.invalidName(kind: .serviceName, value: name, reason: reason)) {
                _ = try await RedisEventBroker(redis.configuration(name))
            }
            #expect(try await redis.snapshot() == before)
        }
    }

    @Test func aNameOfExactly1024BytesIsAccepted() async throws {
        try await TestRedis.with { redis in
            let name = String(repeating: "é", count: 512)
            let broker = try await redis.broker(name)
            try await broker.subscribe(name)
            try await broker.publishEvent(Event(streamId: name, topic: name))
            #expect(try await nextEvent(broker)?.topic == name)
        }
    }
}
