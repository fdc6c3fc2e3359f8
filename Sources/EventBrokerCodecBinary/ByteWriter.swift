/// Appends the primitives of the binary format to one growing byte buffer.
struct ByteWriter {
    /// The bytes written so far.
    var bytes: [UInt8] = []

    /// Appends one byte.
    @inline(__always)
    mutating func append(_ byte: UInt8) {
        bytes.append(byte)
    }

    /// Appends `value` as an unsigned LEB128 varint: 7 bits per byte, least significant first,
    /// the high bit set on every byte but the last.
    @inline(__always)
    mutating func appendVarint(_ value: UInt64) {
        var value = value
        while value >= 0x80 {
            bytes.append(UInt8(truncatingIfNeeded: value) | 0x80)
            value >>= 7
        }
        bytes.append(UInt8(value))
    }

    /// Appends `value` zigzag-encoded (0, -1, 1, -2, … become 0, 1, 2, 3, …) as a varint.
    @inline(__always)
    mutating func appendZigzag(_ value: Int64) {
        appendVarint(Zigzag.encode(value))
    }

    /// Appends `value` as 8 little-endian bytes.
    @inline(__always)
    mutating func appendFixed64(_ value: UInt64) {
        withUnsafeBytes(of: value.littleEndian) { bytes.append(contentsOf: $0) }
    }

    /// Appends `value` as 4 little-endian bytes.
    @inline(__always)
    mutating func appendFixed32(_ value: UInt32) {
        withUnsafeBytes(of: value.littleEndian) { bytes.append(contentsOf: $0) }
    }

    /// Appends `string` as a varint byte length followed by its UTF-8.
    @inline(__always)
    mutating func appendString(_ string: String) {
        var string = string
        string.withUTF8 { utf8 in
            appendVarint(UInt64(utf8.count))
            bytes.append(contentsOf: utf8)
        }
    }

    /// Appends `data` as a varint byte length followed by the bytes.
    mutating func appendBytes(_ data: UnsafeRawBufferPointer) {
        appendVarint(UInt64(data.count))
        bytes.append(contentsOf: data)
    }

    /// How many bytes ``appendVarint(_:)`` writes for `value`.
    static func varintSize(_ value: UInt64) -> Int {
        (64 - value.leadingZeroBitCount + 6) / 7 + (value == 0 ? 1 : 0)
    }
}

/// Zigzag encoding: maps signed integers to unsigned ones so that small magnitudes stay small.
enum Zigzag {
    /// 0 → 0, -1 → 1, 1 → 2, -2 → 3, …, `Int64.min` → `UInt64.max`.
    @inline(__always)
    static func encode(_ value: Int64) -> UInt64 {
        UInt64(bitPattern: (value << 1) ^ (value >> 63))
    }

    /// The inverse of ``encode(_:)``.
    @inline(__always)
    static func decode(_ value: UInt64) -> Int64 {
        Int64(bitPattern: value >> 1) ^ -Int64(bitPattern: value & 1)
    }
}
