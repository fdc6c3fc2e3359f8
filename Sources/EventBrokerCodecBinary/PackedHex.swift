/// Text of a fixed shape made of lowercase hexadecimal digits and dashes, which the binary
/// envelope stores as the bytes its digits spell: a canonical UUID id in 16 bytes instead of 37,
/// a W3C `traceparent` in 25 instead of 56. Text of any other shape (uppercase digits
/// included) is not packed and is stored as a string, so it always reads back unchanged.
struct PackedHex {
    /// Characters every packed text starts with, not stored.
    let prefix: [UInt8]
    /// The number of digits of each group, the groups separated by single dashes. Each is even,
    /// so that every byte is spelled by two digits of one group.
    let groups: [Int]
    /// The number of characters of a packed text.
    let length: Int
    /// The bytes stored for one text.
    let byteCount: Int

    /// A canonical lowercase UUID, `8-4-4-4-12` digits, as `UUID().uuidString.lowercased()` writes it.
    static let uuid = PackedHex(prefix: [], groups: [8, 4, 4, 4, 12])
    /// A W3C trace context `traceparent` of version `00`: `00-` trace id (32 digits) `-` parent
    /// id (16 digits) `-` flags (2 digits).
    static let traceparent = PackedHex(prefix: Array("00-".utf8), groups: [32, 16, 2])

    /// The shape `prefix`, then the groups of `groups` digits separated by dashes.
    init(prefix: [UInt8], groups: [Int]) {
        precondition(prefix.allSatisfy { $0 < 0x80 }, "the prefix is ASCII")
        precondition(groups.allSatisfy { $0 % 2 == 0 }, "a byte would be split by a dash")
        precondition(groups.reduce(0, +) <= 64, "at most 32 bytes are packed")
        precondition(prefix.count + groups.reduce(0, +) + groups.count - 1 <= 64, "at most 64 characters are unpacked")
        self.prefix = prefix
        self.groups = groups
        let digits = groups.reduce(0, +)
        length = prefix.count + digits + groups.count - 1
        byteCount = digits / 2
    }

    /// The bytes of `text` (the first ``byteCount``; the rest are 0), or `nil` when `text` does
    /// not have this shape.
    func pack(_ text: String) -> InlineArray<32, UInt8>? {
        var text = text
        return text.withUTF8 { text -> InlineArray<32, UInt8>? in
            guard text.count == length, text.starts(with: prefix) else { return nil }
            var packed = InlineArray<32, UInt8>(repeating: 0)
            var position = prefix.count
            var byte = 0
            for (index, digits) in groups.enumerated() {
                if index > 0 {
                    guard text[position] == UInt8(ascii: "-") else { return nil }
                    position += 1
                }
                for pair in stride(from: position, to: position + digits, by: 2) {
                    guard let high = Self.nibble(text[pair]), let low = Self.nibble(text[pair + 1]) else {
                        return nil
                    }
                    packed[byte] = high << 4 | low
                    byte += 1
                }
                position += digits
            }
            return packed
        }
    }

    /// Appends the ``byteCount`` bytes of a text packed by ``pack(_:)``.
    func append(_ packed: InlineArray<32, UInt8>, to writer: inout ByteWriter) {
        packed.span.extracting(0..<byteCount).withUnsafeBufferPointer { writer.bytes.append(contentsOf: $0) }
    }

    /// The value of a lowercase hexadecimal digit, `nil` for any other character.
    @inline(__always)
    private static func nibble(_ character: UInt8) -> UInt8? {
        switch character {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): character - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): character - UInt8(ascii: "a") + 10
        default: nil
        }
    }

    /// The lowercase hexadecimal digit of `nibble` (0 to 15), without a branch: 39 more than
    /// `"0" + nibble` from 10 on.
    @inline(__always)
    private static func digit(_ nibble: UInt8) -> UInt8 {
        let lettersOffset = UInt8(truncatingIfNeeded: (9 - Int16(nibble)) >> 8) & 39
        return UInt8(ascii: "0") + nibble + lettersOffset
    }

    /// The text whose ``byteCount`` bytes are `bytes`.
    func unpack(_ bytes: ArraySlice<UInt8>) -> String {
        // Spelled out on the stack first: copying a buffer into a String costs less than
        // `String(unsafeUninitializedCapacity:)`, which validates what it is given.
        var text = InlineArray<64, UInt8>(repeating: 0)
        var position = 0
        for character in prefix {
            text[position] = character
            position += 1
        }
        var byte = bytes.startIndex
        for (index, digits) in groups.enumerated() {
            if index > 0 {
                text[position] = UInt8(ascii: "-")
                position += 1
            }
            for value in bytes[byte..<byte + digits / 2] {
                text[position] = Self.digit(value >> 4)
                text[position + 1] = Self.digit(value & 0x0F)
                position += 2
            }
            byte += digits / 2
        }
        // Digits, dashes and the prefix are ASCII, so the text needs no UTF-8 validation.
        return String(copying: UTF8Span(unchecked: text.span.extracting(0..<position), isKnownASCII: true))
    }
}
