/// An event to publish: the stream it belongs to, its topic, and optionally a message and a payload.
///
/// ```swift
/// try await broker.publishEvent(
///     Event(streamId: "order-15", topic: "orders", message: "orderCreated", payload: order))
/// ```
public struct Event: Sendable {
    /// The entity or conversation the event belongs to, for example `"order-15"`. Must not be empty.
    public var streamId: String
    /// The topic subscribers register for, for example `"orders"`. Must not be empty.
    public var topic: String
    /// A short name of what happened, for example `"orderCreated"`.
    public var message: String?
    /// Any `Encodable` value; the broker's codec encodes it when the event is published.
    public var payload: (any Encodable & Sendable)?
    /// Free-form string metadata carried with the event.
    public var headers: [String: String]

    /// Creates an event; nothing is validated until it is published.
    public init(
        streamId: String,
        topic: String,
        message: String? = nil,
        payload: (any Encodable & Sendable)? = nil,
        headers: [String: String] = [:]
    ) {
        self.streamId = streamId
        self.topic = topic
        self.message = message
        self.payload = payload
        self.headers = headers
    }
}
