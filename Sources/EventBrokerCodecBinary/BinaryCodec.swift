public import EventBrokerCore

/// Stores events in a compact binary format: a tag byte `B` (0x42) and format version 1, a
/// presence-flags byte, the fields as varints and length-prefixed UTF-8 (a UUID id as its 16
/// bytes), and payloads whose field names are written once per payload in a key table.
///
/// ```swift
/// var configuration = BrokerConfiguration(serviceName: "billing", redisURL: url, codec: BinaryCodec())
/// configuration.readableCodecs = [JSONCodec()]  // still read what JSON writers queued
/// ```
///
/// `docs/CODECS.md` specifies the format byte by byte. Decoding never crashes and never
/// allocates more than the input's size: malformed bytes throw a ``BinaryCodecError``.
public struct BinaryCodec: EventCodec {
    /// The deepest nesting of arrays and objects a payload may have; deeper payloads are refused
    /// with ``BinaryCodecError/nestingTooDeep(offset:)`` when encoding and when decoding.
    public static let maximumNestingDepth = 256

    /// The format version this codec writes after the tag byte, and the only one it reads.
    public static let formatVersion: UInt8 = BinaryFormat.version

    /// Creates the codec; it has no settings, so every instance writes the same bytes.
    public init() {}

    /// `"binary"`.
    public var name: String { "binary" }

    /// `B` (0x42).
    public var tag: UInt8 { BinaryFormat.tag }

    /// Encodes `payload` with ``BinaryPayloadEncoder``.
    public func encodePayload(_ payload: any Encodable) throws(BinaryCodecError) -> [UInt8] {
        try BinaryPayloadEncoder().encode(payload)
    }

    /// Decodes a payload written by ``encodePayload(_:)`` as `type` with ``BinaryPayloadDecoder``.
    public func decodePayload<T: Decodable>(_ type: T.Type, from bytes: [UInt8]) throws(BinaryCodecError) -> T {
        try BinaryPayloadDecoder().decode(type, from: bytes)
    }

    /// Encodes `envelope`, embedding its payload bytes as they are.
    public func encodeEnvelope(_ envelope: EventEnvelope) -> [UInt8] {
        BinaryEnvelopeWriter.encode(envelope)
    }

    /// Decodes an envelope written by ``encodeEnvelope(_:)``. Malformed or hostile bytes throw a
    /// ``BinaryCodecError``; the payload inside is checked when it is decoded.
    public func decodeEnvelope(_ bytes: [UInt8]) throws(BinaryCodecError) -> EventEnvelope {
        try BinaryEnvelopeReader.decode(bytes)
    }
}
