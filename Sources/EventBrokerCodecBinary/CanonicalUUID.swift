/// The 16 bytes of an id that is a canonical lowercase UUID (`8-4-4-4-12` lowercase hexadecimal
/// digits, as `UUID().uuidString.lowercased()` writes it): the binary envelope stores such an id in
/// 16 bytes instead of 37.
enum CanonicalUUID {
    /// Lowercase hexadecimal digits.
    private static let digits = Array("0123456789abcdef".utf8)

    /// The 16 bytes of `id`, or `nil` when `id` is not exactly a canonical lowercase UUID (then it
    /// is stored as a string, so that it reads back unchanged).
    static func bytes(of id: String) -> [UInt8]? {
        var id = id
        return id.withUTF8 { text -> [UInt8]? in
            guard text.count == 36 else { return nil }
            var bytes: [UInt8] = []
            bytes.reserveCapacity(16)
            var high: UInt8?
            for (index, character) in text.enumerated() {
                if index == 8 || index == 13 || index == 18 || index == 23 {
                    guard character == UInt8(ascii: "-") else { return nil }
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

    /// The canonical lowercase text of the UUID whose 16 bytes are `bytes`.
    static func string(from bytes: ArraySlice<UInt8>) -> String {
        var text: [UInt8] = []
        text.reserveCapacity(36)
        for (index, byte) in bytes.enumerated() {
            if index == 4 || index == 6 || index == 8 || index == 10 { text.append(UInt8(ascii: "-")) }
            text.append(digits[Int(byte >> 4)])
            text.append(digits[Int(byte & 0x0F)])
        }
        return String(decoding: text, as: UTF8.self)
    }
}
