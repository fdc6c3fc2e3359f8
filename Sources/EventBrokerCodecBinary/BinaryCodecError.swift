/// Why ``BinaryCodec`` could not encode or decode an envelope or a payload.
///
/// Offsets count bytes from the start of the input being read: the envelope for
/// ``BinaryCodec/decodeEnvelope(_:)``, the payload for ``BinaryCodec/decodePayload(_:from:)``.
/// Coding paths name the value inside the payload, as in `lines[2].sku`.
///
/// ```swift
/// do {
///     let order = try BinaryCodec().decodePayload(Order.self, from: bytes)
/// } catch .typeMismatch(let expected, let found, let path) {
///     print("\(path): expected \(expected), found \(found)")
/// }
/// ```
public enum BinaryCodecError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The input ends at byte `offset`, inside `expected` (for example "a varint").
    case truncated(offset: Int, expected: String)
    /// The envelope does not start with the binary codec's tag byte `B` (0x42).
    case wrongCodecTag(UInt8)
    /// The envelope's format version byte is one this codec does not read.
    case unsupportedVersion(UInt8)
    /// The envelope's presence-flags byte has bits set that this format version does not define.
    case unknownFlags(UInt8)
    /// The byte at `offset` should start a payload value but is no value tag this version knows.
    case unknownValueTag(offset: Int, tag: UInt8)
    /// A length at `offset` declares `length` bytes but only `remaining` follow.
    case lengthBeyondInput(offset: Int, length: UInt64, remaining: Int)
    /// A count at `offset` declares more elements than the `remaining` bytes can hold.
    case countBeyondInput(offset: Int, count: UInt64, remaining: Int)
    /// The varint at `offset` is longer than 10 bytes, exceeds 64 bits, or ends with a redundant
    /// zero byte (every number has exactly one encoding).
    case invalidVarint(offset: Int)
    /// Arrays and objects nest deeper than ``BinaryCodec/maximumNestingDepth`` at byte `offset`
    /// (`-1` when encoding).
    case nestingTooDeep(offset: Int)
    /// The string bytes at `offset` are not valid UTF-8.
    case invalidUTF8(offset: Int)
    /// An object entry at `offset` names key `index`, but the payload's key table has `tableSize` keys.
    case keyIndexOutOfRange(offset: Int, index: UInt64, tableSize: Int)
    /// The key table, an object or the envelope's headers hold the name `key` twice (at byte `offset`).
    case duplicateKey(offset: Int, key: String)
    /// A container's count and byte length at `offset` disagree with the entries inside it.
    case containerLengthMismatch(offset: Int)
    /// Bytes follow the end of the envelope or payload, starting at `offset`.
    case trailingBytes(offset: Int)
    /// The value at `codingPath` is `found` (for example "a string") where the type asks for `expected`.
    case typeMismatch(expected: String, found: String, codingPath: String)
    /// The integer `value` at `codingPath` does not fit the requested `type`.
    case integerOutOfRange(value: String, type: String, codingPath: String)
    /// The object at `codingPath` has no entry for `key`.
    case keyNotFound(key: String, codingPath: String)
    /// An unkeyed container at `codingPath` has no more elements.
    case endOfContainer(codingPath: String)
    /// The payload value could not be encoded at `codingPath`: `reason` says why (an error thrown by
    /// the value's own `encode(to:)` included).
    case encodingFailed(codingPath: String, reason: String)
    /// The payload type's own `init(from:)` threw an error at `codingPath` (for example an unknown enum case).
    case decodingFailed(codingPath: String, reason: String)

    /// A message that says what went wrong and what to check.
    public var description: String {
        switch self {
        case .truncated(let offset, let expected):
            "The input ends at byte \(offset), inside \(expected)."
        case .wrongCodecTag(let tag):
            "The envelope starts with byte 0x\(hex(tag)), not the binary codec's tag 0x42 ('B')."
        case .unsupportedVersion(let version):
            "The envelope has binary format version \(version); this BinaryCodec reads version \(BinaryFormat.version)."
        case .unknownFlags(let flags):
            "The envelope's flags byte 0x\(hex(flags)) sets bits this format version does not define."
        case .unknownValueTag(let offset, let tag):
            "Unknown value tag 0x\(hex(tag)) at byte \(offset)."
        case .lengthBeyondInput(let offset, let length, let remaining):
            "The length at byte \(offset) declares \(length) bytes but only \(remaining) follow."
        case .countBeyondInput(let offset, let count, let remaining):
            "The count at byte \(offset) declares \(count) elements, more than the \(remaining) bytes left can hold."
        case .invalidVarint(let offset):
            "The varint at byte \(offset) is longer than 10 bytes, exceeds 64 bits or is not in its shortest form."
        case .nestingTooDeep(let offset):
            "Arrays and objects nest deeper than \(BinaryCodec.maximumNestingDepth) levels"
                + (offset >= 0 ? " at byte \(offset)." : ".")
        case .invalidUTF8(let offset):
            "The string bytes at byte \(offset) are not valid UTF-8."
        case .keyIndexOutOfRange(let offset, let index, let tableSize):
            "The object entry at byte \(offset) names key \(index), but the key table has \(tableSize) keys."
        case .duplicateKey(let offset, let key):
            "The key \(key.debugDescription) occurs twice (at byte \(offset)); each key may appear once."
        case .containerLengthMismatch(let offset):
            "The container at byte \(offset) has a count or byte length that does not match its entries."
        case .trailingBytes(let offset):
            "Unexpected bytes after the end of the value, from byte \(offset) on."
        case .typeMismatch(let expected, let found, let codingPath):
            "Expected \(expected) but found \(found) at \(codingPath)."
        case .integerOutOfRange(let value, let type, let codingPath):
            "The integer \(value) at \(codingPath) does not fit \(type)."
        case .keyNotFound(let key, let codingPath):
            "No value for the key \(key.debugDescription) at \(codingPath)."
        case .endOfContainer(let codingPath):
            "No more elements in the array at \(codingPath)."
        case .encodingFailed(let codingPath, let reason):
            "The payload could not be encoded at \(codingPath): \(reason)"
        case .decodingFailed(let codingPath, let reason):
            "The payload type refused the value at \(codingPath): \(reason)"
        }
    }
}

/// `byte` as two uppercase hexadecimal digits.
func hex(_ byte: UInt8) -> String {
    let digits = String(byte, radix: 16, uppercase: true)
    return byte < 0x10 ? "0" + digits : digits
}
