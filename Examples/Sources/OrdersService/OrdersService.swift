import EventBrokerCodecBinary
import EventBrokerCore
import Foundation
import ServiceLifecycle
import ShopSupport
import UnixSignals

/// The orders microservice: places orders and publishes them on `orders`. It imports the core
/// and the binary codec only: it stores its events in the compact binary format, which every
/// consumer using the `RedisEventBroker` module reads, and runs no lease checker, since it
/// consumes nothing.
@main
struct OrdersService {
    static func main() async {
        await ServiceLauncher.run("orders-service") {
            let environment = ServiceEnvironment(ProcessInfo.processInfo.environment)
            let settings = try OrdersSettings(environment: environment)
            let logger = try ServiceLogging.bootstrap(service: settings.serviceName, environment: environment)

            var configuration = BrokerConfiguration(serviceName: settings.serviceName, codec: BinaryCodec())
            configuration.logger = logger
            let broker = try await RedisEventBroker.shared(configuration)
            let group = ServiceGroup(
                configuration: .init(
                    services: [broker, OrderDesk(broker: broker, logger: logger, settings: settings)],
                    gracefulShutdownSignals: [.sigterm, .sigint],
                    logger: logger))
            try await group.run()
        }
    }
}
