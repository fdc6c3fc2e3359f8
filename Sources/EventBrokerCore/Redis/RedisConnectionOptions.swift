/// Timeouts and reconnect pacing of a ``RedisConnection`` or ``PubSubConnection``.
package struct RedisConnectionOptions: Sendable, Hashable {
    /// How long a queued request waits for a (re)connection before it fails with
    /// ``RedisError/connectionFailed(endpoint:reason:)``; also bounds one connect attempt and
    /// the AUTH/SELECT/CLIENT SETNAME exchange.
    package var connectTimeout: Duration
    /// The socket read/write timeout once connected: a reply that takes longer fails with
    /// ``RedisError/connectionLost(reason:)``. `nil` waits forever. A connection used for
    /// blocking commands needs a value larger than their timeout. A ``PubSubConnection`` uses it
    /// as its health-check interval: after that long without traffic it sends PING, and
    /// reconnects when the PING is not answered within another interval.
    package var commandTimeout: Duration?
    /// The wait before the second connect attempt; it doubles after each failure.
    package var reconnectBackoffInitial: Duration
    /// The longest wait between two connect attempts.
    package var reconnectBackoffMaximum: Duration

    /// Creates options; the defaults suit a connection on a local network.
    package init(
        connectTimeout: Duration = .seconds(5),
        commandTimeout: Duration? = .seconds(30),
        reconnectBackoffInitial: Duration = .milliseconds(20),
        reconnectBackoffMaximum: Duration = .seconds(1)
    ) {
        self.connectTimeout = connectTimeout
        self.commandTimeout = commandTimeout
        self.reconnectBackoffInitial = reconnectBackoffInitial
        self.reconnectBackoffMaximum = reconnectBackoffMaximum
    }
}

/// The growing wait between failed connect attempts.
struct ReconnectBackoff {
    private let initial: Duration
    private let maximum: Duration
    private var next: Duration

    init(_ options: RedisConnectionOptions) {
        initial = max(options.reconnectBackoffInitial, .milliseconds(1))
        maximum = max(options.reconnectBackoffMaximum, initial)
        next = initial
    }

    /// The wait before the next attempt; each call doubles the following one, up to the maximum.
    mutating func nextDelay() -> Duration {
        defer { next = min(next * 2, maximum) }
        return next
    }

    /// Starts over from the initial wait, after a success.
    mutating func reset() { next = initial }
}
