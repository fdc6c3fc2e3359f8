import EventBrokerCore
import EventBrokerTestSupport
import Foundation
import RedisEventBroker
import Testing

/// `event-broker inspect`, run as the built executable against a throwaway redis-server whose
/// queues real brokers filled with known contents.
@Suite(.timeLimit(.minutes(2))) struct InspectCommandTests {
    /// Where billing's events are while `inspecting` runs.
    struct Scene {
        /// The billing instance holding order-3.
        let holder: RedisEventBroker
        /// The id of order-3, in flight.
        let inFlight: String
    }

    /// A shop publishes order-1, order-2 and order-3 on `orders` and invoice-1 on `invoices`;
    /// billing subscribes to both, shipping to `orders`. Billing's order-1 fails once and waits an
    /// hour for its retry, order-2 fails on its only delivery and is dead, and order-3 is in
    /// flight while `inspecting` runs, with invoice-1 still queued; shipping's three orders are queued.
    func withScene(_ redis: TestRedis, inspecting: (Scene) async throws -> Void) async throws {
        let billing = try await redis.broker("billing") {
            $0.timeoutPolicy = StandardTimeoutPolicy(backoff: .fixed(.seconds(3600)))
        }
        let shipping = try await redis.broker("shipping")
        try await billing.subscribe("orders")
        try await billing.subscribe("invoices")
        try await shipping.subscribe("orders")
        let shop = try await redis.broker("shop")
        var ids: [String] = []
        for number in 1...3 {
            ids.append(try await shop.publishEvent(Event(streamId: "order-\(number)", topic: "orders")))
        }
        try await shop.publishEvent(Event(streamId: "invoice-1", topic: "invoices"))

        struct Declined: Error {}
        await #expect(throws: Declined.self) { try await billing.pick { _ in throw Declined() } }
        let strict = try await redis.broker("billing") { $0.timeoutPolicy = StandardTimeoutPolicy(maxDeliveries: 1) }
        await #expect(throws: Declined.self) { try await strict.pick { _ in throw Declined() } }
        // A minute's lease: the holder renews it only after 20 s, long after the inspections.
        let holder = try await redis.broker("billing") { $0.processingTimeout = .seconds(60) }
        try await holder.pick { event in
            #expect(event.id == ids[2])
            try await inspecting(Scene(holder: holder, inFlight: event.id))
        }
    }

    /// Runs `event-broker inspect <arguments>`, expects success and nothing on standard error,
    /// and returns its standard output.
    func inspect(_ arguments: [String] = [], on redis: TestRedis, sourceLocation: SourceLocation = #_sourceLocation)
        async throws -> String
    {
        let output = try await redis.run(["inspect"] + arguments)
        #expect(output.status == 0, "\(output.standardError)", sourceLocation: sourceLocation)
        #expect(output.standardError == "", sourceLocation: sourceLocation)
        return output.standardOutput
    }

    @Test func showsTheServicesTopicsAndDeliveriesInFlight() async throws {
        try await TestRedis.with(brokers: .commandTests) { redis in
            try await withScene(redis) { scene in
                let text = try await inspect(on: redis)
                let lines = text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
                try #require(lines.count == 14, "\(text)")
                let endpoint = try await redis.endpointDescription(user: redis.settings.aclUser ? TestRedis.aclUser : nil)
                #expect(lines[0].hasPrefix("Redis \(endpoint), key prefix reb, at "))
                #expect(lines[0].hasSuffix("Z (Redis clock)"))
                #expect(
                    Array(lines[1...11]) == [
                        "",
                        "SERVICE   QUEUED  IN FLIGHT  DELAYED  DEAD LETTERS  TOPICS",
                        "billing        1          1        1             1  invoices, orders",
                        "shipping       3          0        0             0  orders",
                        "",
                        "TOPIC     SUBSCRIBERS",
                        "invoices  billing",
                        "orders    billing, shipping",
                        "",
                        "In flight, earliest lease deadline first:",
                        "SERVICE  EVENT ID                              TOPIC   STREAM ID  INSTANCE  DELIVERY  LEASE DEADLINE            LEASE",
                    ], "\(text)")
                let cells = lines[12].split(separator: " ").map(String.init)
                try #require(cells.count == 10, "\(lines[12])")
                #expect(Array(cells[0...5]) == ["billing", scene.inFlight, "orders", "order-3", String(scene.holder.instanceId.prefix(8)), "1"])
                let deadline = try Date.ISO8601FormatStyle(includingFractionalSeconds: true).parse(cells[6])
                #expect(abs(deadline.timeIntervalSinceNow - 60) < 30, "a minute's lease: \(cells[6])")
                #expect(cells[7] == "in")
                #expect(cells[9] == "s")
                // A minute's lease read at once shows "in 60.0 s" (rounded), later ones less.
                #expect(lines[12].contains(try Regex("  in (60\\.0|[45][0-9]\\.[0-9]) s$")), "\(lines[12])")
                #expect(lines[13] == "")
            }
        }
    }

    @Test func printsTheSameAsOneJSONObject() async throws {
        try await TestRedis.with(brokers: .commandTests) { redis in
            try await withScene(redis) { scene in
                let json = try await inspect(["--json"], on: redis)
                let object = try #require(try JSONSerialization.jsonObject(with: Data(json.utf8)) as? [String: Any])
                #expect(Set(object.keys) == ["redis", "prefix", "redisTime", "services", "topics"])
                #expect(object["prefix"] as? String == "reb")
                let redisTime = try Date.ISO8601FormatStyle(includingFractionalSeconds: true)
                    .parse(try #require(object["redisTime"] as? String))
                #expect(abs(redisTime.timeIntervalSinceNow) < 30)

                let services = try #require(object["services"] as? [[String: Any]])
                try #require(services.count == 2)
                let counts = services.map { service in
                    ["queued", "inFlight", "delayed", "deadLetters", "inFlightNotListed"].map { service[$0] as? Int }
                }
                #expect(services.map { $0["name"] as? String } == ["billing", "shipping"])
                #expect(counts == [[1, 1, 1, 1, 0], [3, 0, 0, 0, 0]])
                #expect(services.map { $0["topics"] as? [String] } == [["invoices", "orders"], ["orders"]])

                let deliveries = try #require(services[0]["inFlightDeliveries"] as? [[String: Any]])
                try #require(deliveries.count == 1)
                let delivery = deliveries[0]
                #expect(delivery["eventId"] as? String == scene.inFlight)
                #expect(delivery["topic"] as? String == "orders")
                #expect(delivery["streamId"] as? String == "order-3")
                #expect(delivery["instance"] as? String == scene.holder.instanceId)
                #expect((delivery["token"] as? String)?.hasPrefix(scene.holder.instanceId + ".") == true)
                #expect((delivery["token"] as? String)?.hasSuffix(":1") == true)
                #expect(delivery["deliveries"] as? Int == 1)
                let remaining = try #require(delivery["leaseRemainingMilliseconds"] as? Int)
                #expect((40_000...60_000).contains(remaining))
                let deadline = try Date.ISO8601FormatStyle(includingFractionalSeconds: true)
                    .parse(try #require(delivery["leaseDeadline"] as? String))
                #expect(abs(deadline.timeIntervalSince(redisTime) * 1000 - Double(remaining)) < 2)
                #expect((services[1]["inFlightDeliveries"] as? [Any])?.isEmpty == true)

                let topics = try #require(object["topics"] as? [[String: Any]])
                #expect(topics.map { $0["name"] as? String } == ["invoices", "orders"])
                #expect(topics.map { $0["subscribers"] as? [String] } == [["billing"], ["billing", "shipping"]])
            }
        }
    }

    @Test func showsOneServiceAndCapsTheDeliveriesListed() async throws {
        try await TestRedis.with(brokers: .commandTests) { redis in
            try await withScene(redis) { _ in
                let shipping = try await inspect(["--service", "shipping"], on: redis)
                #expect(
                    shipping.split(separator: "\n").dropFirst().map(String.init) == [
                        "SERVICE   QUEUED  IN FLIGHT  DELAYED  DEAD LETTERS  TOPICS",
                        "shipping       3          0        0             0  orders",
                        "TOPIC   SUBSCRIBERS",
                        "orders  billing, shipping",
                        "Nothing in flight.",
                    ], "\(shipping)")

                let capped = try await inspect(["--service", "billing", "--limit", "0"], on: redis)
                #expect(
                    capped.hasSuffix(
                        "In flight, earliest lease deadline first:\nbilling: 1 more in flight, not listed (--limit).\n"),
                    "\(capped)")
                let json = try await inspect(["--service", "billing", "--limit", "0", "--json"], on: redis)
                let object = try #require(try JSONSerialization.jsonObject(with: Data(json.utf8)) as? [String: Any])
                let services = try #require(object["services"] as? [[String: Any]])
                #expect(services.count == 1)
                #expect(services.first?["inFlightNotListed"] as? Int == 1)
                #expect((services.first?["inFlightDeliveries"] as? [Any])?.isEmpty == true)
            }
        }
    }

    @Test func neverWrites() async throws {
        try await TestRedis.with(brokers: .commandTests) { redis in
            try await withScene(redis) { _ in
                let before = try await keyspace(redis)
                #expect(before.keys.count > 10)
                _ = try await inspect(on: redis)
                _ = try await inspect(["--json", "--limit", "1"], on: redis)
                _ = try await inspect(["--service", "billing"], on: redis)
                #expect(try await keyspace(redis) == before)
            }
        }
    }

    @Test func saysWhenThereIsNothing() async throws {
        try await TestRedis.with(brokers: .commandTests) { redis in
            let text = try await inspect(on: redis)
            #expect(
                text.split(separator: "\n", omittingEmptySubsequences: false).dropFirst().map(String.init) == [
                    "", "No service is registered under the key prefix reb.", "", "No topic has subscribers.", "",
                    "Nothing in flight.", "",
                ], "\(text)")
            #expect(try await redis.command("DBSIZE").integer == 0)
        }
    }

    @Test func refusesAnUnknownServiceWithOneLine() async throws {
        try await TestRedis.with(brokers: .commandTests) { redis in
            try await redis.broker("billing").subscribe("orders")
            let output = try await redis.run(["inspect", "--service", "biling"])
            #expect(output.status == 1)
            #expect(output.standardOutput == "")
            #expect(
                output.standardError
                    == "Error: no service 'biling' is registered under the key prefix 'reb' (registered: billing)\n")
        }
    }

    @Test(arguments: [
        (["--limit=-1"], "Error: --limit must not be negative"),
        (["--prefix", "a b"], "Error: invalid key prefix \"a b\": use 1 to 64 characters of A-Z a-z 0-9 . _ - :"),
        (["--redis-url", "foo://x"], "Error: Invalid Redis URL 'foo://x': unsupported scheme 'foo'; use redis:// or unix://"),
    ])
    func refusesBadOptions(arguments: [String], error: String) async throws {
        let output = try await runEventBroker(["inspect"] + arguments, environment: ["REDIS_URL": unreachableRedisURL])
        #expect(output.status != 0)
        #expect(output.standardOutput == "")
        #expect(output.standardError.split(separator: "\n").first.map(String.init) == error)
    }
}
