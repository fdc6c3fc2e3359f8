import EventBrokerTestSupport
import Foundation
import RedisServerProcess
import Synchronization
import Testing

@testable import EventBrokerCore
@testable import RedisEventBroker

/// Applications sharing one Redis, each with a key prefix of its own and an ACL user limited to
/// it: neither sees, reads nor changes the other's events.
@Suite(.timeLimit(.minutes(2))) struct IsolationTests {
    /// The application of prefix `a` or `b`: its user and password.
    struct Application {
        let prefix: String
        var user: String { "app-\(prefix)" }
        var password: String { "\(prefix)-secret" }
    }

    let a = Application(prefix: "a")
    let b = Application(prefix: "b")

    /// A server with one ACL user per application, limited to its prefix by ``BrokerACL``.
    func withApplications(_ body: (TestRedis) async throws -> Void) async throws {
        let users =
            try TestRedis.userArguments(a.user, password: a.password, rules: BrokerACL.rules(keyPrefix: a.prefix))
            + TestRedis.userArguments(b.user, password: b.password, rules: BrokerACL.rules(keyPrefix: b.prefix))
        try await TestRedis.with(.init(extraArguments: users), body)
    }

    /// A broker of `service` with the key prefix `prefix`, logged in as `application`'s user.
    func broker(
        _ redis: TestRedis, _ service: String, prefix: String, as application: Application
    ) async throws -> RedisEventBroker {
        try await redis.broker(service) { configuration in
            configuration.keyPrefix = prefix
            configuration.redisURL = redis.url(user: application.user, password: application.password)
        }
    }

    @Test func twoApplicationsShareOneRedisWithoutSeeingEachOthersEvents() async throws {
        try await withApplications { redis in
            // The same service and topic names in both applications.
            let billingA = try await broker(redis, "billing", prefix: "a", as: a)
            let billingB = try await broker(redis, "billing", prefix: "b", as: b)
            try await billingA.subscribe("orders")
            try await billingB.subscribe("orders")
            let notifiedB = Mutex<[String]>([])
            billingB.onNotification { topic in notifiedB.withLock { $0.append(topic) } }
            let listener = try #require(billingB.notificationListener)
            try await listener.connection.waitForSubscription(count: 1)

            var publishedA: Set<String> = []
            for number in 1...3 {
                publishedA.insert(try await billingA.publishEvent(Event(streamId: "order-\(number)", topic: "orders")))
            }
            let publishedB = try await billingB.publishEvent(Event(streamId: "order-1", topic: "orders"))

            var handledA: Set<String> = []
            while let event = try await nextEvent(billingA) { handledA.insert(event.id) }
            #expect(handledA == publishedA)
            #expect(try await nextEventId(billingB) == publishedB)
            #expect(try await billingB.pick { _ in } == false)
            try await eventually("b's billing was notified of its one order") { notifiedB.withLock { $0.count } >= 1 }
            #expect(notifiedB.withLock { $0 } == ["orders"], "no notification of a's orders")

            let keys = try await redis.keys()
            #expect(keys.contains { redis.isBrokerKey($0, prefix: "a") } && keys.contains { redis.isBrokerKey($0, prefix: "b") })
            #expect(keys.allSatisfy { redis.isBrokerKey($0, prefix: "a") || redis.isBrokerKey($0, prefix: "b") }, "\(keys)")
        }
    }

    @Test func aUserOfOnePrefixCanNeitherReadNorChangeAnothersQueues() async throws {
        try await withApplications { redis in
            let billingB = try await broker(redis, "billing", prefix: "b", as: b)
            try await billingB.subscribe("orders")
            let id = try await billingB.publishEvent(Event(streamId: "order-1", topic: "orders"))
            let before = try await redis.snapshot()

            let intruder = RedisConnection(
                endpoint: try RedisEndpoint(url: redis.serverURL(user: a.user, password: a.password)), clientName: "intruder")
            let keys = billingB.serviceKeys
            let pick = try #require(RedisScript.all.first { $0.name == "pick" })
            _ = try await intruder.send("SCRIPT", "LOAD", pick.source)
            let attempts: [[String]] = [
                ["TYPE", keys.published],
                ["HGET", keys.events, id],
                ["RPOP", keys.published],
                ["DEL", keys.events],
                ["SMEMBERS", billingB.layout.services],
                ["EVALSHA", pick.sha1, "6", keys.published, keys.events, keys.inflight, keys.leases, keys.deliveries,
                 keys.wake, "intruder", "30000", "0", "1"],
                ["SUBSCRIBE", keys.notifyChannel],
                // Commands outside the rules, whatever their keys.
                ["KEYS", "*"], ["SCAN", "0"], ["FLUSHALL"], ["EVAL", "return redis.call('DEL', KEYS[1])", "1", "{a}:x"],
                ["CONFIG", "GET", "requirepass"], ["ACL", "LIST"],
            ]
            for command in attempts {
                let error = await #expect(throws: RedisError.self, "\(command[0])") {
                    try await intruder.send(command.map { Array($0.utf8) })
                }
                guard case .permissionDenied(_, let message)? = error else {
                    Issue.record("\(command[0]): expected permissionDenied, got \(String(describing: error))")
                    continue
                }
                #expect(message.hasPrefix("NOPERM"), "\(command[0]): \(message)")
            }
            await intruder.close()
            #expect(try await redis.snapshot() == before, "b's data is untouched")
            #expect(try await nextEventId(billingB) == id)
        }
    }

    @Test func aBrokerOfAnotherPrefixThanItsUsersFailsAtStartAndWritesNothing() async throws {
        try await withApplications { redis in
            let configuration = redis.configuration("billing")
            var misconfigured = configuration
            misconfigured.keyPrefix = "b"
            misconfigured.redisURL = redis.url(user: a.user, password: a.password)
            let error = await #expect(throws: RedisError.self) { try await RedisEventBroker(misconfigured) }
            guard let error, case .permissionDenied(let endpoint, let message) = error else {
                Issue.record("expected permissionDenied, got \(String(describing: error))")
                return
            }
            let expected = try await redis.endpointDescription(
                user: a.user, key: try redis.serviceKeys("billing", keyPrefix: "b").published)
            #expect(endpoint == expected)
            #expect(message.hasPrefix("NOPERM"))
            #expect(error.description.contains("check that the key prefix is the one the user is for"))
            #expect(try await redis.keys() == [])
        }
    }
}
