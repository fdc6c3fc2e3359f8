/// Why ``JSONCodec`` could not encode or decode an envelope or a payload.
///
/// Offsets count bytes from the start of the input being read: the envelope for
/// ``JSONCodec/decodeEnvelope(_:)``, the payload for the reason inside ``payloadNotJSON(reason:)``.
public enum JSONCodecError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The bytes are not valid JSON (RFC 8259); `reason` says what was found at byte `offset`.
    case invalidJSON(offset: Int, reason: String)
    /// The bytes of a string starting at byte `offset` are not valid UTF-8.
    case invalidUTF8(offset: Int)
    /// Arrays and objects are nested deeper than ``JSONCodec/maximumNestingDepth`` at byte `offset`.
    case nestingTooDeep(offset: Int)
    /// A required envelope field (`v`, `id`, `streamId`, `topic` or `publishedAt`) is absent.
    case missingField(String)
    /// The envelope's format version `v` is one this codec does not read.
    case unsupportedVersion(Int64)
    /// An envelope field holds a value of the wrong kind, for example a number where a string belongs.
    case wrongType(field: String, expected: String)
    /// An envelope field, or a header name inside `headers`, occurs more than once.
    case duplicateField(String)
    /// ``JSONCodec/encodeEnvelope(_:)`` was given a payload that is not exactly one JSON value.
    case payloadNotJSON(reason: String)
    /// `JSONEncoder` could not encode the payload value; the text comes from its error.
    case payloadEncodingFailed(String)
    /// `JSONDecoder` could not decode the payload as the requested type; the text comes from its error.
    case payloadDecodingFailed(String)

    /// A message that says what went wrong and what to check.
    public var description: String {
        switch self {
        case .invalidJSON(let offset, let reason):
            "Invalid JSON at byte \(offset): \(reason)."
        case .invalidUTF8(let offset):
            "Invalid UTF-8 in the string bytes at byte \(offset); JSON text must be UTF-8."
        case .nestingTooDeep(let offset):
            "Arrays and objects nest deeper than \(JSONCodec.maximumNestingDepth) levels at byte \(offset)."
        case .missingField(let field):
            "The envelope has no \"\(field)\" field; v, id, streamId, topic and publishedAt are required."
        case .unsupportedVersion(let version):
            "The envelope has format version \(version); this JSONCodec reads version \(JSONCodec.formatVersion)."
        case .wrongType(let field, let expected):
            "The envelope field \"\(field)\" must be \(expected)."
        case .duplicateField(let field):
            "The envelope field \"\(field)\" occurs more than once; each field may appear only once."
        case .payloadNotJSON(let reason):
            "The envelope's payload is not one JSON value (\(reason)); produce it with JSONCodec.encodePayload(_:)."
        case .payloadEncodingFailed(let message):
            "The payload could not be encoded as JSON: \(message)"
        case .payloadDecodingFailed(let message):
            "The payload could not be decoded as the requested type: \(message)"
        }
    }
}
