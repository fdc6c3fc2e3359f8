/// Work that runs beside a broker instance for as long as it lives: the broker starts it once
/// connected and cancels it at shutdown. `EventBrokerChecker`'s `LeaseChecker` is one.
///
/// ```swift
/// var configuration = BrokerConfiguration(serviceName: "billing", codec: JSONCodec())
/// configuration.companions.append(LeaseChecker())
/// ```
public protocol BrokerCompanion: Sendable {
    /// Runs until the task is cancelled; a thrown error is logged and ends only this companion.
    func run(alongside broker: RedisEventBroker) async throws
}
