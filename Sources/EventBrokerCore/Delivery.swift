/// One hand-out of an event to this instance: the event and the lease that proves ownership.
struct Delivery: Sendable {
    /// The event's id, as stored in Redis.
    let eventId: String
    /// The stored envelope, decoded.
    let event: DeliveredEvent
    /// The owner token that ack and nack must present.
    let token: String
    /// When the lease ends, in milliseconds on the Redis clock.
    let leaseDeadlineMilliseconds: Int64
}
