import EventBrokerTestSupport
import Foundation
import Testing

@testable import EventBrokerCore
@testable import RedisEventBroker

@Suite(.timeLimit(.minutes(2))) struct SharedInstanceTests {
    @Test func theSameConfigurationGivesTheSameInstanceAndNoNewConnections() async throws {
        try await TestRedis.with { redis in
            let configuration = redis.configuration("billing")
            let first = try await RedisEventBroker.shared(configuration)
            let connections = try await redis.clientNames().count
            let again = try await RedisEventBroker.shared(configuration)
            async let concurrent1 = RedisEventBroker.shared(configuration)
            async let concurrent2 = RedisEventBroker.shared(configuration)
            let concurrent = try await [concurrent1, concurrent2]
            #expect(first === again)
            #expect(concurrent.allSatisfy { $0 === first })
            #expect(try await redis.clientNames().count == connections)

            let separate = try await RedisEventBroker(configuration)
            #expect(separate !== first)
            #expect(try await redis.clientNames().count == connections + 1)
            try await separate.shutdown()

            var otherService = configuration
            otherService.serviceName = "shipping"
            let shipping = try await RedisEventBroker.shared(otherService)
            #expect(shipping !== first)

            try await first.shutdown()
            let fresh = try await RedisEventBroker.shared(configuration)
            #expect(fresh !== first)
            try await fresh.shutdown()
            try await shipping.shutdown()
        }
    }
}
