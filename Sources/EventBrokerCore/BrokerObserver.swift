/// Sees each step of an event's life in a broker: publishing, delivery, the handler's outcome,
/// the checker's sweeps, reconnects and script reloads, and the depths of a service's queues.
///
/// Observers are configured in ``BrokerConfiguration/observers``; `EventBrokerMetrics` provides
/// one that records swift-metrics counters, timers and gauges. Every method has an empty default,
/// so an observer implements only what it needs. Methods are called inline on the broker's
/// paths (per event for most of them): they must be quick and must not block or throw.
public protocol BrokerObserver: Sendable {
    /// An event was queued for `services` subscribed services (none: nobody subscribed, and the
    /// event was dropped); `duration` is the time `publishEvent` took.
    func eventPublished(service: String, topic: String, services: Int, duration: Duration)

    /// A delivery was taken and its handler is about to start; `latency` is the time since the
    /// event was published (by the publisher's clock, so zero when clocks disagree).
    func eventDelivered(service: String, topic: String, deliveryCount: Int, latency: Duration)

    /// A handler returned and its event was acknowledged and removed.
    func eventAcknowledged(service: String, topic: String, handlerDuration: Duration)

    /// A handler threw, or a stored event could not be decoded (`topic` is then empty), and the
    /// event was handed back; `outcome` says what became of it.
    func eventFailed(service: String, topic: String, outcome: FailureOutcome, handlerDuration: Duration)

    /// An acknowledgement came after the delivery's lease had passed to another delivery: it
    /// was rejected, and the copy held by the other delivery stays.
    func lateAcknowledgementRejected(service: String, topic: String)

    /// A sweep of the lease checker put `expiredRequeued` deliveries whose lease expired back in
    /// the queue, moved `retriesDue` delayed retries back, and dead-lettered `deadLettered`
    /// events whose deliveries were used up. Called for every sweep a checker did, zeros included
    /// (not when another instance had already swept the service in this interval).
    func queueSwept(service: String, expiredRequeued: Int, retriesDue: Int, deadLettered: Int)

    /// A connection to Redis was lost and made again; `role` names the connection: `commands`
    /// (scripts), `wait` (a consumer's blocking wait), `notify` (``RedisEventBroker/onNotification(_:)``)
    /// or `checker` (the standalone checker's, with an empty `service`: it serves every service).
    func redisReconnected(service: String, role: String)

    /// Redis did not know a script (`NOSCRIPT`: a restart, a failover or `SCRIPT FLUSH`), and the
    /// broker loaded it again (`service` is empty for the standalone checker).
    func scriptReloaded(service: String, script: String)

    /// The depths of a service's queues, sampled once per
    /// ``BrokerConfiguration/depthSamplingInterval`` with one round trip.
    func queueDepthsSampled(service: String, depths: QueueDepths)
}

/// What became of an event whose handler failed.
public enum FailureOutcome: String, Sendable, Hashable, CaseIterable {
    /// Back at the front of the queue, for any instance.
    case requeued
    /// Back in the queue after the timeout policy's retry delay.
    case delayed
    /// Its deliveries were used up: it went to the dead letters.
    case deadLettered
    /// Its lease had already passed to another delivery; that delivery decides.
    case leaseLost
}

/// The events of one service at one moment.
public struct QueueDepths: Sendable, Hashable {
    /// Events queued and waiting for an instance.
    public var queued: Int
    /// Events being handled under a lease.
    public var inFlight: Int
    /// Failed events waiting for their retry delay.
    public var delayed: Int
    /// Events in the dead-letter list.
    public var deadLetters: Int

    /// Creates a sample.
    public init(queued: Int, inFlight: Int, delayed: Int, deadLetters: Int) {
        self.queued = queued
        self.inFlight = inFlight
        self.delayed = delayed
        self.deadLetters = deadLetters
    }
}

/// Empty defaults: an observer implements only the methods it needs.
extension BrokerObserver {
    /// Does nothing.
    public func eventPublished(service: String, topic: String, services: Int, duration: Duration) {}
    /// Does nothing.
    public func eventDelivered(service: String, topic: String, deliveryCount: Int, latency: Duration) {}
    /// Does nothing.
    public func eventAcknowledged(service: String, topic: String, handlerDuration: Duration) {}
    /// Does nothing.
    public func eventFailed(service: String, topic: String, outcome: FailureOutcome, handlerDuration: Duration) {}
    /// Does nothing.
    public func lateAcknowledgementRejected(service: String, topic: String) {}
    /// Does nothing.
    public func queueSwept(service: String, expiredRequeued: Int, retriesDue: Int, deadLettered: Int) {}
    /// Does nothing.
    public func redisReconnected(service: String, role: String) {}
    /// Does nothing.
    public func scriptReloaded(service: String, script: String) {}
    /// Does nothing.
    public func queueDepthsSampled(service: String, depths: QueueDepths) {}
}
