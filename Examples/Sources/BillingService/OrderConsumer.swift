import Logging
import RedisEventBroker
import ServiceLifecycle

/// Bills every order: consumes the service's events, a few at a time, until the service group
/// shuts down; running handlers finish first.
struct OrderConsumer: Service {
    let broker: RedisEventBroker
    let logger: Logger
    /// Handlers in flight at once.
    let concurrency: Int

    /// Consumes until the group shuts down gracefully, then lets the running handlers finish.
    func run() async throws {
        try await cancelWhenGracefulShutdown {
            try await broker.consume(concurrency: concurrency) { event in
                let order = try event.payload(as: Order.self)   // a throw sends the event back to the queue
                logger.info(
                    "Billed order",
                    metadata: [
                        "order": "\(order.number)", "total": "\(order.total)", "event": "\(event.id)",
                        "delivery": "\(event.deliveryCount)",
                    ])
            }
        }
    }
}
