import Foundation

/// An event as a handler receives it: the published fields plus delivery metadata, with the
/// payload still encoded until the handler asks for it with a concrete type.
///
/// ```swift
/// try await broker.pick { event in
///     let order = try event.payload(as: Order.self)
///     print(event.id, event.streamId, event.topic, event.message ?? "-", event.deliveryCount)
/// }
/// ```
public struct DeliveredEvent: Sendable {
    /// The unique id ``RedisEventBroker/publishEvent(_:)`` returned.
    public let id: String
    /// The stream the event belongs to.
    public let streamId: String
    /// The topic the event was published on.
    public let topic: String
    /// The optional message name.
    public let message: String?
    /// String metadata published with the event.
    public let headers: [String: String]
    /// When the event was published, on the publisher's clock.
    public let publishedAt: Date
    /// How many times the event has been handed out, this delivery included: 1 the first time.
    public let deliveryCount: Int

    /// The payload as the codec wrote it; `nil` when the event has none.
    package let encodedPayload: [UInt8]?
    /// The codec that wrote the event, and decodes its payload.
    package let codec: any EventCodec

    init(envelope: EventEnvelope, deliveryCount: Int, codec: any EventCodec) {
        id = envelope.id
        streamId = envelope.streamId
        topic = envelope.topic
        message = envelope.message
        headers = envelope.headers
        publishedAt = Date(timeIntervalSince1970: Double(envelope.publishedAtMilliseconds) / 1000)
        self.deliveryCount = deliveryCount
        encodedPayload = envelope.payload
        self.codec = codec
    }

    /// Whether the event was published with a payload.
    public var hasPayload: Bool { encodedPayload != nil }

    /// Decodes the payload as `type`; throws ``BrokerError/missingPayload(eventId:)`` or
    /// ``BrokerError/payloadDecodingFailed(eventId:type:reason:)``.
    public func payload<T: Decodable>(as type: T.Type = T.self) throws -> T {
        guard let encodedPayload else { throw BrokerError.missingPayload(eventId: id) }
        do {
            return try codec.decodePayload(type, from: encodedPayload)
        } catch {
            throw BrokerError.payloadDecodingFailed(eventId: id, type: String(reflecting: type), reason: "\(error)")
        }
    }
}
