import Foundation
import RedisEventBroker
import ServiceLifecycle
import ShopSupport
import UnixSignals

/// The shipping microservice: ships every order published on `orders`; stops gracefully on
/// SIGTERM or SIGINT. It imports the umbrella module alone: JSON events, binary ones readable,
/// a lease checker beside each instance.
@main
struct ShippingService {
    static func main() async {
        await ServiceLauncher.run("shipping-service") {
            let environment = ServiceEnvironment(ProcessInfo.processInfo.environment)
            let settings = try ConsumerSettings(environment: environment, serviceName: "shipping", work: 10...40)
            let logger = try ServiceLogging.bootstrap(service: settings.serviceName, environment: environment)

            var configuration = BrokerConfiguration(
                serviceName: settings.serviceName, processingTimeout: settings.processingTimeout)
            configuration.logger = logger
            let broker = try await RedisEventBroker.shared(configuration)
            try await broker.subscribe("orders")

            let work = OrderWork(logger: logger, milliseconds: settings.workMilliseconds, doneMessage: "Shipped order")
            let group = ServiceGroup(
                configuration: .init(
                    services: [broker, OrderConsumer(broker: broker, work: work, concurrency: settings.concurrency)],
                    gracefulShutdownSignals: [.sigterm, .sigint],
                    logger: logger))
            try await group.run()
        }
    }
}
