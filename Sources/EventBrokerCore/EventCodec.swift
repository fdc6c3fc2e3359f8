/// Turns events into bytes for Redis and back. Implementations live in their own modules
/// (`EventBrokerCodecJSON`, …); the broker core depends on none of them.
///
/// A codec encodes the payload on its own first (``encodePayload(_:)``), then the whole envelope
/// with that payload embedded (``encodeEnvelope(_:)``). Decoding reverses the two steps; the payload
/// stays encoded until a handler asks for it with a concrete type.
public protocol EventCodec: Sendable {
    /// A short stable name of the format, for example `"json"`.
    var name: String { get }

    /// Encodes a payload value into the codec's payload representation.
    func encodePayload(_ payload: any Encodable) throws -> [UInt8]

    /// Decodes a payload produced by ``encodePayload(_:)`` as `type`.
    func decodePayload<T: Decodable>(_ type: T.Type, from bytes: [UInt8]) throws -> T

    /// Encodes a whole envelope, its payload already encoded by this codec.
    func encodeEnvelope(_ envelope: EventEnvelope) throws -> [UInt8]

    /// Decodes bytes produced by ``encodeEnvelope(_:)``; bad bytes throw, they never crash.
    func decodeEnvelope(_ bytes: [UInt8]) throws -> EventEnvelope
}
