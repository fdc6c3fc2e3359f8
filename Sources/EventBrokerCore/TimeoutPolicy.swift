/// Decides how long one delivery may run, when a failed event is delivered again, and when the
/// broker gives up on it and moves it to the dead-letter list.
///
/// ```swift
/// var configuration = BrokerConfiguration(serviceName: "billing")
/// configuration.timeoutPolicy = StandardTimeoutPolicy(
///     lease: .perTopic(["reports": .minutes(5)], default: .seconds(30)),
///     backoff: .exponential(initial: .seconds(1), maximum: .minutes(1), jitter: 0.2),
///     maxDeliveries: 8)
/// ```
public protocol TimeoutPolicy: Sendable {
    /// The lease of a delivery of an event on `topic`: how long its handler may run before another
    /// instance may take the event. A running handler's lease is renewed automatically. `nil` asks
    /// for the lease a pick starts with, before the event (and its topic) is decoded; a different
    /// lease for the topic is applied right after.
    func lease(for topic: String?) -> Duration

    /// How long an event whose handler failed waits before it is delivered again; `.zero` puts it
    /// back at the front of the queue at once. `deliveryCount` counts the failed delivery (1 after
    /// the first failure).
    func retryDelay(afterDelivery deliveryCount: Int, topic: String) -> Duration

    /// The most deliveries an event gets; when the last one fails or its lease expires, the event
    /// goes to the service's dead-letter list.
    var maxDeliveries: Int { get }
}

/// The built-in ``TimeoutPolicy``: a fixed or per-topic lease, a retry backoff and a cap on deliveries.
///
/// The default keeps the original library's behaviour, a failed event back at the front of the
/// queue at once, and caps it at 10 deliveries.
public struct StandardTimeoutPolicy: TimeoutPolicy, Hashable {
    /// How long a delivery's lease lasts.
    public enum Lease: Sendable, Hashable {
        /// The same lease for every topic.
        case fixed(Duration)
        /// A lease per topic, and one for every other topic.
        case perTopic([String: Duration], default: Duration)
    }

    /// How long a failed event waits before its next delivery.
    public enum Backoff: Sendable, Hashable {
        /// Back at the front of the queue at once.
        case none
        /// Always the same delay.
        case fixed(Duration)
        /// `initial`, doubled after each further failure, at most `maximum`; each delay is then
        /// shortened by a random fraction of up to `jitter` (0 to 1), so failed events of many
        /// instances do not come back at the same moment.
        case exponential(initial: Duration, maximum: Duration, jitter: Double)
    }

    /// The lease of each delivery.
    public var lease: Lease
    /// The delay before a failed event comes back.
    public var backoff: Backoff
    /// The most deliveries an event gets before it is dead-lettered.
    public var maxDeliveries: Int

    /// Creates a policy; the defaults are a 30-second lease, no backoff and 10 deliveries.
    public init(lease: Lease = .fixed(.seconds(30)), backoff: Backoff = .none, maxDeliveries: Int = 10) {
        self.lease = lease
        self.backoff = backoff
        self.maxDeliveries = maxDeliveries
    }

    public func lease(for topic: String?) -> Duration {
        switch lease {
        case .fixed(let duration):
            return duration
        case .perTopic(let leases, let fallback):
            return topic.flatMap { leases[$0] } ?? fallback
        }
    }

    public func retryDelay(afterDelivery deliveryCount: Int, topic: String) -> Duration {
        switch backoff {
        case .none:
            return .zero
        case .fixed(let delay):
            return delay
        case .exponential(let initial, let maximum, let jitter):
            let doublings = max(0, min(deliveryCount - 1, 62))
            let exact = min(initial.secondsValue * Double(UInt64(1) << UInt64(doublings)), maximum.secondsValue)
            let shortened = exact * (1 - min(max(jitter, 0), 1) * Double.random(in: 0...1))
            return .milliseconds(Int64((shortened * 1000).rounded()))
        }
    }

    /// Checks the values: positive leases, non-negative delays, jitter in 0…1, at least one delivery.
    func validate() throws {
        let leases: [Duration]
        switch lease {
        case .fixed(let duration): leases = [duration]
        case .perTopic(let perTopic, let fallback): leases = Array(perTopic.values) + [fallback]
        }
        guard leases.allSatisfy({ $0 >= .milliseconds(1) }) else {
            throw BrokerError.invalidConfiguration(setting: "timeoutPolicy.lease", reason: "every lease must last at least 1 ms")
        }
        switch backoff {
        case .none:
            break
        case .fixed(let delay):
            guard delay >= .zero else {
                throw BrokerError.invalidConfiguration(setting: "timeoutPolicy.backoff", reason: "the delay must not be negative")
            }
        case .exponential(let initial, let maximum, let jitter):
            guard initial > .zero, maximum >= initial, (0...1).contains(jitter) else {
                throw BrokerError.invalidConfiguration(
                    setting: "timeoutPolicy.backoff",
                    reason: "use 0 < initial ≤ maximum and a jitter between 0 and 1")
            }
        }
        guard maxDeliveries >= 1 else {
            throw BrokerError.invalidConfiguration(setting: "timeoutPolicy.maxDeliveries", reason: "must be at least 1")
        }
    }
}
