import EventBrokerCore
import Logging
import RedisServerProcess
import Testing

@Suite(.timeLimit(.minutes(1)))
struct PubSubConnectionTests {
    @Test func receivesPublishedMessages() async throws {
        try await withRedisServer { server in
            let endpoint = try RedisEndpoint(url: server.url)
            let pubsub = PubSubConnection(
                endpoint: endpoint, channels: ["news", "alerts", "news"], logger: LogRecorder().logger)
            #expect(pubsub.channels == ["news", "alerts"])
            try await pubsub.waitForSubscription()
            #expect(pubsub.subscriptionCount == 1)
            #expect(pubsub.isSubscribed)

            let publisher = try makeConnection(server.url)
            let payload = (0...255).map { UInt8($0) }
            #expect(try await publisher.send([Array("PUBLISH".utf8), Array("news".utf8), payload]) == .integer(1))
            #expect(try await publisher.send("PUBLISH", "alerts", "fire") == .integer(1))
            #expect(try await publisher.send("PUBLISH", "elsewhere", "ignored") == .integer(0))

            var messages = pubsub.messages.makeAsyncIterator()
            #expect(await messages.next() == PubSubMessage(channel: "news", payload: payload))
            #expect(await messages.next() == PubSubMessage(channel: "alerts", payload: Array("fire".utf8)))
            await pubsub.close()
            await publisher.close()
        }
    }

    @Test func patternsReceiveEveryMatchingChannelAndResubscribe() async throws {
        try await withRedisServer { server in
            let pubsub = PubSubConnection(
                endpoint: try RedisEndpoint(url: server.url), channels: ["exact"], patterns: ["news:*", "news:*"],
                clientName: "reb-patterns", logger: LogRecorder().logger)
            #expect(pubsub.patterns == ["news:*"])
            try await pubsub.waitForSubscription()
            let publisher = try makeConnection(server.url)
            var messages = pubsub.messages.makeAsyncIterator()
            #expect(try await publisher.send("PUBLISH", "news:sport", "goal") == .integer(1))
            #expect(try await publisher.send("PUBLISH", "weather", "rain") == .integer(0))
            #expect(try await publisher.send("PUBLISH", "exact", "hit") == .integer(1))
            #expect(await messages.next() == PubSubMessage(channel: "news:sport", payload: Array("goal".utf8)))
            #expect(await messages.next() == PubSubMessage(channel: "exact", payload: Array("hit".utf8)))

            _ = try await publisher.send("CLIENT", "KILL", "TYPE", "pubsub")
            try await pubsub.waitForSubscription(count: 2)
            #expect(try await publisher.send("PUBLISH", "news:tech", "again") == .integer(1))
            #expect(await messages.next() == PubSubMessage(channel: "news:tech", payload: Array("again".utf8)))
            await pubsub.close()
            await publisher.close()
        }
    }

    @Test func resubscribesAfterClientKill() async throws {
        try await withRedisServer { server in
            let reconnects = Counter()
            let recorder = LogRecorder()
            let pubsub = PubSubConnection(
                endpoint: try RedisEndpoint(url: server.url), channels: ["events"], clientName: "reb-listener",
                logger: recorder.logger, onReconnect: { reconnects.increment() })
            try await pubsub.waitForSubscription(count: 1)
            let admin = try makeConnection(server.url)
            var messages = pubsub.messages.makeAsyncIterator()

            #expect(try await admin.send("PUBLISH", "events", "first") == .integer(1))
            #expect(await messages.next()?.payload == Array("first".utf8))

            let killed = try #require(try await admin.send("CLIENT", "KILL", "TYPE", "pubsub").integer)
            #expect(killed == 1)
            try await pubsub.waitForSubscription(count: 2)
            #expect(reconnects.value == 1)
            #expect(try await clientID(named: "reb-listener", using: admin) != nil)
            #expect(try await admin.send("PUBLISH", "events", "second") == .integer(1))
            #expect(await messages.next()?.payload == Array("second".utf8))
            #expect(recorder.entries.contains { $0.message == "Re-subscribed to Redis channels" })
            #expect(recorder.entries.contains { $0.level == .warning && $0.message.contains("Lost the pub/sub") })
            await pubsub.close()
            await admin.close()
        }
    }

    @Test func resubscribesAfterServerRestart() async throws {
        try await withRedisServer { server in
            let pubsub = PubSubConnection(
                endpoint: try RedisEndpoint(url: server.url), channels: ["events"], logger: LogRecorder().logger)
            try await pubsub.waitForSubscription()
            try await server.restartRetrying()
            try await pubsub.waitForSubscription(count: 2)
            let publisher = try makeConnection(server.url)
            #expect(try await publisher.send("PUBLISH", "events", "after restart") == .integer(1))
            var messages = pubsub.messages.makeAsyncIterator()
            #expect(await messages.next()?.payload == Array("after restart".utf8))
            await pubsub.close()
            await publisher.close()
        }
    }

    @Test func healthCheckNoticesAPausedServer() async throws {
        try await withRedisServer { server in
            let options = RedisConnectionOptions(connectTimeout: .milliseconds(200), commandTimeout: .milliseconds(200))
            let pubsub = PubSubConnection(
                endpoint: try RedisEndpoint(url: server.url), channels: ["events"], clientName: "reb-paused",
                options: options, logger: LogRecorder().logger)
            try await pubsub.waitForSubscription()
            server.pause()
            try await waitUntil { !pubsub.isSubscribed }
            server.resume()
            try await pubsub.waitForSubscription(count: 2)
            let publisher = try makeConnection(server.url)
            let receivers = try await publisher.send("PUBLISH", "events", "awake")
            let clients = try await publisher.send("CLIENT", "LIST").string ?? ""
            // The connection dropped during the pause may not be reaped yet: at least one.
            #expect((receivers.integer ?? 0) >= 1, "\(clients)")
            var messages = pubsub.messages.makeAsyncIterator()
            #expect(await messages.next()?.payload == Array("awake".utf8))
            await pubsub.close()
            await publisher.close()
        }
    }

    @Test func closeFinishesTheStream() async throws {
        try await withRedisServer { server in
            let pubsub = PubSubConnection(
                endpoint: try RedisEndpoint(url: server.url), channels: ["events"], logger: LogRecorder().logger)
            try await pubsub.waitForSubscription()
            let consumer = Task {
                var received = 0
                for await _ in pubsub.messages { received += 1 }
                return received
            }
            let laterSubscription = Task { try await pubsub.waitForSubscription(count: 2) }
            let publisher = try makeConnection(server.url)
            #expect(try await publisher.send("PUBLISH", "events", "one") == .integer(1))

            await pubsub.close()
            #expect(await consumer.value <= 1)
            await #expect(throws: RedisError.closed) { try await laterSubscription.value }
            await #expect(throws: RedisError.closed) { try await pubsub.waitForSubscription(count: 2) }
            try await pubsub.waitForSubscription(count: 1)  // already reached
            await pubsub.close()  // idempotent
            try await waitUntil {
                try await publisher.send("PUBSUB", "NUMSUB", "events") == .array([.bulk("events"), .integer(0)])
            }
            await publisher.close()
        }
    }

    @Test func keepsRetryingWhileTheServerIsDown() async throws {
        try await withRedisServer { server in
            server.terminate()
            let pubsub = PubSubConnection(
                endpoint: try RedisEndpoint(url: server.url), channels: ["events"],
                options: RedisConnectionOptions(connectTimeout: .milliseconds(100)), logger: LogRecorder().logger)
            try await Task.sleep(for: .milliseconds(200))
            #expect(!pubsub.isSubscribed)
            let abandoned = PubSubConnection(
                endpoint: try RedisEndpoint(url: server.url), channels: ["other"], logger: LogRecorder().logger)
            await abandoned.close()  // returns while its thread waits to retry
            await #expect(throws: RedisError.closed) { try await abandoned.waitForSubscription() }
            try await server.startAgainRetrying()
            try await pubsub.waitForSubscription()
            await pubsub.close()
        }
    }
}
