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
    static func validate(_ bytes: [UInt8]) throws(BinaryCodecError) -> (keys: KeyTable, valueOffset: Int) {
        var reader = ByteReader(bytes)
        let keys = try readKeyTable(&reader)
        let valueOffset = reader.offset

        // The innermost open container (`current`) is kept apart from the ones enclosing it, and
        // empty containers are checked without being opened, so a payload that nests non-empty
        // containers at most one level deep allocates no stack.
        var enclosing: [OpenContainer] = []
        // Objects track the keys they used in a bit mask when the table has at most 64 keys.
        // Otherwise: for each key index, the serial of the innermost open object that used it;
        // `undo` keeps the marks an inner object overwrote, restored when it closes.
        var owners: [Int] = []
        var undo: [(key: Int, owner: Int)] = []
        var serial = 0

        if var current = try readValue(&reader, openCount: 0, serial: &serial, undoCount: undo.count) {
            while true {
                if current.remaining == 0 {
                    guard reader.offset == current.end else { throw .containerLengthMismatch(offset: current.start) }
                    reader.end = current.parentEnd
                    if current.isObject && !undo.isEmpty {
                        for mark in undo[current.undoBase...].reversed() {
                            owners[mark.key] = mark.owner
                        }
                        undo.removeSubrange(current.undoBase...)
                    }
                    guard let parent = enclosing.popLast() else { break }
                    current = parent
                    continue
                }
                current.remaining -= 1
                if current.isObject {
                    let keyOffset = reader.offset
                    let index = try reader.readVarint()
                    guard index < UInt64(keys.names.count) else {
                        throw .keyIndexOutOfRange(offset: keyOffset, index: index, tableSize: keys.names.count)
                    }
                    let key = Int(index)
                    if keys.names.count <= 64 {
                        guard current.usedKeys & 1 << index == 0 else {
                            throw .duplicateKey(offset: keyOffset, key: keys.names[key])
                        }
                        current.usedKeys |= 1 << index
                    } else {
                        if owners.isEmpty { owners = Array(repeating: -1, count: keys.names.count) }
                        guard owners[key] != current.serial else {
                            throw .duplicateKey(offset: keyOffset, key: keys.names[key])
                        }
                        undo.append((key, owners[key]))
                        owners[key] = current.serial
                    }
                }
                if let opened = try readValue(
                    &reader, openCount: enclosing.count + 1, serial: &serial, undoCount: undo.count)
                {
                    enclosing.append(current)
                    current = opened
                }
            }
        }
        guard reader.isAtEnd else { throw .trailingBytes(offset: reader.offset) }
        return (keys, valueOffset)
    }

    /// Reads the key table: a count, then that many distinct strings.
    private static func readKeyTable(_ reader: inout ByteReader) throws(BinaryCodecError) -> KeyTable {
        let count = try reader.readCount(minimumSize: 1)
        var names: [String] = []
        names.reserveCapacity(count)
        var indices: [String: Int]? = count > KeyTable.searchedCount ? Dictionary(minimumCapacity: count) : nil
        var lengths: UInt64 = 0
        for index in 0..<count {
            let offset = reader.offset
            let name = try reader.readString()
            let lengthBit = KeyTable.lengthBit(of: name)
            let isDuplicate =
                indices != nil
                ? indices?.updateValue(index, forKey: name) != nil
                : lengths & lengthBit != 0 && KeyTable.firstIndex(of: name, in: names) != nil
            guard !isDuplicate else { throw .duplicateKey(offset: offset, key: name) }
            names.append(name)
            lengths |= lengthBit
        }
        return KeyTable(names: names, indices: indices, lengths: lengths)
    }

    /// Checks one value; returns the array or object it opens, whose entries the caller's loop
    /// checks, or `nil` for a scalar or an empty container. `openCount` containers enclose it.
    private static func readValue(
        _ reader: inout ByteReader, openCount: Int, serial: inout Int, undoCount: Int
    ) throws(BinaryCodecError) -> OpenContainer? {
        let start = reader.offset
        let byte = try reader.readByte(expecting: "a value tag")
        guard let tag = ValueTag(byte: byte) else { throw .unknownValueTag(offset: start, tag: byte) }
        switch tag {
        case .null, .falseValue, .trueValue, .smallInteger:
            return nil
        case .signed, .unsigned, .decimal:
            _ = try reader.readVarint()
            return nil
        case .float32:
            try reader.skip(4, expecting: "the 4 bytes of a Float")
            return nil
        case .float64:
            try reader.skip(8, expecting: "the 8 bytes of a Double")
            return nil
        case .date:
            try reader.skip(8, expecting: "the 8 bytes of a Date")
            return nil
        case .string, .url:
            try reader.checkUTF8(reader.readByteRange())
            return nil
        case .shortString(let length):
            try reader.skip(length, expecting: "the bytes of a string")
            try reader.checkUTF8(reader.offset - length..<reader.offset)
            return nil
        case .data:
            _ = try reader.readByteRange()
            return nil
        case .array, .object:
            guard openCount < BinaryCodec.maximumNestingDepth else { throw .nestingTooDeep(offset: start) }
            let countOffset = reader.offset
            let count = try reader.readVarint()
            let length = try reader.readLength()
            // An element takes at least one byte, an entry two (key index and value tag).
            let isObject = byte == ValueTag.objectByte
            let minimumSize = isObject ? 2 : 1
            guard count <= UInt64(length / minimumSize) else {
                throw .countBeyondInput(offset: countOffset, count: count, remaining: length)
            }
            guard count > 0 else {
                // Nothing to open: its byte length must be 0 too.
                guard length == 0 else { throw .containerLengthMismatch(offset: start) }
                return nil
            }
            if isObject { serial += 1 }
            let opened = OpenContainer(
                start: start, end: reader.offset + length, remaining: Int(count), isObject: isObject,
                serial: serial, undoBase: undoCount, parentEnd: reader.end)
            reader.end = reader.offset + length
            return opened
        }
    }
}

/// The key table of a payload: every key name once, by index.
struct KeyTable {
    /// Up to this many keys, a name is found by searching ``names``; beyond, by hashing.
    static let searchedCount = 16

    /// The key names, by index.
    let names: [String]
    /// With more than ``searchedCount`` keys, the index of each name.
    let indices: [String: Int]?
    /// The ``lengthBit(of:)`` of every name: a name whose bit is not set is not in the table.
    let lengths: UInt64

    /// The index of `name` in the table, or `nil`.
    func index(of name: String) -> Int? {
        guard lengths & Self.lengthBit(of: name) != 0 else { return nil }
        return indices.map { $0[name] } ?? Self.firstIndex(of: name, in: names)
    }

    /// Bit `n % 64` for a name of `n` UTF-8 bytes. Names of different lengths are different keys,
    /// so a set of these bits rules most names out without comparing strings.
    @inline(__always)
    static func lengthBit(of name: String) -> UInt64 {
        1 << UInt64(name.utf8.count & 63)
    }

    /// The index of `name` among `names`, searched.
    @inline(__always)
    static func firstIndex(of name: String, in names: [String]) -> Int? {
        // Comparing the lengths first spares most slow comparisons of different strings.
        names.firstIndex { $0.utf8.count == name.utf8.count && $0 == name }
    }
}
