/// Decodes payloads written by ``BinaryPayloadEncoder`` as any `Decodable` type.
///
/// ```swift
/// let order = try BinaryPayloadDecoder().decode(Order.self, from: bytes)
/// ```
///
/// The whole payload is checked first, in one pass without recursion (tags, varints, lengths and
/// counts against the bytes that hold them, nesting depth, UTF-8, key indices, duplicate keys,
/// trailing bytes), so hostile bytes throw a ``BinaryCodecError`` before anything is allocated for
/// them; then values are read in place. Integers decode into any integer type they fit, a `Float`
/// into a `Double`, and a `Double` into a `Float` that holds it exactly.
public struct BinaryPayloadDecoder: Sendable {
    /// Creates a decoder; it has no settings.
    public init() {}

    /// Decodes `bytes` as `type`; errors thrown by the type's own `init(from:)` become
    /// ``BinaryCodecError/decodingFailed(codingPath:reason:)``.
    public func decode<T: Decodable>(_ type: T.Type, from bytes: [UInt8]) throws(BinaryCodecError) -> T {
        let (keys, valueOffset) = try PayloadValidator.validate(bytes)
        let state = PayloadDecodingState(bytes: bytes, keys: keys)
        do {
            return try state.decode(T.self, at: valueOffset, path: .root)
        } catch let error as BinaryCodecError {
            throw error
        } catch let error as DecodingError {
            throw .decodingFailed(codingPath: CodingPath.text(of: error.context.codingPath), reason: error.context.debugDescription)
        } catch {
            throw .decodingFailed(codingPath: CodingPath.root.text, reason: "\(error)")
        }
    }
}

extension DecodingError {
    /// The context every case carries.
    fileprivate var context: Context {
        switch self {
        case .typeMismatch(_, let context), .valueNotFound(_, let context), .keyNotFound(_, let context),
            .dataCorrupted(let context):
            context
        @unknown default:
            Context(codingPath: [], debugDescription: "\(self)")
        }
    }
}
