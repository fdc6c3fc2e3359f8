import EventBrokerMetrics
import Foundation
import Metrics
import Prometheus
import RedisEventBroker
import ServiceLifecycle
import ShopSupport
import UnixSignals

/// The billing microservice: bills every order published on `orders` and serves its broker
/// metrics at `GET /metrics`; stops gracefully on SIGTERM or SIGINT.
@main
struct BillingService {
    static func main() async {
        await ServiceLauncher.run("billing-service") {
            let environment = ServiceEnvironment(ProcessInfo.processInfo.environment)
            let settings = try ConsumerSettings(environment: environment, serviceName: "billing", work: 20...60)
            let metricsHost = environment.string("METRICS_HOST") ?? "0.0.0.0"
            let metricsPort = try environment.integer("METRICS_PORT", default: 9464, in: 0...65535)
            let logger = try ServiceLogging.bootstrap(service: settings.serviceName, environment: environment)

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

            var configuration = BrokerConfiguration(
                serviceName: settings.serviceName, processingTimeout: settings.processingTimeout)
            configuration.logger = logger
            configuration.observers.append(BrokerMetrics())
            let broker = try await RedisEventBroker.shared(configuration)
            try await broker.subscribe("orders")

            // A group shuts its services down in reverse order: the consumer first (running handlers
            // finish), then the broker, then the metrics endpoint.
            let work = OrderWork(logger: logger, milliseconds: settings.workMilliseconds, doneMessage: "Billed order")
            let group = ServiceGroup(
                configuration: .init(
                    services: [
                        MetricsEndpoint.application(registry: registry, host: metricsHost, port: metricsPort, logger: logger),
                        broker,
                        OrderConsumer(broker: broker, work: work, concurrency: settings.concurrency),
                    ],
                    gracefulShutdownSignals: [.sigterm, .sigint],
                    logger: logger))
            try await group.run()
        }
    }
}
