import EventBrokerCore
import EventBrokerTestSupport
import Foundation
import RedisEventBroker
import Testing

/// `event-broker tail`, run as the built executable against a throwaway redis-server: it shows
/// the events published while it runs, takes none from the services, and leaves no key behind.
@Suite(.timeLimit(.minutes(2))) struct TailCommandTests {
    /// Starts `event-broker tail <arguments>` and returns it with the name of its tap, once it
    /// has subscribed the tap.
    func startTail(_ arguments: [String], on redis: TestRedis) async throws -> (ChildProcess, String) {
        let tail = try redis.start(["tail"] + arguments)
        try await eventually("the tail subscribed its tap") { tail.standardErrorSoFar.contains("; Ctrl-C stops.") }
        let line = try #require(tail.standardErrorSoFar.split(separator: "\n").first)
        let name = try #require(line.firstMatch(of: /as the service (tap-[0-9a-f]{8});/)?.1)
        return (tail, String(name))
    }

    /// Every key of `redis`, sorted.
    func keys(_ redis: TestRedis) async throws -> [String] {
        try await redis.command("KEYS", "*").array?.compactMap(\.string).sorted() ?? []
    }

    /// The keys and registry entries that must be all that is left once the tail ended: billing
    /// subscribed to `orders` and holding `queued` events, and no trace of the tap.
    func expectNothingLeftBehind(by tap: String, on redis: TestRedis, billingQueued: Bool) async throws {
        var expected = ["{reb}:v1:services", "{reb}:v1:t:orders:subscribers", "{reb}:v1:t:orders:version"]
        if billingQueued {
            expected += ["{reb}:v1:s:billing:events", "{reb}:v1:s:billing:published", "{reb}:v1:s:billing:wake"]
        }
        #expect(try await keys(redis) == expected.sorted())
        #expect(try await redis.command("SMEMBERS", "{reb}:v1:services").array?.compactMap(\.string) == ["billing"])
        #expect(
            try await redis.command("SMEMBERS", "{reb}:v1:t:orders:subscribers").array?.compactMap(\.string) == ["billing"])
        #expect(!(try await keys(redis)).contains { $0.contains(tap) })
    }

    @Test func printsTheEventsPublishedWhileItRunsAndStealsNone() async throws {
        try await TestRedis.with(brokers: .commandTests) { redis in
            let billing = try await redis.broker("billing")
            try await billing.subscribe("orders")
            let shop = try await redis.broker("shop")
            let binaryShop = try await redis.broker("shop") { $0.codec = BinaryCodec() }
            let before = try await shop.publishEvent(Event(streamId: "order-0", topic: "orders"))

            let (tail, tap) = try await startTail(["orders", "--json", "--count", "2"], on: redis)
            let ids = [
                try await shop.publishEvent(
                    Event(
                        streamId: "order-1", topic: "orders", message: "orderCreated",
                        payload: ["number": 1, "items": 2], headers: ["source": "test"])),
                try await binaryShop.publishEvent(Event(streamId: "order-2", topic: "orders", payload: ["total": 9.5])),
            ]
            let output = try #require(try await tail.exit(within: .seconds(30)), "--count 2 stops the tail")
            #expect(output.status == 0, "\(output.standardError)")

            let lines = output.standardOutput.split(separator: "\n")
            try #require(lines.count == 2, "\(output.standardOutput)")
            let objects = try lines.map { try #require(try JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any]) }
            for object in objects {
                #expect(
                    Set(object.keys)
                        == ["id", "publishedAt", "topic", "streamId", "message", "headers", "codec", "payload", "payloadHex"])
                #expect(object["topic"] as? String == "orders")
                #expect(object["payloadHex"] is NSNull)
                let publishedAt = try Date.ISO8601FormatStyle(includingFractionalSeconds: true)
                    .parse(try #require(object["publishedAt"] as? String))
                #expect(abs(publishedAt.timeIntervalSinceNow) < 60)
            }
            #expect(objects.map { $0["id"] as? String } == ids, "only the events published after it started, in order")
            #expect(objects.map { $0["streamId"] as? String } == ["order-1", "order-2"])
            #expect(objects[0]["message"] as? String == "orderCreated")
            #expect(objects[1]["message"] is NSNull)
            #expect(objects[0]["headers"] as? [String: String] == ["source": "test"])
            #expect(objects[1]["headers"] as? [String: String] == [:])
            #expect(objects.map { $0["codec"] as? String } == ["json", "binary"])
            #expect(objects[0]["payload"] as? [String: Int] == ["number": 1, "items": 2])
            #expect(objects[1]["payload"] as? [String: Double] == ["total": 9.5])
            #expect(output.standardError.contains("Removed the tap \(tap) ("))
            #expect(output.standardError.hasSuffix("Printed 2 events.\n"))

            var received: [String] = []
            while let event = try await nextEvent(billing) {
                received.append(event.id)
            }
            #expect(received == [before] + ids, "billing still gets every event")
            try await expectNothingLeftBehind(by: tap, on: redis, billingQueued: false)
        }
    }

    @Test func stopsOnSIGINTAndLeavesNothingBehind() async throws {
        try await TestRedis.with(brokers: .commandTests) { redis in
            let billing = try await redis.broker("billing")
            try await billing.subscribe("orders")
            let (tail, tap) = try await startTail(["orders"], on: redis)
            let id = try await redis.broker("shop").publishEvent(
                Event(
                    streamId: "order-1", topic: "orders", message: "orderCreated", payload: ["note": "a/b"],
                    headers: ["source": "test", "attempt": "1"]))
            try await eventually("the tap handled the event") {
                try await redis.command("EXISTS", "{reb}:v1:s:\(tap):events").integer == 0
            }
            tail.send(SIGINT)
            let output = try #require(try await tail.exit(within: .seconds(10)), "SIGINT stops the tail")
            #expect(output.status == 0, "\(output.standardError)")
            let lines = output.standardOutput.split(separator: "\n").map(String.init)
            try #require(lines.count == 3, "\(output.standardOutput)")
            #expect(lines[0].hasSuffix("  orders  order-1  orderCreated  \(id)"))
            #expect(lines[1] == "  headers: attempt=1, source=test")
            #expect(lines[2] == #"  payload: {"note":"a/b"}"#)
            #expect(output.standardError.hasSuffix("Removed the tap \(tap) (0 keys).\nPrinted 1 event.\n"))
            try await expectNothingLeftBehind(by: tap, on: redis, billingQueued: true)
        }
    }

    @Test func removesATapLeftByAKilledTail() async throws {
        try await TestRedis.with(brokers: .commandTests) { redis in
            let billing = try await redis.broker("billing")
            try await billing.subscribe("orders")
            let (tail, tap) = try await startTail(["orders"], on: redis)
            tail.send(SIGKILL)
            _ = try await tail.exit(within: .seconds(10))
            try await redis.broker("shop").publishEvent(Event(streamId: "order-1", topic: "orders"))
            #expect(try await redis.command("LLEN", "{reb}:v1:s:\(tap):published").integer == 1, "events queue up for it")

            let refused = try await redis.run(["tail", "orders", "--remove-tap", "billing"])
            #expect(refused.status != 0)
            #expect(
                refused.standardError.hasPrefix("Error: --remove-tap takes the name of a tap, which starts with tap-\n"))
            let removal = try await redis.run(["tail", "orders", "--remove-tap", tap])
            #expect(removal.status == 0, "\(removal.standardError)")
            #expect(removal.standardOutput == "")
            #expect(removal.standardError == "Removed the tap \(tap) (3 keys).\n")
            try await expectNothingLeftBehind(by: tap, on: redis, billingQueued: true)
        }
    }

    @Test(arguments: [
        (["orders", "--count", "0"], "Error: --count must be at least 1"),
        ([], "Error: Missing expected argument '<topic>'"),
    ])
    func refusesBadOptions(arguments: [String], error: String) async throws {
        let output = try await runEventBroker(["tail"] + arguments, environment: ["REDIS_URL": unreachableRedisURL])
        #expect(output.status != 0)
        #expect(output.standardOutput == "")
        #expect(output.standardError.split(separator: "\n").first.map(String.init) == error)
    }
}
