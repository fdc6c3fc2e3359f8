/// Text of a fixed shape made of lowercase hexadecimal digits and dashes, which the binary
/// envelope stores as the bytes its digits spell: a canonical UUID id in 16 bytes instead of 37,
/// a W3C `traceparent` in 25 instead of 56. Text of any other shape (uppercase digits
/// included) is not packed and is stored as a string, so it always reads back unchanged.
struct PackedHex {
    /// Characters every packed text starts with, not stored.
    let prefix: [UInt8]
    /// The number of characters after ``prefix``.
    let length: Int
    /// The positions, after ``prefix``, of the dashes; every other character is a digit.
    let dashes: [Int]

    /// The bytes stored for one text.
    var byteCount: Int { (length - dashes.count) / 2 }

    /// A canonical lowercase UUID, `8-4-4-4-12` digits, as `UUID().uuidString.lowercased()` writes it.
    static let uuid = PackedHex(prefix: [], length: 36, dashes: [8, 13, 18, 23])
    /// A W3C trace context `traceparent` of version `00`: `00-` trace id (32 digits) `-` parent
    /// id (16 digits) `-` flags (2 digits).
    static let traceparent = PackedHex(prefix: Array("00-".utf8), length: 52, dashes: [32, 49])

    /// The bytes of `text`, or `nil` when `text` does not have exactly this shape.
    func pack(_ text: String) -> [UInt8]? {
        var text = text
        return text.withUTF8 { text -> [UInt8]? in
            guard text.count == prefix.count + length, text.starts(with: prefix) else { return nil }
            var bytes: [UInt8] = []
            bytes.reserveCapacity(byteCount)
            var high: UInt8?
            var nextDash = 0
            for position in 0..<length {
                let character = text[prefix.count + position]
                if nextDash < dashes.count && dashes[nextDash] == position {
                    guard character == UInt8(ascii: "-") else { return nil }
                    nextDash += 1
                    continue
                }
                let nibble: UInt8
                switch character {
                case UInt8(ascii: "0")...UInt8(ascii: "9"): nibble = character - UInt8(ascii: "0")
                case UInt8(ascii: "a")...UInt8(ascii: "f"): nibble = character - UInt8(ascii: "a") + 10
                default: return nil
                }
                if let first = high {
                    bytes.append(first << 4 | nibble)
                    high = nil
                } else {
                    high = nibble
                }
            }
            return bytes
        }
    }

    /// The text whose ``byteCount`` bytes are `bytes`.
    func unpack(_ bytes: ArraySlice<UInt8>) -> String {
        String(unsafeUninitializedCapacity: prefix.count + length) { text in
            var position = 0
            for character in prefix {
                text[position] = character
                position += 1
            }
            var dashIndex = 0
            var nextDash = dashes.isEmpty ? Int.max : prefix.count + dashes[0]
            func append(_ nibble: UInt8) {
                if position == nextDash {
                    text[position] = UInt8(ascii: "-")
                    position += 1
                    dashIndex += 1
                    nextDash = dashIndex < dashes.count ? prefix.count + dashes[dashIndex] : Int.max
                }
                text[position] = nibble < 10 ? UInt8(ascii: "0") + nibble : UInt8(ascii: "a") - 10 + nibble
                position += 1
            }
            for byte in bytes {
                append(byte >> 4)
                append(byte & 0x0F)
            }
            return position
        }
    }
}
