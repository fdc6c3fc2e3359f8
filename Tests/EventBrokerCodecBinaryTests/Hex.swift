/// Bytes written as lowercase hexadecimal, two digits per byte, as the test vectors of
/// docs/CODECS.md are.
enum Hex {
    static func string(_ bytes: [UInt8]) -> String {
        bytes.map { ($0 < 0x10 ? "0" : "") + String($0, radix: 16) }.joined()
    }

    /// Parses hexadecimal digits, ignoring spaces and line breaks.
    static func bytes(_ text: String) -> [UInt8] {
        let digits = Array(text.filter { !$0.isWhitespace })
        return stride(from: 0, to: digits.count, by: 2).map { UInt8(String(digits[$0...$0 + 1]), radix: 16)! }
    }
}
