/// Turns events into bytes for Redis and back. Implementations live in their own modules
/// (`EventBrokerCodecJSON`, `EventBrokerCodecBinary`, or yours); the broker core depends on none
/// of them.
///
/// A codec encodes the payload on its own first (``encodePayload(_:)``), then the whole envelope
/// with that payload embedded (``encodeEnvelope(_:)``). Decoding reverses the two steps; the payload
/// stays encoded until a handler asks for it with a concrete type.
///
/// Every envelope starts with the codec's ``tag`` byte followed by its format version, so a
/// broker reads events written by any codec it knows (``BrokerConfiguration/readableCodecs``):
/// a deployment can switch codecs one instance at a time.
public protocol EventCodec: Sendable {
    /// A short stable name of the format, for example `"json"`.
    var name: String { get }

    /// The first byte of every envelope this codec writes, unique among the codecs a broker
    /// knows: `{` (0x7B) for JSON, `B` (0x42) for the binary codec.
    var tag: UInt8 { get }

    /// Encodes a payload value into the codec's payload representation.
    func encodePayload(_ payload: any Encodable) throws -> [UInt8]

    /// Decodes a payload produced by ``encodePayload(_:)`` as `type`.
    func decodePayload<T: Decodable>(_ type: T.Type, from bytes: [UInt8]) throws -> T

    /// Encodes a whole envelope, its payload already encoded by this codec; the bytes start
    /// with ``tag`` and the format version.
    func encodeEnvelope(_ envelope: EventEnvelope) throws -> [UInt8]

    /// Decodes bytes produced by ``encodeEnvelope(_:)``; bad bytes throw a typed error, they
    /// never crash and never allocate more than their own size.
    func decodeEnvelope(_ bytes: [UInt8]) throws -> EventEnvelope
}
