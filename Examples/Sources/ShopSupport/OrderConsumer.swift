import EventBrokerCore
import Logging
import ServiceLifecycle

/// Consumes a service's events with ``OrderWork``, a few at a time, until the service group shuts
/// down; running handlers finish first. A swift-service-lifecycle `Service`.
public struct OrderConsumer: Service {
    let broker: RedisEventBroker
    let work: OrderWork
    let concurrency: Int

    /// A consumer of `broker`'s events running `concurrency` handlers at once.
    public init(broker: RedisEventBroker, work: OrderWork, concurrency: Int) {
        self.broker = broker
        self.work = work
        self.concurrency = concurrency
    }

    /// Consumes until the group shuts down gracefully, then lets the running handlers finish.
    public func run() async throws {
        work.logger.info("Ready", metadata: ["step": "ready", "concurrency": "\(concurrency)"])
        try await cancelWhenGracefulShutdown {
            try await broker.consume(concurrency: concurrency) { event in
                try await work.handle(event)
            }
        }
    }
}
