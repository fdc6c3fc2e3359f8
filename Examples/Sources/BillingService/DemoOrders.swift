import Logging
import RedisEventBroker

/// Demo traffic for trying the service out: a `shop` broker of its own publishes orders on
/// `orders`, as the shop service would, then shuts down.
enum DemoOrders {
    /// Publishes `count` orders through a `shop` broker on billing's Redis. It records no metrics:
    /// the shop is another service, and this process's `/metrics` shows billing's alone.
    static func publish(_ count: Int, like billing: BrokerConfiguration, logger: Logger) async throws {
        var configuration = billing
        configuration.serviceName = "shop"
        configuration.observers = []
        let shop = try await RedisEventBroker(configuration)
        do {
            for number in 1...count {
                try await shop.publishEvent(
                    Event(
                        streamId: "order-\(number)", topic: "orders", message: "orderPlaced",
                        payload: Order(number: number, total: Double(number) * 9.5)))
            }
        } catch {
            try? await shop.shutdown()
            throw error
        }
        try await shop.shutdown()
        logger.info("Published demo orders", metadata: ["count": "\(count)"])
    }
}
