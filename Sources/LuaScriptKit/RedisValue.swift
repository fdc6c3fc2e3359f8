/// One RESP2 reply as the script test runner sees it, whichever backend produced it.
///
/// RESP2's null bulk string and null array are both ``null``: Lua sees both as `false`.
package enum RedisValue: Sendable, Hashable, CustomStringConvertible {
    /// A status reply such as `OK`.
    case status([UInt8])
    /// An error reply; the text starts with its code (`WRONGTYPE Operation against…`).
    case error(String)
    /// An integer reply.
    case integer(Int64)
    /// A bulk string, byte for byte.
    case bulk([UInt8])
    /// A null bulk string or null array.
    case null
    /// An array of replies.
    case array([RedisValue])

    /// A bulk string holding the UTF-8 bytes of `text`.
    package static func bulk(_ text: String) -> RedisValue { .bulk(Array(text.utf8)) }

    /// A status reply holding the UTF-8 bytes of `text`.
    package static func status(_ text: String) -> RedisValue { .status(Array(text.utf8)) }

    /// An array of bulk strings.
    package static func bulks(_ items: [[UInt8]]) -> RedisValue { .array(items.map(RedisValue.bulk)) }

    /// The reply as redis-cli would show it, on one line: `"text"`, `(integer) 1`, `(nil)`,
    /// `(error) ERR …`, `[…]`.
    package var description: String {
        switch self {
        case .status(let bytes): return String(decoding: bytes, as: UTF8.self)
        case .error(let message): return "(error) \(message)"
        case .integer(let value): return "(integer) \(value)"
        case .bulk(let bytes): return quoted(bytes)
        case .null: return "(nil)"
        case .array(let items): return "[" + items.map(\.description).joined(separator: ", ") + "]"
        }
    }
}

/// `bytes` in double quotes, with quotes, backslashes and non-printable bytes escaped.
func quoted(_ bytes: [UInt8]) -> String {
    var text = "\""
    for byte in bytes {
        switch byte {
        case UInt8(ascii: "\""): text += "\\\""
        case UInt8(ascii: "\\"): text += "\\\\"
        case UInt8(ascii: "\n"): text += "\\n"
        case UInt8(ascii: "\r"): text += "\\r"
        case UInt8(ascii: "\t"): text += "\\t"
        case 0x20...0x7E: text.unicodeScalars.append(Unicode.Scalar(byte))
        default:
            let hex = String(byte, radix: 16)
            text += "\\x" + (hex.count == 1 ? "0" + hex : hex)
        }
    }
    return text + "\""
}
