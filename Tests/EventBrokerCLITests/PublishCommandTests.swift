import EventBrokerCore
import EventBrokerTestSupport
import Foundation
import RedisEventBroker
import Testing

/// `event-broker publish`, run as the built executable against a throwaway redis-server, with a
/// real consumer receiving what it published.
@Suite(.timeLimit(.minutes(2))) struct PublishCommandTests {
    /// What billing expects in an order's payload.
    struct Order: Codable, Equatable {
        var number: Int
        var total: Double
        var items: [String]
        var note: String?
        var paid: Bool
    }

    static let payload = #"{"number": 15, "total": 9.5, "items": ["book", "pen"], "note": null, "paid": true}"#

    @Test(arguments: ["json", "binary"])
    func aConsumerGetsExactlyThePublishedEvent(codec: String) async throws {
        try await TestRedis.with(brokers: .commandTests) { redis in
            let billing = try await redis.broker("billing")
            try await billing.subscribe("orders")
            let output = try await redis.run([
                "publish", "orders", "--stream-id", "order-15", "--message", "orderCreated", "--payload", Self.payload,
                "--header", "source=cli", "--header", "note=a=b", "--codec", codec,
            ])
            #expect(output.status == 0, "\(output.standardError)")
            #expect(output.standardError == "")
            let id = output.standardOutput.trimmingCharacters(in: .newlines)
            #expect(UUID(uuidString: id) != nil, "prints the new event's id alone: \(output.standardOutput)")

            let stored = try #require(try await redis.command("HGET", billing.serviceKeys.events, id).bytes)
            #expect(stored.first == (codec == "json" ? UInt8(ascii: "{") : UInt8(ascii: "B")), "stored with --codec")
            let event = try #require(try await nextEvent(billing))
            #expect(event.id == id)
            #expect(event.topic == "orders")
            #expect(event.streamId == "order-15")
            #expect(event.message == "orderCreated")
            #expect(event.headers == ["source": "cli", "note": "a=b"])
            #expect(abs(event.publishedAt.timeIntervalSinceNow) < 60)
            #expect(
                try event.payload(as: Order.self)
                    == Order(number: 15, total: 9.5, items: ["book", "pen"], note: nil, paid: true))
            #expect(try await nextEvent(billing) == nil, "exactly one event")
        }
    }

    @Test func printsJSONAndPublishesWithoutAPayloadOrMessage() async throws {
        try await TestRedis.with(brokers: .commandTests) { redis in
            let billing = try await redis.broker("billing") { $0.keyPrefix = "shop" }
            try await billing.subscribe("orders")
            let output = try await redis.run(["publish", "orders", "--stream-id", "order-1", "--json", "--prefix", "shop"])
            #expect(output.status == 0, "\(output.standardError)")
            let object = try #require(
                try JSONSerialization.jsonObject(with: Data(output.standardOutput.utf8)) as? [String: String])
            #expect(Set(object.keys) == ["id", "topic"])
            #expect(object["topic"] == "orders")
            let event = try #require(try await nextEvent(billing))
            #expect(event.id == object["id"])
            #expect(event.message == nil)
            #expect(!event.hasPayload)
        }
    }

    @Test(arguments: [
        (
            ["--payload", #"{"number": 15,"#],
            "Error: --payload is not valid JSON: unexpected end of the text, expected a member name at byte 14"
        ),
        (["--payload", "{number: 15}"], "Error: --payload is not valid JSON: expected a member name, found 'n' at byte 1"),
        (["--payload", "15 16"], "Error: --payload is not valid JSON: expected the end of the text, found '1' at byte 3"),
        (["--header", "source"], "Error: The value 'source' is invalid for '--header <name=value>': expected name=value"),
        (["--header", "=cli"], "Error: The value '=cli' is invalid for '--header <name=value>': expected name=value"),
        (["--header", "a=1", "--header", "a=2"], "Error: the header 'a' is given twice"),
        (
            ["--codec", "xml"],
            "Error: The value 'xml' is invalid for '--codec <codec>'. Please provide one of 'json' and 'binary'."
        ),
        (["--stream-id", ""], "Error: invalid stream id \"\": it is empty"),
    ])
    func refusesBadInputAndWritesNothing(arguments: [String], error: String) async throws {
        try await TestRedis.with(brokers: .commandTests) { redis in
            let billing = try await redis.broker("billing")
            try await billing.subscribe("orders")
            let before = try await keyspace(redis)
            let output = try await redis.run(["publish", "orders", "--stream-id", "order-1"] + arguments)
            #expect(output.status != 0)
            #expect(output.standardOutput == "")
            #expect(output.standardError.split(separator: "\n").first.map(String.init) == error)
            #expect(try await keyspace(redis) == before, "nothing was written")
            #expect(try await nextEvent(billing) == nil)
        }
    }

    @Test func refusesAMissingStreamId() async throws {
        let output = try await runEventBroker(["publish", "orders"], environment: ["REDIS_URL": unreachableRedisURL])
        #expect(output.status != 0)
        #expect(output.standardError.hasPrefix("Error: Missing expected argument '--stream-id <stream-id>'\n"))
    }
}
