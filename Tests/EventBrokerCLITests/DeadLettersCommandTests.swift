import EventBrokerTestSupport
import Foundation
import RedisEventBroker
import Testing

/// `event-broker dead-letters`, run as the built executable against a throwaway redis-server
/// whose dead letters a broker made for real: one delivery per event, a handler that throws.
@Suite(.timeLimit(.minutes(2))) struct DeadLettersCommandTests {
    /// The handler's failure, stored as each dead letter's error; two lines, as errors may be.
    struct Declined: Error, CustomStringConvertible {
        let streamId: String
        var description: String { "payment declined for \(streamId)\nby the test" }
    }

    /// One event the tests publish and kill.
    struct Published {
        let streamId: String
        let topic: String
    }

    /// Two orders and an invoice.
    static let events = [
        Published(streamId: "order-1", topic: "orders"), Published(streamId: "order-2", topic: "orders"),
        Published(streamId: "invoice-1", topic: "invoices"),
    ]

    /// A billing instance whose events die on their first failed delivery.
    func billing(_ redis: TestRedis) async throws -> RedisEventBroker {
        let billing = try await redis.broker("billing") { $0.timeoutPolicy = StandardTimeoutPolicy(maxDeliveries: 1) }
        try await billing.subscribe("orders")
        try await billing.subscribe("invoices")
        return billing
    }

    /// Publishes each event and fails its only delivery; returns their ids, oldest dead letter first.
    func kill(_ events: [Published], with billing: RedisEventBroker) async throws -> [String] {
        var ids: [String] = []
        for event in events {
            ids.append(
                try await billing.publishEvent(
                    Event(streamId: event.streamId, topic: event.topic, message: "\(event.topic)Placed")))
            await #expect(throws: Declined.self) {
                try await billing.pick { throw Declined(streamId: $0.streamId) }
            }
            // Distinct death times keep the oldest-first order the publishing order.
            try await Task.sleep(for: .milliseconds(5))
        }
        return ids
    }

    /// Runs `event-broker dead-letters <arguments> --service billing` against `redis`, expects
    /// success and nothing on standard error, and returns its standard output.
    func deadLetters(
        _ arguments: [String], on redis: TestRedis, environment: [String: String] = [:],
        sourceLocation: SourceLocation = #_sourceLocation
    ) async throws -> String {
        let output = try await redis.run(
            ["dead-letters"] + arguments + ["--service", "billing"], environment: environment)
        #expect(output.status == 0, "\(output.standardError)", sourceLocation: sourceLocation)
        #expect(output.standardError == "", sourceLocation: sourceLocation)
        return output.standardOutput
    }

    @Test func listsAndCountsTheDeadLetters() async throws {
        try await TestRedis.with(brokers: .commandTests) { redis in
            let billing = try await billing(redis)
            #expect(try await deadLetters(["list"], on: redis) == "No dead letters.\n")
            #expect(try await deadLetters(["count"], on: redis) == "billing holds 0 dead letters.\n")
            let ids = try await kill(Self.events, with: billing)

            #expect(try await deadLetters(["count"], on: redis) == "billing holds 3 dead letters.\n")
            #expect(try await deadLetters(["count", "--json"], on: redis) == "{\"count\":3}\n")

            let table = try await deadLetters(["list"], on: redis, environment: ["COLUMNS": "200"])
            let lines = table.split(separator: "\n", omittingEmptySubsequences: false)
            try #require(lines.count == 6, "\(table)")
            #expect(lines[0].split(separator: " ") == ["ID", "DEAD", "AT", "TOPIC", "DELIVERIES", "ERROR"])
            for (line, (id, event)) in zip(lines[1...3], zip(ids, Self.events)) {
                let cells = line.split(separator: " ").map(String.init)
                #expect(cells[0] == id)
                #expect((try? Date.ISO8601FormatStyle().parse(cells[1])) != nil, "\(cells[1]) is ISO 8601")
                #expect(cells[2] == event.topic)
                #expect(cells[3] == "1")
                #expect(cells[4...].joined(separator: " ") == "payment declined for \(event.streamId) by the test")
            }
            #expect(lines[4] == "3 dead letters.")
            #expect(lines[5] == "")

            let narrow = try await deadLetters(["list"], on: redis, environment: ["COLUMNS": "100"])
            let narrowLines = narrow.split(separator: "\n")
            #expect(narrowLines.allSatisfy { $0.count <= 100 }, "\(narrow)")
            #expect(narrowLines.dropFirst().dropLast().allSatisfy { $0.count == 100 && $0.hasSuffix("…") }, "\(narrow)")

            let page = try await deadLetters(["list", "--offset", "1", "--limit", "1"], on: redis)
            #expect(page.split(separator: "\n").count == 3)
            #expect(page.contains(ids[1]) && !page.contains(ids[0]) && !page.contains(ids[2]))
            #expect(page.hasSuffix("\nDead letters 2–2 of 3.\n"))
            #expect(try await deadLetters(["list", "--offset", "3"], on: redis) == "No dead letters from offset 3; 3 in all.\n")

            let json = try await deadLetters(["list", "--json"], on: redis)
            let objects = try #require(try JSONSerialization.jsonObject(with: Data(json.utf8)) as? [[String: Any]])
            try #require(objects.count == 3)
            for (object, (id, event)) in zip(objects, zip(ids, Self.events)) {
                #expect(
                    Set(object.keys)
                        == ["id", "deadAt", "topic", "streamId", "message", "deliveries", "error", "decodingError"])
                #expect(object["id"] as? String == id)
                #expect(object["topic"] as? String == event.topic)
                #expect(object["streamId"] as? String == event.streamId)
                #expect(object["message"] as? String == "\(event.topic)Placed")
                #expect(object["deliveries"] as? Int == 1)
                #expect(object["error"] as? String == "payment declined for \(event.streamId)\nby the test")
                #expect(object["decodingError"] is NSNull)
                let deadAt = try Date.ISO8601FormatStyle(includingFractionalSeconds: true)
                    .parse(try #require(object["deadAt"] as? String))
                #expect(abs(deadAt.timeIntervalSinceNow) < 60)
            }
            let beyond = try await deadLetters(["list", "--json", "--offset", "3"], on: redis)
            #expect((try JSONSerialization.jsonObject(with: Data(beyond.utf8)) as? [Any])?.isEmpty == true)
        }
    }

    @Test func replaysByIdByTopicAndAll() async throws {
        try await TestRedis.with(brokers: .commandTests) { redis in
            let billing = try await billing(redis)
            let ids = try await kill(Self.events, with: billing)
            #expect(try await nextEvent(billing) == nil, "dead letters are not in the queue")

            #expect(try await deadLetters(["replay", "--id", ids[1]], on: redis) == "Replayed 1 dead letter of billing.\n")
            #expect(try await deadLetters(["count"], on: redis) == "billing holds 2 dead letters.\n")
            let replayed = try #require(try await nextEvent(billing))
            #expect(replayed.id == ids[1])
            #expect(replayed.deliveryCount == 1, "the delivery count starts again")
            #expect(try await nextEvent(billing) == nil)

            #expect(
                try await deadLetters(["replay", "--topic", "invoices"], on: redis) == "Replayed 1 dead letter of billing.\n")
            #expect(try await nextEvent(billing)?.id == ids[2])

            #expect(try await deadLetters(["replay", "--all"], on: redis) == "Replayed 1 dead letter of billing.\n")
            #expect(try await nextEvent(billing)?.id == ids[0])
            #expect(try await nextEvent(billing) == nil)
            #expect(try await deadLetters(["count"], on: redis) == "billing holds 0 dead letters.\n")

            let more = try await kill(Array(Self.events.prefix(2)), with: billing)
            let several = ["replay", "--id", more[1], more[0], "--id", "no-such-id", "--id", more[0]]
            #expect(
                try await deadLetters(several, on: redis)
                    == "Replayed 2 dead letters of billing. 1 of the 3 ids named no dead letter.\n")
            #expect(try await nextEvent(billing)?.id == more[1], "replayed in the order given")
            #expect(try await nextEvent(billing)?.id == more[0])
        }
    }

    @Test func purgesByIdAndAll() async throws {
        try await TestRedis.with(brokers: .commandTests) { redis in
            let billing = try await billing(redis)
            let ids = try await kill(Self.events, with: billing)

            #expect(
                try await deadLetters(["purge", "--id", ids[0], "no-such-id"], on: redis)
                    == "Purged 1 dead letter of billing. 1 of the 2 ids named no dead letter.\n")
            let left = try await deadLetters(["list"], on: redis)
            #expect(!left.contains(ids[0]) && left.contains(ids[1]) && left.contains(ids[2]))
            let keys = { try await redis.command("KEYS", "{reb}:v1:s:billing:*").array?.compactMap(\.string) }
            #expect(try await keys()?.sorted() == ["{reb}:v1:s:billing:dead", "{reb}:v1:s:billing:dead-letters"])

            #expect(try await deadLetters(["purge", "--all"], on: redis) == "Purged 2 dead letters of billing.\n")
            #expect(try await deadLetters(["count"], on: redis) == "billing holds 0 dead letters.\n")
            #expect(try await nextEvent(billing) == nil, "purged events do not come back")
            #expect(try await keys() == [], "nothing of the purged events is left in Redis")
        }
    }

    @Test func takesTheKeyPrefixAndTheURLFromREDIS_URL() async throws {
        try await TestRedis.with(brokers: .commandTests) { redis in
            let shop = try await redis.broker("billing") {
                $0.keyPrefix = "shop"
                $0.timeoutPolicy = StandardTimeoutPolicy(maxDeliveries: 1)
            }
            try await shop.subscribe("orders")
            _ = try await kill([Self.events[0]], with: shop)
            let count = try await runEventBroker(
                ["dead-letters", "count", "--service", "billing", "--prefix", "shop"],
                environment: ["REDIS_URL": redis.url])
            #expect(count.status == 0)
            #expect(count.standardOutput == "billing holds 1 dead letter.\n")
            #expect(try await deadLetters(["count"], on: redis) == "billing holds 0 dead letters.\n", "prefix reb by default")
        }
    }

    @Test(arguments: [
        (["replay", "--service", "billing"], "Error: choose what to replay: --id ID..., --topic TOPIC or --all"),
        (["replay", "--service", "billing", "--id", "a", "--all"], "Error: choose only one of --id, --topic and --all"),
        (["replay", "--service", "billing", "--topic", "t", "--all"], "Error: choose only one of --id, --topic and --all"),
        (["purge", "--service", "billing"], "Error: choose what to purge: --id ID... or --all"),
        (["purge", "--service", "billing", "--id", "a", "--all"], "Error: choose only one of --id and --all"),
        (["purge", "--service", "billing", "--all", "--topic", "t"], "Error: Unknown option '--topic'"),
        (["list"], "Error: Missing expected argument '--service <service>'"),
        (["replay", "--all"], "Error: Missing expected argument '--service <service>'"),
        (["list", "--service", "billing", "--limit", "0"], "Error: --limit must be at least 1"),
        (["list", "--service", "billing", "--offset=-1"], "Error: --offset must not be negative"),
    ])
    func refusesBadInput(arguments: [String], error: String) async throws {
        let output = try await runEventBroker(
            ["dead-letters"] + arguments, environment: ["REDIS_URL": unreachableRedisURL])
        #expect(output.status != 0)
        #expect(output.standardOutput == "")
        #expect(output.standardError.split(separator: "\n").first.map(String.init) == error)
    }

    @Test(arguments: [
        ("foo://x", "Error: Invalid Redis URL 'foo://x': unsupported scheme 'foo'; use redis:// or unix://"),
        (
            "redis://alice:secret@127.0.0.1:0",
            "Error: Invalid Redis URL 'redis://alice:***@127.0.0.1:0': the port '0' is not a number from 1 to 65535"
        ),
    ])
    func refusesABadURLWithOneLine(url: String, error: String) async throws {
        let output = try await runEventBroker(["dead-letters", "count", "--service", "billing", "--redis-url", url])
        #expect(output.status == 1)
        #expect(output.standardOutput == "")
        #expect(output.standardError == error + "\n")
    }
}
