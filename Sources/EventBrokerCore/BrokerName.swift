/// The rules every service name, topic and stream id obeys before it reaches Redis.
///
/// Names are data: braces, spaces, quotes, `*`, Unicode or Lua code are all fine, since keys
/// carry them percent-encoded (see ``KeyLayout``). Only absurd names are refused.
enum BrokerName {
    /// The longest name, in UTF-8 bytes.
    static let maximumLength = 1024

    /// Throws ``BrokerError/invalidName(kind:value:reason:)`` for an empty name, one longer than
    /// ``maximumLength`` bytes, or one containing a control character.
    static func validate(_ value: String, as kind: BrokerError.NameKind) throws {
        if value.isEmpty {
            throw BrokerError.invalidName(kind: kind, value: value, reason: "it is empty")
        }
        let length = value.utf8.count
        if length > maximumLength {
            throw BrokerError.invalidName(
                kind: kind, value: value,
                reason: "it is \(length) bytes long; the limit is \(maximumLength)")
        }
        for (offset, scalar) in value.unicodeScalars.enumerated() where scalar.properties.generalCategory == .control {
            let code = String(scalar.value, radix: 16, uppercase: true)
            throw BrokerError.invalidName(
                kind: kind, value: value,
                reason: "it contains the control character U+\(String(repeating: "0", count: max(0, 4 - code.count)))\(code) at position \(offset)")
        }
    }
}
