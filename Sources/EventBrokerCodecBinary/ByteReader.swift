/// Reads the primitives of the binary format from a byte array, refusing with a
/// ``BinaryCodecError`` whatever is malformed: every length and count is checked against the
/// bytes that remain before anything is allocated for it.
struct ByteReader {
    /// The whole input.
    let bytes: [UInt8]
    /// The index of the next byte to read.
    var offset: Int
    /// The index after the last byte this reader may read: the end of the input, or of the
    /// container being read.
    var end: Int

    /// A reader of `bytes` from `offset` to the end.
    init(_ bytes: [UInt8], offset: Int = 0) {
        self.bytes = bytes
        self.offset = offset
        self.end = bytes.count
    }

    /// The bytes left before ``end``.
    var remaining: Int { end - offset }

    /// Whether every byte up to ``end`` has been read.
    var isAtEnd: Bool { offset >= end }

    /// Reads one byte; `expected` names it when the input ends instead.
    @inline(__always)
    mutating func readByte(expecting expected: @autoclosure () -> String) throws(BinaryCodecError) -> UInt8 {
        guard offset < end else { throw .truncated(offset: offset, expected: expected()) }
        let byte = bytes[offset]
        offset += 1
        return byte
    }

    /// Reads an unsigned LEB128 varint in its shortest form, at most 10 bytes and 64 bits.
    @inline(__always)
    mutating func readVarint() throws(BinaryCodecError) -> UInt64 {
        if offset < end, bytes[offset] < 0x80 {
            defer { offset += 1 }
            return UInt64(bytes[offset])
        }
        return try readLongVarint()
    }

    /// ``readVarint()`` for varints of two bytes or more.
    private mutating func readLongVarint() throws(BinaryCodecError) -> UInt64 {
        let start = offset
        var value: UInt64 = 0
        var shift: UInt64 = 0
        while true {
            let byte = try readByte(expecting: "a varint")
            // The tenth byte holds bit 63 alone: anything more does not fit 64 bits.
            guard shift < 63 || byte <= 1 else { throw .invalidVarint(offset: start) }
            value |= UInt64(byte & 0x7F) << shift
            if byte < 0x80 {
                // A last byte of zero after others would be a longer spelling of a shorter varint.
                guard byte != 0 || shift == 0 else { throw .invalidVarint(offset: start) }
                return value
            }
            shift += 7
        }
    }

    /// Reads a zigzag varint as a signed integer.
    @inline(__always)
    mutating func readZigzag() throws(BinaryCodecError) -> Int64 {
        Zigzag.decode(try readVarint())
    }

    /// Reads a byte length that must fit the remaining bytes.
    @inline(__always)
    mutating func readLength() throws(BinaryCodecError) -> Int {
        let start = offset
        let length = try readVarint()
        guard length <= UInt64(remaining) else {
            throw .lengthBeyondInput(offset: start, length: length, remaining: remaining)
        }
        return Int(length)
    }

    /// Reads a count of elements each at least `minimumSize` bytes long, which the remaining
    /// bytes must be able to hold.
    @inline(__always)
    mutating func readCount(minimumSize: Int) throws(BinaryCodecError) -> Int {
        let start = offset
        let count = try readVarint()
        guard count <= UInt64(remaining / minimumSize) else {
            throw .countBeyondInput(offset: start, count: count, remaining: remaining)
        }
        return Int(count)
    }

    /// Skips `count` bytes, which must be there; `expected` names them otherwise.
    @inline(__always)
    mutating func skip(_ count: Int, expecting expected: @autoclosure () -> String) throws(BinaryCodecError) {
        guard count <= remaining else { throw .truncated(offset: end, expected: expected()) }
        offset += count
    }

    /// Reads `count` bytes as a little-endian integer of up to 8 bytes.
    @inline(__always)
    mutating func readFixed(_ count: Int, expecting expected: @autoclosure () -> String) throws(BinaryCodecError)
        -> UInt64
    {
        try skip(count, expecting: expected())
        var value: UInt64 = 0
        for index in 0..<count {
            value |= UInt64(bytes[offset - count + index]) << UInt64(8 * index)
        }
        return value
    }

    /// Reads a length-prefixed UTF-8 string, checking the UTF-8 (no overlong forms, surrogates
    /// or code points above U+10FFFF) as it copies it.
    mutating func readString() throws(BinaryCodecError) -> String {
        let range = try readByteRange()
        let span = bytes.span.extracting(range)
        if isASCII(range) {
            // Checked just above: ASCII is well-formed UTF-8, so the span needs no second pass.
            return String(copying: UTF8Span(unchecked: span, isKnownASCII: true))
        }
        do {
            return String(copying: try UTF8Span(validating: span))
        } catch {
            throw .invalidUTF8(offset: range.lowerBound)
        }
    }

    /// Whether every byte of `bytes[range]` is ASCII, which is always well-formed UTF-8.
    @inline(__always)
    private func isASCII(_ range: Range<Int>) -> Bool {
        var combined: UInt8 = 0
        for byte in bytes[range] {
            combined |= byte
        }
        return combined < 0x80
    }

    /// Throws unless `bytes[range]` is well-formed UTF-8.
    func checkUTF8(_ range: Range<Int>) throws(BinaryCodecError) {
        // ASCII, the usual case, is well-formed: one pass that calls nothing.
        guard !isASCII(range) else { return }
        do {
            _ = try UTF8Span(validating: bytes.span.extracting(range))
        } catch {
            throw .invalidUTF8(offset: range.lowerBound)
        }
    }

    /// Reads a length-prefixed byte string and returns where its bytes are.
    @inline(__always)
    mutating func readByteRange() throws(BinaryCodecError) -> Range<Int> {
        let length = try readLength()
        offset += length
        return offset - length..<offset
    }
}
