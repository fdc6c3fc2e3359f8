import EventBrokerTestSupport
import Foundation
import RedisServerProcess
import Synchronization
import Testing

@testable import EventBrokerCore
@testable import RedisEventBroker

/// The least-privilege ACL rules of ``BrokerACL``: a broker needs nothing more, and the
/// documentation gives exactly them.
@Suite(.timeLimit(.minutes(2))) struct ACLTests {
    struct Refused: Error, CustomStringConvertible {
        var description: String { "refused" }
    }

    @Test func rulesOfAPrefixGrantItsKeysAndChannelsAndTheBrokersCommandsOnly() throws {
        let rules = try BrokerACL.rules(keyPrefix: "shop")
        #expect(
            Array(rules.prefix(7)) == ["resetkeys", "~{shop}:*", "~{shop/*", "resetchannels", "&{shop}:*", "&{shop/*", "-@all"])
        let commands = rules.dropFirst(7)
        #expect(commands.allSatisfy { $0.hasPrefix("+") && !$0.hasPrefix("+@") })
        #expect(Array(commands) == commands.sorted(), "sorted, for a readable line")
        #expect(Set(commands).count == commands.count)
        #expect(throws: BrokerError.self) { try BrokerACL.rules(keyPrefix: "a*") }
    }

    @Test func theRulesGrantEveryCommandTheScriptsRunAndNoOtherScriptCommand() throws {
        // Redis checks the commands a script runs against the rules too.
        var called: Set<String> = []
        for script in RedisScript.all {
            let calls = script.source.matches(of: #/redis\.p?call\(/#).count
            let named = script.source.matches(of: #/redis\.p?call\(\s*'([A-Za-z|]+)'/#).map { String($0.output.1).lowercased() }
            #expect(named.count == calls, "\(script.name) calls a command whose name is not a literal")
            called.formUnion(named)
        }
        #expect(called == Set(BrokerACL.scriptCommands))
        let granted = Set(try BrokerACL.rules().compactMap { $0.hasPrefix("+") ? String($0.dropFirst()) : nil })
        #expect(granted == Set(BrokerACL.scriptCommands + BrokerACL.clientCommands))
    }

    @Test(arguments: ["README.md", "docs/SECURITY.md"])
    func theDocumentationGivesTheExactRules(file: String) throws {
        let text = try String(contentsOf: packageRoot.appending(path: file), encoding: .utf8)
        let line = try BrokerACL.rules().joined(separator: " ")
        #expect(text.contains(line), "\(file) gives the rules of BrokerACL.rules() for the prefix reb")
    }

    /// Publish, subscribe, notifications, a consumer loop, ack, nack with a retry delay, dead
    /// letters and their replay, a lease the checker sweeps back, and shutdown giving back a
    /// running handler's event: all as the least-privilege user, on a server whose default user
    /// needs the admin's password. The fixture then finds nothing refused in the server's ACL log.
    @Test func everyStepOfAnEventWorksAsTheLeastPrivilegeUser() async throws {
        try await TestRedis.with(brokers: .init(aclUser: true)) { redis in
            let anonymous = RedisConnection(endpoint: try RedisEndpoint(url: redis.server.url))
            let noLogin = await #expect(throws: RedisError.self) { try await anonymous.connect() }
            guard case .authenticationFailed(_, let message)? = noLogin, message.hasPrefix("NOAUTH") else {
                Issue.record("expected NOAUTH without a login, got \(String(describing: noLogin))")
                return
            }
            await anonymous.close()

            let billing = try await redis.broker("billing") { configuration in
                configuration.timeoutPolicy = StandardTimeoutPolicy(backoff: .fixed(.milliseconds(200)), maxDeliveries: 2)
                configuration.companions = [LeaseChecker(interval: .milliseconds(100))]
                configuration.shutdownGracePeriod = .milliseconds(200)
            }
            let shipping = try await redis.broker("shipping")
            let shop = try await redis.broker("shop")
            let notifications = Mutex(0)
            billing.onNotification { _ in notifications.withLock { $0 += 1 } }
            let listener = try #require(billing.notificationListener)
            try await listener.connection.waitForSubscription(count: 1)
            try await billing.subscribe("orders")
            try await shipping.subscribe("orders")
            let ledger = Ledger()
            shipping.pickOnNotification { ledger.record(shipping, $0) }
            var ids: [String] = []
            // Publishes the next order, which billing then has alone in its queue.
            func publishOrder() async throws -> String {
                let id = try await shop.publishEvent(Event(streamId: "order-\(ids.count + 1)", topic: "orders"))
                ids.append(id)
                return id
            }

            // Order 1 fails once, waits for its retry delay, and the checker brings it back.
            let first = try await publishOrder()
            await #expect(throws: Refused.self) { try await billing.pick { _ in throw Refused() } }
            try await eventually("order 1 is back after its retry delay") {
                try await billing.pick { event in
                    #expect(event.id == first)
                    #expect(event.deliveryCount == 2)
                }
            }
            try await eventually("billing was notified") { notifications.withLock { $0 } >= 1 }

            // Order 2 fails on both of its deliveries: a dead letter, then replayed.
            let second = try await publishOrder()
            await #expect(throws: Refused.self) { try await billing.pick { _ in throw Refused() } }
            try await eventually("order 2 is back after its retry delay") {
                try await redis.command("LLEN", billing.serviceKeys.published).integer == 1
            }
            await #expect(throws: Refused.self) { try await billing.pick { _ in throw Refused() } }
            let (total, page) = try await billing.deadLetters.list()
            #expect(total == 1)
            #expect(page.first?.eventId == second)
            #expect(try await billing.deadLetters.replayAll() == 1)
            #expect(try await nextEventId(billing) == second)

            // Order 3's lease runs out while its handler hangs: the checker gives it to another
            // delivery, and the late acknowledgement cannot remove that one.
            let third = try await publishOrder()
            let late = await #expect(throws: BrokerError.self) {
                try await billing.pick { event in
                    try await redis.command("ZADD", billing.serviceKeys.leases, "1", event.id)
                    try await eventually("the checker put order 3 back") {
                        try await redis.command("LLEN", billing.serviceKeys.published).integer == 1
                    }
                }
            }
            #expect(late == .leaseLost(eventId: third))
            let redelivered = try #require(try await nextEvent(billing))
            #expect(redelivered.id == third)
            #expect(redelivered.deliveryCount == 2)

            // Order 4's handler outlives the shutdown grace period: its event goes back at once.
            let fourth = try await publishOrder()
            let started = Mutex(false)
            billing.pickOnNotification { _ in
                started.withLock { $0 = true }
                try await Task.sleep(for: .seconds(3600))
            }
            try await eventually("order 4's handler runs") { started.withLock { $0 } }
            try await billing.shutdown()
            let successor = try await redis.broker("billing")
            #expect(try await nextEventId(successor) == fourth)

            try await eventually("shipping handled every order") { ledger.handled(by: "shipping").count == 4 }
            #expect(Set(ledger.handled(by: "shipping").keys) == Set(ids))
            for client in try await redis.command("CLIENT", "LIST").string?.split(separator: "\n") ?? []
            where !client.contains(" name=test-admin ") {
                #expect(client.contains(" user=\(TestRedis.aclUser) "), "\(client)")
            }
            #expect(try await redis.aclRefusals(of: TestRedis.aclUser) == [])
        }
    }

    /// On a cluster the broker also reads the slot map and talks to each master: the same rules,
    /// set on every node (a cluster does not share its users), serve it.
    @Test func theRulesServeABrokerOnARedisCluster() async throws {
        try await TestCluster.with { cluster in
            let user = (name: TestRedis.aclUser, password: TestRedis.aclUserPassword)
            let setUser = ["ACL", "SETUSER", user.name, "on", ">\(user.password)"] + (try BrokerACL.rules())
            var admins: [RedisConnection] = []
            for node in cluster.nodes {
                let admin = RedisConnection(endpoint: try RedisEndpoint(url: node.url), clientName: "test-admin")
                admins.append(admin)
                #expect(try await admin.send(setUser.map { Array($0.utf8) }) == .status("OK"))
            }
            let url = cluster.url.replacing("redis-cluster://", with: "redis-cluster://\(user.name):\(user.password)@")
            let billing = try await cluster.broker("billing") { $0.redisURL = url }
            // Publishing waits for a replica (WAIT), which the rules allow too.
            let shop = try await cluster.broker("shop") { configuration in
                configuration.redisURL = url
                configuration.publishReplication = PublishReplication(replicas: 1, timeout: .seconds(5))
            }
            let notified = Mutex(false)
            billing.onNotification { _ in notified.withLock { $0 = true } }
            let listener = try #require(billing.notificationListener)
            try await listener.connection.waitForSubscription(count: 1)
            try await billing.subscribe("orders")
            var published: [String] = []
            for number in 1...10 {
                published.append(try await shop.publishEvent(Event(streamId: "order-\(number)", topic: "orders")))
            }
            await #expect(throws: Refused.self) { try await billing.pick { _ in throw Refused() } }
            let ledger = Ledger()
            billing.pickOnNotification { ledger.record(billing, $0) }
            try await eventually("billing handled every order") { ledger.all.count == published.count }
            #expect(Set(ledger.all.map(\.eventId)) == Set(published))
            try await eventually("billing was notified") { notified.withLock { $0 } }

            for admin in admins {
                #expect(try await TestRedis.aclRefusals(of: user.name, on: admin) == [])
                await admin.close()
            }
        }
    }

    @Test func aUserLackingACommandTheBrokerRunsGetsATypedError() async throws {
        let rules = try BrokerACL.rules().filter { $0 != "+rpop" }
        let narrow = try TestRedis.userArguments("narrow", password: "narrow-secret", rules: rules)
        try await TestRedis.with(.init(extraArguments: narrow)) { redis in
            let broker = try await redis.broker("billing") { configuration in
                configuration.redisURL = redis.url(user: "narrow", password: "narrow-secret")
                configuration.companions = []
            }
            try await broker.subscribe("orders")
            try await broker.publishEvent(Event(streamId: "order-1", topic: "orders"))
            let error = await #expect(throws: RedisError.self) { try await broker.pick { _ in } }
            guard let error, case .permissionDenied(let endpoint, let message) = error else {
                Issue.record("expected permissionDenied, got \(String(describing: error))")
                return
            }
            let expected = try await redis.endpointDescription(user: "narrow", key: broker.serviceKeys.published)
            #expect(endpoint == expected)
            #expect(message.contains("script"), "the pick script stopped at RPOP: \(message)")
            #expect(error.description.contains("BrokerACL.rules(keyPrefix:)"))
            #expect(try await redis.aclRefusals(of: "narrow") == ["command rpop (lua)"])
        }
    }
}
