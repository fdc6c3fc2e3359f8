import EventBrokerTestSupport
import Foundation
import RedisServerProcess
import Testing

@testable import EventBrokerCore
@testable import RedisEventBroker

@Suite(.timeLimit(.minutes(2))) struct ConfigurationTests {
    @Test func noServiceNameAnywhereFailsBeforeAnyConnection() async throws {
        // The URL points nowhere: reaching Redis would fail with another error.
        let configuration = BrokerConfiguration(redisURL: "unix:///nonexistent/redis.sock", environment: [:])
        #expect(configuration.serviceName == nil)
        await #expect(throws: BrokerError.missingServiceName) { try await RedisEventBroker(configuration) }
        await #expect(throws: BrokerError.missingServiceName) { try await RedisEventBroker.shared(configuration) }
        let empty = BrokerConfiguration(environment: ["MICROSERVICE_NAME": ""])
        #expect(empty.serviceName == nil)
    }

    @Test func theEnvironmentProvidesServiceNameAndURL() {
        let configuration = BrokerConfiguration(
            environment: ["MICROSERVICE_NAME": "billing", "REDIS_URL": "redis://10.0.0.7:6380/2"])
        #expect(configuration.serviceName == "billing")
        #expect(configuration.redisURL == "redis://10.0.0.7:6380/2")
        let defaults = BrokerConfiguration(serviceName: "billing", environment: [:])
        #expect(defaults.redisURL == "redis://127.0.0.1:6379")
        #expect(defaults.processingTimeout == .seconds(30))
        #expect(defaults.codec.name == "json")
    }

    @Test func badSettingsAreRefusedBeforeAnyConnection() async throws {
        var configuration = BrokerConfiguration(serviceName: "billing", redisURL: "unix:///nonexistent/redis.sock")
        configuration.processingTimeout = .zero
        await #expect(throws: BrokerError.invalidConfiguration(setting: "processingTimeout", reason: "must be longer than zero")) {
            try await RedisEventBroker(configuration)
        }
        configuration.processingTimeout = .seconds(1)
        configuration.depthSamplingInterval = .zero
        await #expect(throws: BrokerError.invalidConfiguration(setting: "depthSamplingInterval", reason: "must be longer than zero")) {
            try await RedisEventBroker(configuration)
        }
        configuration.depthSamplingInterval = .seconds(15)
        for prefetch in [-1, 1001] {
            configuration.consumerPrefetch = prefetch
            await #expect(throws: BrokerError.invalidConfiguration(setting: "consumerPrefetch", reason: "must be from 0 to 1000")) {
                try await RedisEventBroker(configuration)
            }
        }
        configuration.consumerPrefetch = 0
        configuration.publishReplication = PublishReplication(replicas: 0, timeout: .seconds(1))
        await #expect(throws: BrokerError.invalidConfiguration(setting: "publishReplication.replicas", reason: "must be at least 1")) {
            try await RedisEventBroker(configuration)
        }
        configuration.publishReplication = PublishReplication(replicas: 1, timeout: .microseconds(500))
        await #expect(throws: BrokerError.self) { try await RedisEventBroker(configuration) }
        configuration.publishReplication = nil
        configuration.publishDedupWindow = .microseconds(999)
        await #expect(throws: BrokerError.invalidConfiguration(setting: "publishDedupWindow", reason: "must be at least 1 ms")) {
            try await RedisEventBroker(configuration)
        }
        configuration.publishDedupWindow = .seconds(60)
        configuration.keyPrefix = "a{b}"
        await #expect(throws: BrokerError.self) { try await RedisEventBroker(configuration) }
        configuration.keyPrefix = "reb"
        configuration.redisURL = "rediss://127.0.0.1:6379"
        await #expect(throws: RedisError.self) { try await RedisEventBroker(configuration) }
    }

    /// Services of the two slot placements on one prefix would not see each other's events: a
    /// broker refuses to start where the other placement's services are, and writes nothing.
    @Test func aBrokerRefusesAPrefixThatHoldsTheOtherPlacementsServices() async throws {
        try await TestRedis.with { redis in
            for (first, second) in [(SlotPlacement.perPrefix, SlotPlacement.perService), (.perService, .perPrefix)] {
                try await redis.command("FLUSHALL")
                let billing = try await redis.broker("billing") { $0.slotPlacement = first }
                try await billing.subscribe("orders")
                let before = try await redis.snapshot()
                let error = await #expect(throws: BrokerError.self) {
                    var configuration = redis.configuration("shipping")
                    configuration.slotPlacement = second
                    _ = try await RedisEventBroker(configuration)
                }
                guard case .invalidConfiguration(let setting, let reason)? = error else {
                    Issue.record("expected invalidConfiguration, got \(String(describing: error))")
                    continue
                }
                #expect(setting == "slotPlacement")
                #expect(reason.contains("the key prefix holds services of the other slot placement"), "\(reason)")
                #expect(try await redis.snapshot() == before)
            }
        }
    }

    /// Its own logins: not the fixture's ACL user (`EVENT_BROKER_TEST_ACL`), whose admin password
    /// `--requirepass` would replace; on one server, since a cluster has no database but 0.
    @Test func passwordACLUserAndDatabaseComeFromTheURL() async throws {
        try await TestRedis.with(
            .init(listenOnLoopbackPort: true, extraArguments: ["--requirepass", "s3cret"]),
            brokers: .init(aclUser: false, cluster: false)
        ) { redis in
            let port = try #require(redis.server.port)
            let socket = redis.server.socketPath
            let admin = try await RedisEventBroker(
                BrokerConfiguration(serviceName: "admin", redisURL: "unix://:s3cret@\(socket)", environment: [:]))
            try await admin.shutdown()

            for (url, refusal) in [
                ("unix://:wrong@\(socket)", "WRONGPASS"), ("redis://nobody:s3cret@127.0.0.1:\(port)", "WRONGPASS"),
                ("unix://\(socket)", "NOAUTH"),
            ] {
                let error = await #expect(throws: RedisError.self) {
                    try await RedisEventBroker(BrokerConfiguration(serviceName: "billing", redisURL: url, environment: [:]))
                }
                guard let error, case .authenticationFailed(_, let message) = error else {
                    Issue.record("\(url): expected authenticationFailed, got \(String(describing: error))")
                    continue
                }
                #expect(message.contains(refusal), "\(url): \(message)")
                #expect(!error.description.contains("s3cret"))
            }

            let setup = try await RedisEventBroker(
                BrokerConfiguration(serviceName: "setup", redisURL: "redis://:s3cret@127.0.0.1:\(port)", environment: [:]))
            _ = try await setup.commands.send("ACL", "SETUSER", "billing", "on", ">pw", "~{reb}:*", "&*", "+@all", key: nil)
            try await setup.shutdown()

            let billing = try await RedisEventBroker(
                BrokerConfiguration(serviceName: "billing", redisURL: "redis://billing:pw@127.0.0.1:\(port)/3", environment: [:]))
            try await billing.subscribe("orders")
            let id = try await billing.publishEvent(Event(streamId: "order-1", topic: "orders"))
            #expect(try await nextEventId(billing) == id)
            try await billing.publishEvent(Event(streamId: "order-2", topic: "orders"))
            let database3 = try await billing.commands.send("DBSIZE", key: nil).integer ?? 0
            #expect(database3 > 0)
            try await billing.shutdown()
        }
    }
}
