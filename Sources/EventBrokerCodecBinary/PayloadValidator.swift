/// Checks a whole payload before anything is decoded from it, without recursion and in one pass:
/// value tags, varints, every length and count against the bytes of its container, nesting depth,
/// UTF-8, key indices, duplicate keys, container lengths, trailing bytes. The decoder then reads
/// a payload known to be well formed, whatever type it is decoded as.
enum PayloadValidator {
    /// An array or object whose entries are being checked.
    private struct OpenContainer {
        /// The offset of its tag, for errors.
        let start: Int
        /// The offset after its last byte.
        let end: Int
        /// The entries still to check.
        var remaining: Int
        /// Whether it is an object.
        let isObject: Bool
        /// The serial number of the object, which marks the keys it used.
        let serial: Int
        /// With at most 64 keys in the table, the keys it used, one bit each.
        var usedKeys: UInt64 = 0
        /// Where its marks start in the undo list.
        let undoBase: Int
        /// The end of the enclosing container, restored when this one is done.
        let parentEnd: Int
    }

    /// Checks `bytes` and returns the payload's key table and the offset of its top-level value.
    static func validate(_ bytes: [UInt8]) throws(BinaryCodecError) -> (keys: [String], valueOffset: Int) {
        var reader = ByteReader(bytes)
        let keys = try readKeyTable(&reader)
        let valueOffset = reader.offset

        var open: [OpenContainer] = []
        // Objects track the keys they used in a bit mask when the table has at most 64 keys.
        // Otherwise: for each key index, the serial of the innermost open object that used it;
        // `undo` keeps the marks an inner object overwrote, restored when it closes.
        var owners: [Int] = []
        var undo: [(key: Int, owner: Int)] = []
        var serial = 0

        try readValue(&reader, open: &open, serial: &serial, undoCount: undo.count)
        while let top = open.last {
            if top.remaining == 0 {
                guard reader.offset == top.end else { throw .containerLengthMismatch(offset: top.start) }
                reader.end = top.parentEnd
                if top.isObject && !undo.isEmpty {
                    for mark in undo[top.undoBase...].reversed() {
                        owners[mark.key] = mark.owner
                    }
                    undo.removeSubrange(top.undoBase...)
                }
                open.removeLast()
                continue
            }
            open[open.count - 1].remaining -= 1
            if top.isObject {
                let keyOffset = reader.offset
                let index = try reader.readVarint()
                guard index < UInt64(keys.count) else {
                    throw .keyIndexOutOfRange(offset: keyOffset, index: index, tableSize: keys.count)
                }
                let key = Int(index)
                if keys.count <= 64 {
                    guard top.usedKeys & 1 << index == 0 else { throw .duplicateKey(offset: keyOffset, key: keys[key]) }
                    open[open.count - 1].usedKeys |= 1 << index
                } else {
                    if owners.isEmpty { owners = Array(repeating: -1, count: keys.count) }
                    guard owners[key] != top.serial else { throw .duplicateKey(offset: keyOffset, key: keys[key]) }
                    undo.append((key, owners[key]))
                    owners[key] = top.serial
                }
            }
            try readValue(&reader, open: &open, serial: &serial, undoCount: undo.count)
        }
        guard reader.isAtEnd else { throw .trailingBytes(offset: reader.offset) }
        return (keys, valueOffset)
    }

    /// Reads the key table: a count, then that many distinct strings.
    private static func readKeyTable(_ reader: inout ByteReader) throws(BinaryCodecError) -> [String] {
        let count = try reader.readCount(minimumSize: 1)
        var keys: [String] = []
        keys.reserveCapacity(count)
        // Small tables are searched, larger ones hashed.
        var indices: [String: Int]? = count > 16 ? Dictionary(minimumCapacity: count) : nil
        for index in 0..<count {
            let offset = reader.offset
            let key = try reader.readString()
            // Comparing the lengths first spares most slow comparisons of different strings.
            let isDuplicate =
                indices != nil
                ? indices?.updateValue(index, forKey: key) != nil
                : keys.contains { $0.utf8.count == key.utf8.count && $0 == key }
            guard !isDuplicate else { throw .duplicateKey(offset: offset, key: key) }
            keys.append(key)
        }
        return keys
    }

    /// Checks one value; an array or object is opened, its entries checked by the caller's loop.
    private static func readValue(
        _ reader: inout ByteReader, open: inout [OpenContainer], serial: inout Int, undoCount: Int
    ) throws(BinaryCodecError) {
        let start = reader.offset
        let byte = try reader.readByte(expecting: "a value tag")
        guard let tag = ValueTag(byte: byte) else { throw .unknownValueTag(offset: start, tag: byte) }
        switch tag {
        case .null, .falseValue, .trueValue, .smallInteger:
            break
        case .signed, .unsigned, .decimal:
            _ = try reader.readVarint()
        case .float32:
            try reader.skip(4, expecting: "the 4 bytes of a Float")
        case .float64:
            try reader.skip(8, expecting: "the 8 bytes of a Double")
        case .date:
            try reader.skip(8, expecting: "the 8 bytes of a Date")
        case .string, .url:
            try reader.checkUTF8(reader.readByteRange())
        case .shortString(let length):
            try reader.skip(length, expecting: "the bytes of a string")
            try reader.checkUTF8(reader.offset - length..<reader.offset)
        case .data:
            _ = try reader.readByteRange()
        case .array, .object:
            guard open.count < BinaryCodec.maximumNestingDepth else { throw .nestingTooDeep(offset: start) }
            let countOffset = reader.offset
            let count = try reader.readVarint()
            let length = try reader.readLength()
            // An element takes at least one byte, an entry two (key index and value tag).
            let isObject = byte == ValueTag.objectByte
            let minimumSize = isObject ? 2 : 1
            guard count <= UInt64(length / minimumSize) else {
                throw .countBeyondInput(offset: countOffset, count: count, remaining: length)
            }
            if isObject { serial += 1 }
            open.append(
                OpenContainer(
                    start: start, end: reader.offset + length, remaining: Int(count), isObject: isObject,
                    serial: serial, undoBase: undoCount, parentEnd: reader.end))
            reader.end = reader.offset + length
        }
    }
}
