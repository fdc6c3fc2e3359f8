import EventBrokerMetrics
import Foundation
import Logging
import Metrics
import Prometheus
import RedisEventBroker
import ServiceLifecycle
import UnixSignals

/// The billing microservice: takes every order published on `orders`, logs it, and serves its
/// broker metrics at `GET /metrics`; stops gracefully on SIGTERM or SIGINT.
@main
struct BillingService {
    static func main() async throws {
        let settings = try ServiceSettings(environment: ProcessInfo.processInfo.environment)
        var logger = Logger(label: settings.serviceName)
        logger.logLevel = settings.logLevel

        // One registry for the process, behind swift-metrics: BrokerMetrics records into it.
        let registry = PrometheusCollectorRegistry()
        var factory = PrometheusMetricsFactory(registry: registry)
        // Broker timings are mostly below a millisecond: finer buckets than the default 5 ms to 10 s.
        factory.defaultDurationHistogramBuckets = [
            .microseconds(100), .microseconds(250), .microseconds(500), .milliseconds(1), .milliseconds(2),
            .milliseconds(5), .milliseconds(10), .milliseconds(25), .milliseconds(50), .milliseconds(100),
            .milliseconds(250), .milliseconds(500), .seconds(1), .seconds(5),
        ]
        MetricsSystem.bootstrap(factory)

        var configuration = BrokerConfiguration(serviceName: settings.serviceName)
        configuration.logger = logger
        configuration.observers.append(BrokerMetrics())
        let broker = try await RedisEventBroker.shared(configuration)
        try await broker.subscribe("orders")
        if settings.demoOrders > 0 {
            try await DemoOrders.publish(settings.demoOrders, like: configuration, logger: logger)
        }

        // A group shuts its services down in reverse order: the consumer first (running handlers
        // finish), then the broker, then the metrics endpoint.
        let group = ServiceGroup(
            configuration: .init(
                services: [
                    MetricsEndpoint.application(
                        registry: registry, host: settings.metricsHost, port: settings.metricsPort, logger: logger),
                    broker,
                    OrderConsumer(broker: broker, logger: logger, concurrency: 8),
                ],
                gracefulShutdownSignals: [.sigterm, .sigint],
                logger: logger))
        try await group.run()
    }
}
