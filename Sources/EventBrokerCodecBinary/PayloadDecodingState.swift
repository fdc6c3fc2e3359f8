import Foundation

/// The payload being decoded, already checked by ``PayloadValidator``: values are read in place
/// by offset, strings are made from byte slices, and nothing is parsed into a tree first.
final class PayloadDecodingState {
    /// Where the last key lookup in one object found its entry: decoding usually asks for the keys
    /// in the order they were written, so the next lookup in that object starts there.
    struct KeyHint {
        /// The offset of the object's first entry, identifying the object.
        var object = -1
        /// The offset of the entry found, and its position among the entries.
        var entry = 0
        var position = 0
    }

    /// How many objects keep a hint at once; objects share the hints by their offset.
    private static let hintCount = 8

    let bytes: [UInt8]
    /// The payload's key table.
    let keys: KeyTable
    /// The hints, by the offset of the object's first entry modulo ``hintCount``, stored inline.
    /// They skip the runtime exclusivity checks: one payload is decoded on one thread, and each
    /// access is a short read or write that calls no other code.
    @exclusivity(unchecked) private var hints = InlineArray<8, KeyHint>(repeating: KeyHint())
    /// The key last looked up in the table, and whether it is there.
    @exclusivity(unchecked) private var lastLookup: (key: String, isInTable: Bool)?

    init(bytes: [UInt8], keys: KeyTable) {
        self.bytes = bytes
        self.keys = keys
    }

    // MARK: Structure

    /// The tag of the value at `offset`.
    @inline(__always)
    func tag(at offset: Int) throws(BinaryCodecError) -> ValueTag {
        guard offset < bytes.count else { throw .truncated(offset: offset, expected: "a value tag") }
        guard let tag = ValueTag(byte: bytes[offset]) else {
            throw .unknownValueTag(offset: offset, tag: bytes[offset])
        }
        return tag
    }

    /// Reads the varint at `offset`, one-byte varints without a reader.
    @inline(__always)
    private func varint(at offset: inout Int) throws(BinaryCodecError) -> UInt64 {
        if offset < bytes.count, bytes[offset] < 0x80 {
            offset += 1
            return UInt64(bytes[offset - 1])
        }
        var reader = ByteReader(bytes, offset: offset)
        let value = try reader.readVarint()
        offset = reader.offset
        return value
    }

    /// The offset after the value at `offset`; a container is skipped by its byte length.
    @inline(__always)
    func end(ofValueAt offset: Int) throws(BinaryCodecError) -> Int {
        var end = offset + 1
        switch try tag(at: offset) {
        case .null, .falseValue, .trueValue, .smallInteger: break
        case .signed, .unsigned, .decimal: _ = try varint(at: &end)
        case .float32: end += 4
        case .float64, .date: end += 8
        case .shortString(let length): end += length
        case .string, .url, .data: end += Int(truncatingIfNeeded: try varint(at: &end))
        case .array, .object:
            _ = try varint(at: &end)
            end += Int(truncatingIfNeeded: try varint(at: &end))
        }
        guard end <= bytes.count else { throw .truncated(offset: bytes.count, expected: "a value") }
        return end
    }

    /// The count and the content of the container at `offset`, which must be an object or an
    /// array as `isObject` says.
    func container(at offset: Int, isObject: Bool, path: @autoclosure () -> CodingPath) throws(BinaryCodecError)
        -> (count: Int, content: Range<Int>)
    {
        guard offset < bytes.count, bytes[offset] == (isObject ? ValueTag.objectByte : ValueTag.arrayByte) else {
            let expected: ValueTag = isObject ? .object : .array
            throw .typeMismatch(expected: expected.noun, found: try tag(at: offset).noun, codingPath: path().text)
        }
        var reader = ByteReader(bytes, offset: offset + 1)
        let count = Int(truncatingIfNeeded: try reader.readVarint())
        return (count, try reader.readByteRange())
    }

    /// The offset of the value for `key` in the object whose entries are `content`, or `nil`.
    /// The search starts after the entry found last in the same object and wraps around; when
    /// that first entry is not the key, a key that is not in the key table is in no object.
    func find(_ key: String, inObject content: Range<Int>, count: Int) throws(BinaryCodecError) -> Int? {
        guard count > 0 else { return nil }
        let slot = content.lowerBound % Self.hintCount
        var entry = content.lowerBound
        var position = 0
        if hints[slot].object == content.lowerBound {
            entry = hints[slot].entry
            position = hints[slot].position
        }
        for probe in 0..<count {
            var valueOffset = entry
            let index = try keyIndex(at: &valueOffset)
            var next = try end(ofValueAt: valueOffset)
            var nextPosition = position + 1
            if nextPosition == count {
                next = content.lowerBound
                nextPosition = 0
            }
            // Comparing the lengths first spares most slow comparisons of different strings.
            if keys.names[index].utf8.count == key.utf8.count && keys.names[index] == key {
                hints[slot] = KeyHint(object: content.lowerBound, entry: next, position: nextPosition)
                return valueOffset
            }
            if probe == 0 && !isInTable(key) { return nil }
            entry = next
            position = nextPosition
        }
        return nil
    }

    /// Whether `key` is in the key table. The last answer is kept: an optional field missing from
    /// many objects of one type is looked up once.
    private func isInTable(_ key: String) -> Bool {
        if let lastLookup, lastLookup.key == key { return lastLookup.isInTable }
        let isInTable = keys.index(of: key) != nil
        lastLookup = (key, isInTable)
        return isInTable
    }

    /// The keys of the object whose entries are `content`, in the order written.
    func keys(inObject content: Range<Int>, count: Int) throws(BinaryCodecError) -> [String] {
        var names: [String] = []
        names.reserveCapacity(count)
        var entry = content.lowerBound
        for _ in 0..<count {
            names.append(keys.names[try keyIndex(at: &entry)])
            entry = try end(ofValueAt: entry)
        }
        return names
    }

    /// Reads the key index of the entry at `offset`.
    @inline(__always)
    private func keyIndex(at offset: inout Int) throws(BinaryCodecError) -> Int {
        let start = offset
        let index = try varint(at: &offset)
        guard index < UInt64(keys.names.count) else {
            throw .keyIndexOutOfRange(offset: start, index: index, tableSize: keys.names.count)
        }
        return Int(index)
    }

    // MARK: Scalars

    /// The error for a value of the wrong kind.
    private func mismatch(_ expected: Any.Type, _ found: ValueTag, _ path: CodingPath) -> BinaryCodecError {
        .typeMismatch(expected: "\(expected)", found: found.noun, codingPath: path.text)
    }

    func decodeNil(at offset: Int) throws(BinaryCodecError) -> Bool {
        guard offset < bytes.count else { throw .truncated(offset: offset, expected: "a value tag") }
        return bytes[offset] == ValueTag.nullByte
    }

    func decodeBool(at offset: Int, path: @autoclosure () -> CodingPath) throws(BinaryCodecError) -> Bool {
        switch try tag(at: offset) {
        case .trueValue: return true
        case .falseValue: return false
        case let found: throw mismatch(Bool.self, found, path())
        }
    }

    /// An integer of any width from an integer value that fits it. The range check and the
    /// conversion use only `bitWidth`, `isSigned` and `init(truncatingIfNeeded:)`: called
    /// unspecialized (as Codable calls it), `init(exactly:)` would cost a metadata lookup.
    @inline(__always)
    func decodeInteger<T: FixedWidthInteger>(_ type: T.Type, at offset: Int, path: @autoclosure () -> CodingPath)
        throws(BinaryCodecError) -> T
    {
        var reader = ByteReader(bytes, offset: offset + 1)
        let fits: Bool
        let bits: UInt64
        let isSignedValue: Bool
        switch try tag(at: offset) {
        case .smallInteger(let value):
            return T(truncatingIfNeeded: value)
        case .signed:
            let value = try reader.readZigzag()
            bits = UInt64(bitPattern: value)
            isSignedValue = true
            // Smart shifts: shifting by the full width gives 0 (or -1), so 64-bit types need no case of their own.
            fits = T.isSigned ? (value >> (T.bitWidth - 1) == 0 || value >> (T.bitWidth - 1) == -1)
                : value >= 0 && value >> T.bitWidth == 0
        case .unsigned:
            let value = try reader.readVarint()
            bits = value
            isSignedValue = false
            fits = value >> (T.isSigned ? T.bitWidth - 1 : T.bitWidth) == 0
        case let found:
            throw mismatch(T.self, found, path())
        }
        guard fits else {
            let text = isSignedValue ? String(Int64(bitPattern: bits)) : String(bits)
            throw .integerOutOfRange(value: text, type: "\(T.self)", codingPath: path().text)
        }
        return T(truncatingIfNeeded: bits)
    }

    /// A `Double` from a `Double` (binary or decimal) or a `Float` value.
    func decodeDouble(at offset: Int, path: @autoclosure () -> CodingPath) throws(BinaryCodecError) -> Double {
        var reader = ByteReader(bytes, offset: offset + 1)
        switch try tag(at: offset) {
        case .decimal(let scale): return DecimalDouble.value(mantissa: try reader.readZigzag(), scale: scale)
        case .float64: return Double(bitPattern: try reader.readFixed(8, expecting: "a Double"))
        case .float32: return Double(Float(bitPattern: UInt32(try reader.readFixed(4, expecting: "a Float"))))
        case let found: throw mismatch(Double.self, found, path())
        }
    }

    /// A `Float` from a `Float` value, or from a `Double` that a `Float` holds exactly (or NaN).
    func decodeFloat(at offset: Int, path: @autoclosure () -> CodingPath) throws(BinaryCodecError) -> Float {
        switch try tag(at: offset) {
        case .float32:
            var reader = ByteReader(bytes, offset: offset + 1)
            return Float(bitPattern: UInt32(try reader.readFixed(4, expecting: "a Float")))
        case .float64, .decimal:
            break
        case let found:
            throw mismatch(Float.self, found, path())
        }
        let value = try decodeDouble(at: offset, path: path())
        if value.isNaN { return .nan }
        guard let exact = Float(exactly: value) else {
            throw .typeMismatch(expected: "Float", found: "the Double \(value)", codingPath: path().text)
        }
        return exact
    }

    /// A string; its UTF-8 was checked by the validator.
    func decodeString(at offset: Int, path: @autoclosure () -> CodingPath) throws(BinaryCodecError) -> String {
        var reader = ByteReader(bytes, offset: offset + 1)
        switch try tag(at: offset) {
        case .shortString(let length):
            try reader.skip(length, expecting: "a string")
            return String(decoding: bytes[offset + 1..<reader.offset], as: UTF8.self)
        case .string:
            return String(decoding: bytes[try reader.readByteRange()], as: UTF8.self)
        case let found:
            throw mismatch(String.self, found, path())
        }
    }

    // MARK: Any value

    /// Decodes the value at `offset` as `type`: primitives, `Date`, `Data` and `URL` directly,
    /// anything else through its own `init(from:)`.
    func decode<T: Decodable>(_ type: T.Type, at offset: Int, path: @autoclosure () -> CodingPath) throws -> T {
        if T.self == String.self { return try decodeString(at: offset, path: path()) as! T }
        if T.self == Int.self { return try decodeInteger(Int.self, at: offset, path: path()) as! T }
        if T.self == Double.self { return try decodeDouble(at: offset, path: path()) as! T }
        if T.self == Bool.self { return try decodeBool(at: offset, path: path()) as! T }
        if T.self == Int64.self { return try decodeInteger(Int64.self, at: offset, path: path()) as! T }
        if T.self == UInt64.self { return try decodeInteger(UInt64.self, at: offset, path: path()) as! T }
        if T.self == Date.self || T.self == Data.self || T.self == URL.self {
            return try decodeFoundationValue(T.self, at: offset, path: path())
        }
        return try T(from: PayloadValueDecoder(state: self, offset: offset, path: path()))
    }

    /// A `Date` (exact bits), `Data` (raw bytes) or `URL` (from a URL or a string value).
    private func decodeFoundationValue<T>(_ type: T.Type, at offset: Int, path: @autoclosure () -> CodingPath)
        throws(BinaryCodecError) -> T
    {
        let found = try tag(at: offset)
        var reader = ByteReader(bytes, offset: offset + 1)
        switch found {
        case .date where T.self == Date.self:
            let interval = Double(bitPattern: try reader.readFixed(8, expecting: "a Date"))
            return Date(timeIntervalSinceReferenceDate: interval) as! T
        case .data where T.self == Data.self:
            return Data(bytes[try reader.readByteRange()]) as! T
        case .url where T.self == URL.self, .string where T.self == URL.self, .shortString where T.self == URL.self:
            let text = bytes[offset] == ValueTag.urlByte ? String(decoding: bytes[try reader.readByteRange()], as: UTF8.self)
                : try decodeString(at: offset, path: path())
            guard let url = URL(string: text) else {
                throw .decodingFailed(codingPath: path().text, reason: "\(text.debugDescription) is not a valid URL")
            }
            return url as! T
        default:
            throw mismatch(T.self, found, path())
        }
    }
}
