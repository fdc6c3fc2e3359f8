import EventBrokerTestSupport
import Foundation
import Logging
import ServiceLifecycle
import Synchronization
import Testing

@testable import EventBrokerCore
@testable import RedisEventBroker

@Suite(.timeLimit(.minutes(2))) struct ShutdownTests {
    @Test func aHandlerThatOutlivesTheGracePeriodGivesItsEventBackAtOnce() async throws {
        try await TestRedis.with { redis in
            let started = Mutex(false)
            let cancelled = Mutex(false)
            let stuck = try await redis.broker("billing") { $0.shutdownGracePeriod = .milliseconds(300) }
            try await stuck.subscribe("orders")
            let id = try await stuck.publishEvent(Event(streamId: "order-1", topic: "orders"))
            stuck.pickOnNotification { _ in
                started.withLock { $0 = true }
                do {
                    try await Task.sleep(for: .seconds(3600))
                } catch {
                    cancelled.withLock { $0 = true }
                    throw error
                }
            }
            try await eventually("the handler runs") { started.withLock { $0 } }
            try await stuck.shutdown()
            // 30-second leases: only the release can hand the event over this soon.
            let other = try await redis.broker("billing")
            let event = try #require(try await nextEvent(other))
            #expect(event.id == id)
            #expect(event.deliveryCount == 1, "a released delivery does not count")
            try await eventually("the stuck handler was cancelled") { cancelled.withLock { $0 } }
        }
    }

    @Test func aBrokerRunsAsAServiceAndShutsDownWithItsGroup() async throws {
        try await TestRedis.with { redis in
            let broker = try await redis.broker("billing")
            let group = ServiceGroup(
                configuration: .init(services: [.init(service: broker)], logger: Logger(label: "test.group")))
            let running = Task { try await group.run() }
            try await broker.subscribe("orders")
            await group.triggerGracefulShutdown()
            try await running.value
            await #expect(throws: BrokerError.shutDown) { try await broker.subscribe("orders") }
        }
    }
}
