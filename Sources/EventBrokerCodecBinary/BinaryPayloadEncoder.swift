/// Encodes `Encodable` values in the binary payload format: a key table holding each field name
/// once, then the value, every scalar behind a one-byte type tag (see `docs/CODECS.md`).
///
/// ```swift
/// struct Order: Codable { var id: Int64; var lines: [Line] }
/// let bytes = try BinaryPayloadEncoder().encode(order)
/// let again = try BinaryPayloadDecoder().decode(Order.self, from: bytes)
/// ```
///
/// Integers are varints (signed ones zigzag-encoded), `Float` and `Double` keep their exact bits,
/// `Date` keeps the exact bits of its `timeIntervalSinceReferenceDate`, `Data` is raw bytes and
/// `URL` its absolute string.
public struct BinaryPayloadEncoder: Sendable {
    /// Creates an encoder; it has no settings, so every encoder writes the same bytes.
    public init() {}

    /// Encodes `value`; throws ``BinaryCodecError/encodingFailed(codingPath:reason:)`` when the value
    /// encodes nothing, writes two values into one single-value container or throws itself, and
    /// ``BinaryCodecError/nestingTooDeep(offset:)`` beyond ``BinaryCodec/maximumNestingDepth``.
    public func encode(_ value: some Encodable) throws(BinaryCodecError) -> [UInt8] {
        let state = PayloadEncodingState()
        do {
            state.beginEntry(in: 0)
            try state.encode(value, in: 0, path: .root)
        } catch let error as BinaryCodecError {
            throw error
        } catch let error as EncodingError {
            switch error {
            case .invalidValue(_, let context):
                throw .encodingFailed(
                    codingPath: CodingPath.text(of: context.codingPath), reason: context.debugDescription)
            @unknown default:
                throw .encodingFailed(codingPath: CodingPath.root.text, reason: "\(error)")
            }
        } catch {
            throw .encodingFailed(codingPath: CodingPath.root.text, reason: "\(error)")
        }
        return try state.finish()
    }
}
