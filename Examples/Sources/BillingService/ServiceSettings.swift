import Logging

/// How the service is configured: from the environment, as a container or a unit file would set it.
/// `REDIS_URL` is read by `BrokerConfiguration` itself (default `redis://127.0.0.1:6379`).
struct ServiceSettings {
    /// Why the environment was refused.
    struct Invalid: Error, CustomStringConvertible {
        let description: String
    }

    /// `MICROSERVICE_NAME`, default `billing`.
    var serviceName: String
    /// `METRICS_HOST`, default `0.0.0.0`: the address `/metrics` listens on.
    var metricsHost: String
    /// `METRICS_PORT`, default 9464 (the port OpenTelemetry's Prometheus exporters use).
    var metricsPort: Int
    /// `PUBLISH_DEMO_ORDERS`: how many demo orders a `shop` broker publishes at start, default none.
    var demoOrders: Int
    /// `LOG_LEVEL`, default `info`.
    var logLevel: Logger.Level

    /// Reads the settings from `environment`; throws for a value that is not understood.
    init(environment: [String: String]) throws {
        func value(_ name: String) -> String? {
            environment[name].flatMap { $0.isEmpty ? nil : $0 }
        }
        func number(_ name: String, default defaultValue: Int, in range: ClosedRange<Int>) throws -> Int {
            guard let text = value(name) else { return defaultValue }
            guard let number = Int(text), range.contains(number) else {
                throw Invalid(description: "\(name) must be a number from \(range.lowerBound) to \(range.upperBound), not '\(text)'")
            }
            return number
        }
        serviceName = value("MICROSERVICE_NAME") ?? "billing"
        metricsHost = value("METRICS_HOST") ?? "0.0.0.0"
        metricsPort = try number("METRICS_PORT", default: 9464, in: 1...65535)
        demoOrders = try number("PUBLISH_DEMO_ORDERS", default: 0, in: 0...100_000)
        guard let level = Logger.Level(rawValue: value("LOG_LEVEL") ?? "info") else {
            throw Invalid(description: "LOG_LEVEL must be one of \(Logger.Level.allCases.map(\.rawValue).joined(separator: ", "))")
        }
        logLevel = level
    }
}
