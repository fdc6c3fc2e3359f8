import Synchronization

/// The process-wide table behind ``RedisEventBroker/shared(_:)``: one broker per configuration.
enum SharedBrokers {
    private static let brokers = Mutex<[BrokerConfiguration.SharingKey: Task<RedisEventBroker, any Error>]>([:])

    /// The broker of `configuration`, created on the first call; concurrent first calls share
    /// one creation. A failed creation is forgotten, so the next call tries again.
    static func broker(for configuration: BrokerConfiguration) async throws -> RedisEventBroker {
        let key = configuration.sharingKey
        let creation = brokers.withLock { brokers in
            if let existing = brokers[key] { return existing }
            let created = Task { try await RedisEventBroker(configuration, sharingKey: key) }
            brokers[key] = created
            return created
        }
        do {
            return try await creation.value
        } catch {
            brokers.withLock { brokers in
                if brokers[key] == creation { brokers[key] = nil }
            }
            throw error
        }
    }

    /// Removes a shut-down broker from the table, so the next call creates a new one.
    static func forget(_ key: BrokerConfiguration.SharingKey) {
        _ = brokers.withLock { $0.removeValue(forKey: key) }
    }
}
