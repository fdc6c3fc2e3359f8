/// Finding the topics of a prefix from their keys, for tools that list them: the layout keeps no
/// registry of topics, only a subscriber set per topic with subscribers.
extension KeyLayout {
    /// The SCAN pattern that matches the subscriber set of every topic of the prefix.
    package var topicSubscribersPattern: String { root + ":t:*:subscribers" }

    /// The topic whose subscriber set `key` is; `nil` for any other key.
    package func topic(subscribersKey key: String) -> String? {
        let head = root + ":t:"
        let tail = ":subscribers"
        guard key.hasPrefix(head), key.hasSuffix(tail), key.utf8.count > head.utf8.count + tail.utf8.count else {
            return nil
        }
        return Self.decode(String(key.dropFirst(head.count).dropLast(tail.count)))
    }

    /// The name that ``encode(_:)`` turned into `encoded`; `nil` for text it never writes.
    package static func decode(_ encoded: String) -> String? {
        var bytes: [UInt8] = []
        var rest = encoded.utf8[...]
        while let byte = rest.popFirst() {
            guard byte == UInt8(ascii: "%") else {
                bytes.append(byte)
                continue
            }
            guard rest.count >= 2, let value = UInt8(String(decoding: rest.prefix(2), as: UTF8.self), radix: 16) else {
                return nil
            }
            bytes.append(value)
            rest = rest.dropFirst(2)
        }
        guard let name = String(validating: bytes, as: UTF8.self), encode(name) == encoded else { return nil }
        return name
    }
}
