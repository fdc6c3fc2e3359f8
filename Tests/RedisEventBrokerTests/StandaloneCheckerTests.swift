import EventBrokerTestSupport
import Foundation
import Logging
import RedisServerProcess
import Testing

@testable import EventBrokerCore
@testable import RedisEventBroker

@Suite(.timeLimit(.minutes(2))) struct StandaloneCheckerTests {
    @Test func theStandaloneCheckerSweepsEveryRegisteredService() async throws {
        try await TestRedis.with { redis in
            var services: [RedisEventBroker] = []
            var lost: [String] = []
            for name in ["billing", "shipping"] {
                // No checker beside these instances: only the standalone one can put events back.
                let broker = try await redis.broker(name) { $0.companions = [] }
                try await broker.subscribe("orders")
                services.append(broker)
            }
            for broker in services {
                try await broker.publishEvent(Event(streamId: "order-\(broker.serviceName)", topic: "orders"))
                let picked = try await broker.scripts.pick(
                    service: broker.serviceKeys, owner: "dead-instance", lease: .milliseconds(100))
                lost.append(try #require(picked.events.first?.eventId))
            }
            let checker = try StandaloneChecker(
                redisURL: redis.url, interval: .milliseconds(100), logger: Logger(label: "test.checker"))
            let running = Task { try await checker.run() }
            defer { running.cancel() }
            for (broker, id) in zip(services, lost) {
                try await eventually("\(broker.serviceName)'s lost event is back") {
                    try await nextEvent(broker)?.id == id
                }
            }
            running.cancel()
            try await running.value
        }
    }
}
