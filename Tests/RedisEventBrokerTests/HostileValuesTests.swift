import EventBrokerTestSupport
import Foundation
import Testing

@testable import EventBrokerCore
@testable import RedisEventBroker

/// Event fields are opaque bytes to Redis: every key and value travels as an argument of its
/// own, never inside Lua or protocol text, so no value can inject a command or touch a key.
@Suite(.timeLimit(.minutes(2))) struct HostileValuesTests {
    /// Text that would do harm if the broker ever built Lua code or protocol text from it.
    static let hostileTexts = [
        "\r\n*3\r\n$3\r\nDEL\r\n$7\r\noutside\r\n",
        "]]..redis.call('FLUSHALL')..[[",
        "'); redis.call('SET', 'outside', 'changed') --",
        "\"; return redis.call('DEL', KEYS[1]) --",
        "{reb}:v1:s:billing:published", "{outside}", "*", "?[a-z]", "a:b c", "\u{0}nul\u{0}", "\u{7F}\u{1B}[2J",
        "заказы-📦", "", String(repeating: "\r\n*1\r\n$8\r\nFLUSHALL\r\n", count: 20_000),
    ]

    /// A payload of every byte value and hostile texts, as values and as dictionary keys.
    struct HostilePayload: Codable, Equatable, Sendable {
        var bytes: Data
        var texts: [String]
        var keyed: [String: String]
    }

    /// `headers` as bytes, so that equal means byte for byte (String equality is canonical equivalence).
    static func bytes(of headers: [String: String]) -> [[UInt8]: [UInt8]] {
        Dictionary(uniqueKeysWithValues: headers.map { (Array($0.key.utf8), Array($0.value.utf8)) })
    }

    @Test(arguments: ["json", "binary"])
    func hostileFieldValuesRoundTripByteForByteAndTouchNothingElse(codec: String) async throws {
        try await TestRedis.with(brokers: .init(leaseChecker: false)) { redis in
            let broker = try await redis.broker("billing") { configuration in
                if codec == "json" {
                    configuration.codec = JSONCodec()
                } else {
                    configuration.codec = BinaryCodec()
                }
            }
            try await broker.subscribe("orders")
            try await redis.command("SET", "outside", "untouched")
            let before = try await redis.snapshot()

            let allBytes = Data((0...255).map { UInt8($0) } + (0...255).reversed().map { UInt8($0) })
            var published: [String: (message: String, headers: [String: String], payload: HostilePayload)] = [:]
            for (index, text) in Self.hostileTexts.enumerated() {
                let headers = [text: text, "next": Self.hostileTexts[(index + 1) % Self.hostileTexts.count]]
                let payload = HostilePayload(bytes: allBytes, texts: [text, text + text], keyed: [text: text])
                let id = try await broker.publishEvent(
                    Event(streamId: "order-\(index)", topic: "orders", message: text, payload: payload, headers: headers))
                published[id] = (text, headers, payload)
            }
            for _ in published {
                let event = try #require(try await nextEvent(broker))
                let sent = try #require(published[event.id])
                #expect(event.message.map { Array($0.utf8) } == Array(sent.message.utf8))
                #expect(Self.bytes(of: event.headers) == Self.bytes(of: sent.headers))
                #expect(try event.payload(as: HostilePayload.self) == sent.payload)
            }
            #expect(try await broker.pick { _ in } == false)
            #expect(try await redis.snapshot() == before, "every key is as before, the events gone once handled")
        }
    }
}
