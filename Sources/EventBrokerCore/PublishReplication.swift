/// How many replicas must hold published events before a publish returns: after each publish
/// script run, the broker sends Redis `WAIT replicas timeout` on the connection that ran it.
///
/// It narrows what a master's failure can lose: an event whose publish returned is on at
/// least `replicas` replicas, so a failover to one of them keeps it. It does not make Redis
/// replication synchronous: the master has the events before the replicas confirm them, other
/// instances may already handle them, and a publish that throws
/// ``BrokerError/notReplicated(acknowledged:required:)`` did queue its events, which the master
/// keeps unless it fails before its replicas catch up (publishing again queues them twice).
public struct PublishReplication: Sendable, Hashable {
    /// The replicas that must confirm, at least 1.
    public var replicas: Int
    /// How long a publish waits for them, at least 1 ms.
    public var timeout: Duration

    /// Publishes wait for `replicas` replicas for up to `timeout`.
    public init(replicas: Int, timeout: Duration) {
        self.replicas = replicas
        self.timeout = timeout
    }

    /// Throws ``BrokerError/invalidConfiguration(setting:reason:)`` for fewer than one replica or
    /// a timeout under a millisecond (Redis reads `WAIT`'s timeout 0 as forever).
    func validate() throws {
        guard replicas >= 1 else {
            throw BrokerError.invalidConfiguration(setting: "publishReplication.replicas", reason: "must be at least 1")
        }
        guard timeout.wholeMilliseconds >= 1 else {
            throw BrokerError.invalidConfiguration(
                setting: "publishReplication.timeout", reason: "must be at least 1 ms (WAIT would read 0 as forever)")
        }
    }
}
