import Logging
import RedisEventBroker

extension RedisOptions {
    /// Runs `body` with a broker instance of `service` on this Redis and key prefix, and shuts it
    /// down afterwards, whether `body` threw or not. The instance starts no lease checker of its
    /// own and logs errors only, to standard error under `label`; `configure` changes the rest.
    func withBroker<Result>(
        service: String, label: String, configure: (inout BrokerConfiguration) -> Void = { _ in },
        _ body: (RedisEventBroker) async throws -> Result
    ) async throws -> Result {
        var configuration = BrokerConfiguration(serviceName: service, redisURL: url)
        configuration.keyPrefix = prefix
        configuration.slotPlacement = slotPlacement
        configuration.companions = []
        configuration.logger = Logger.standardError(label: label, level: .error)
        configure(&configuration)
        let broker = try await RedisEventBroker(configuration)
        let result: Result
        do {
            result = try await body(broker)
        } catch {
            try? await broker.shutdown()
            throw error
        }
        try await broker.shutdown()
        return result
    }
}
