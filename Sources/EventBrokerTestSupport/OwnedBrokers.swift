import EventBrokerCore
import RedisEventBroker
import Synchronization

/// The brokers a test fixture made, shut down together when its test ends.
final class OwnedBrokers: Sendable {
    private let brokers = Mutex<[RedisEventBroker]>([])

    /// A new broker of `configuration` as `configure` changes it, kept for ``shutDownAll()``.
    func make(
        _ configuration: BrokerConfiguration, configure: (inout BrokerConfiguration) -> Void
    ) async throws -> RedisEventBroker {
        var configuration = configuration
        configure(&configuration)
        let broker = try await RedisEventBroker(configuration)
        brokers.withLock { $0.append(broker) }
        return broker
    }

    /// Shuts down every broker made, ignoring those already shut down.
    func shutDownAll() async {
        for broker in brokers.withLock({ $0 }) {
            try? await broker.shutdown()
        }
    }
}
