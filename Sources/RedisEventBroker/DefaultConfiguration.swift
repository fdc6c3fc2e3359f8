import EventBrokerChecker
import EventBrokerCodecBinary
import EventBrokerCodecJSON
import EventBrokerCore
import Foundation

extension BrokerConfiguration {
    /// Creates a configuration that stores events as JSON (``JSONCodec``), reads events stored
    /// as JSON or binary (``BinaryCodec``), and runs a ``LeaseChecker`` beside each broker instance.
    /// Switching to binary is one line: `configuration.codec = BinaryCodec()`.
    ///
    /// A `nil` service name or URL is taken from the environment (`MICROSERVICE_NAME`,
    /// `REDIS_URL`); the URL then defaults to `redis://127.0.0.1:6379`.
    ///
    /// ```swift
    /// let broker = try await RedisEventBroker.shared(
    ///     BrokerConfiguration(serviceName: "billing", processingTimeout: .seconds(30)))
    /// ```
    public init(
        serviceName: String? = nil,
        redisURL: String? = nil,
        processingTimeout: Duration = .seconds(30),
        environment: [String: String] = ProcessInfo.processInfo.environment
    ) {
        self.init(
            serviceName: serviceName, redisURL: redisURL, processingTimeout: processingTimeout,
            codec: JSONCodec(), environment: environment)
        readableCodecs = [JSONCodec(), BinaryCodec()]
        companions = [LeaseChecker()]
    }
}
