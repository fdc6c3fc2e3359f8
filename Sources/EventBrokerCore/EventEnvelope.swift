/// The stored form of one event: what an ``EventCodec`` writes to Redis and reads back.
public struct EventEnvelope: Sendable, Equatable {
    /// The broker-assigned unique id of the event.
    public var id: String
    /// The stream the event belongs to.
    public var streamId: String
    /// The topic the event was published on.
    public var topic: String
    /// The optional message name.
    public var message: String?
    /// The payload in the codec's own encoding (for JSON, the JSON text of the value), or `nil`.
    public var payload: [UInt8]?
    /// String metadata carried with the event.
    public var headers: [String: String]
    /// When the event was published: milliseconds since 1970 on the publisher's clock.
    public var publishedAtMilliseconds: Int64

    /// Creates an envelope from its fields.
    public init(
        id: String,
        streamId: String,
        topic: String,
        message: String? = nil,
        payload: [UInt8]? = nil,
        headers: [String: String] = [:],
        publishedAtMilliseconds: Int64
    ) {
        self.id = id
        self.streamId = streamId
        self.topic = topic
        self.message = message
        self.payload = payload
        self.headers = headers
        self.publishedAtMilliseconds = publishedAtMilliseconds
    }
}
