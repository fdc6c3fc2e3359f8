public import EventBrokerCore
public import Foundation

/// Stores events as one JSON object per event, readable in `redis-cli` and by services written in
/// other languages:
/// `{"v":1,"id":…,"streamId":…,"topic":…,"message":…,"payload":…,"headers":{…},"publishedAt":…}`.
///
/// ```swift
/// let payload = try JSONCodec().encodePayload(order)
/// ```
///
/// Payloads go through `JSONEncoder` and `JSONDecoder`, made fresh for every call by the factories
/// given to ``init(makeEncoder:makeDecoder:)``. The envelope is written and read by hand: the
/// payload's JSON text is embedded as is and handed back undecoded until a handler asks for a type.
public struct JSONCodec: EventCodec {
    /// The deepest nesting of arrays and objects the codec reads; deeper input is refused with
    /// ``JSONCodecError/nestingTooDeep(offset:)`` instead of exhausting the stack or memory.
    public static let maximumNestingDepth = 512

    /// Makes the encoder for one ``encodePayload(_:)`` call.
    private let makeEncoder: @Sendable () -> JSONEncoder
    /// Makes the decoder for one ``decodePayload(_:from:)`` call.
    private let makeDecoder: @Sendable () -> JSONDecoder

    /// Creates a codec whose payloads are encoded and decoded by fresh coders from these factories.
    ///
    /// Start from the defaults to change a setting; change both factories for settings that affect
    /// decoding too, such as a date strategy.
    ///
    /// ```swift
    /// let codec = JSONCodec(makeEncoder: {
    ///     let encoder = JSONCodec.defaultEncoder()
    ///     encoder.outputFormatting.insert(.sortedKeys)
    ///     return encoder
    /// })
    /// ```
    public init(
        makeEncoder: @escaping @Sendable () -> JSONEncoder = JSONCodec.defaultEncoder,
        makeDecoder: @escaping @Sendable () -> JSONDecoder = JSONCodec.defaultDecoder
    ) {
        self.makeEncoder = makeEncoder
        self.makeDecoder = makeDecoder
    }

    /// The payload encoder of a default codec: dates as `Double` seconds since 2001-01-01
    /// (`.deferredToDate`, the only built-in strategy that round-trips every `Date` exactly),
    /// `Data` as Base64, and `/` not escaped.
    public static func defaultEncoder() -> JSONEncoder {
        let encoder = JSONEncoder()
        // secondsSince1970 and millisecondsSince1970 add an offset in Double arithmetic and can lose the
        // last bits (Date(timeIntervalSinceReferenceDate: 12345.678901) comes back 12345.678900957108);
        // iso8601 drops the fraction of the second.
        encoder.dateEncodingStrategy = .deferredToDate
        encoder.dataEncodingStrategy = .base64
        encoder.outputFormatting = .withoutEscapingSlashes
        return encoder
    }

    /// The payload decoder of a default codec, matching ``defaultEncoder()``.
    public static func defaultDecoder() -> JSONDecoder {
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .deferredToDate
        decoder.dataDecodingStrategy = .base64
        return decoder
    }

    /// `"json"`.
    public var name: String { "json" }

    /// `{` (0x7B): a JSON envelope is a JSON object whose first member is the format version `"v"`.
    public var tag: UInt8 { UInt8(ascii: "{") }

    /// The format version this codec writes as `"v"` and reads.
    public static let formatVersion: Int64 = 1

    /// Encodes `payload` as JSON text; any `Encodable` works, bare strings and numbers included.
    public func encodePayload(_ payload: any Encodable) throws(JSONCodecError) -> [UInt8] {
        do {
            return Array(try makeEncoder().encode(payload))
        } catch {
            throw .payloadEncodingFailed(String(describing: error))
        }
    }

    /// Decodes JSON text produced by ``encodePayload(_:)`` (or any JSON value) as `type`.
    public func decodePayload<T: Decodable>(_ type: T.Type, from bytes: [UInt8]) throws(JSONCodecError) -> T {
        do {
            return try makeDecoder().decode(type, from: Data(bytes))
        } catch {
            throw .payloadDecodingFailed(String(describing: error))
        }
    }

    /// Encodes `envelope` as one JSON object with its payload embedded verbatim; throws
    /// ``JSONCodecError/payloadNotJSON(reason:)`` when the payload is not exactly one JSON value.
    public func encodeEnvelope(_ envelope: EventEnvelope) throws(JSONCodecError) -> [UInt8] {
        try JSONEnvelopeWriter.encode(envelope)
    }

    /// Decodes an envelope written by ``encodeEnvelope(_:)`` or by another service: keys in any order,
    /// unknown fields ignored, `v` (the format version, 1), `id`, `streamId`, `topic` and
    /// `publishedAt` required; a `v` other than 1 is refused as soon as it is read. Malformed or
    /// hostile bytes throw a ``JSONCodecError``; they never crash and never allocate more than their size.
    public func decodeEnvelope(_ bytes: [UInt8]) throws(JSONCodecError) -> EventEnvelope {
        try JSONEnvelopeReader.decode(bytes)
    }
}
