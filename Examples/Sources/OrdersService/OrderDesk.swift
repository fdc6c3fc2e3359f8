import EventBrokerCore
import Foundation
import Logging
import ServiceLifecycle
import ShopSupport

/// Places orders at a steady rate and publishes each as an `orderPlaced` event on `orders`, until
/// it placed its count (then it waits for the shutdown) or the service group shuts down.
struct OrderDesk: Service {
    let broker: RedisEventBroker
    let logger: Logger
    let settings: OrdersSettings

    private static let customers = ["ada", "grace", "edsger", "barbara", "donald", "frances", "ken", "radia"]

    func run() async throws {
        let interval = Duration.seconds(1) / settings.ratePerSecond
        var next = ContinuousClock.now
        var number = settings.firstNumber
        while settings.count.map({ number < settings.firstNumber + $0 }) ?? true, !Task.isShuttingDownGracefully {
            let order = OrderPlaced(
                number: number, customer: Self.customers[number % Self.customers.count],
                total: Double(number % 97) * 4.5 + 9.9, items: number % 5 + 1, placedAt: .now)
            let id = try await broker.publishEvent(
                Event(streamId: "order-\(number)", topic: "orders", message: "orderPlaced", payload: order))
            logger.info("Placed order", metadata: ["step": "placed", "event": "\(id)", "order": "\(number)"])
            number += 1
            next += interval
            try? await Task.sleep(until: next)
        }
        if let count = settings.count, number == settings.firstNumber + count {
            logger.info("Placed every order", metadata: ["step": "finished", "count": "\(count)"])
        }
        try? await gracefulShutdown()
    }
}
