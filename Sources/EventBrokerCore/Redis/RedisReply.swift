import CHiredis

/// One reply of Redis (RESP2), copied out of hiredis.
package enum RedisReply: Sendable, Equatable {
    /// A status reply such as `OK` or `PONG`.
    case status(String)
    /// An error reply; only errors nested in arrays appear here, a top-level one is thrown as
    /// ``RedisError/server(message:)``.
    case error(String)
    /// An integer reply.
    case integer(Int64)
    /// A bulk string, byte for byte.
    case bulk([UInt8])
    /// A null bulk string or null array.
    case null
    /// An array of replies.
    case array([RedisReply])

    /// The text of a status or bulk reply (decoded as UTF-8, invalid bytes replaced), else `nil`.
    package var string: String? {
        switch self {
        case .status(let text): return text
        case .bulk(let bytes): return String(decoding: bytes, as: UTF8.self)
        default: return nil
        }
    }

    /// The value of an integer reply, else `nil`.
    package var integer: Int64? {
        if case .integer(let value) = self { return value }
        return nil
    }

    /// The elements of an array reply, else `nil`.
    package var array: [RedisReply]? {
        if case .array(let elements) = self { return elements }
        return nil
    }

    /// The bytes of a bulk or status reply, else `nil`.
    package var bytes: [UInt8]? {
        switch self {
        case .bulk(let bytes): return bytes
        case .status(let text): return Array(text.utf8)
        default: return nil
        }
    }

    /// Whether this is ``null``.
    package var isNull: Bool { self == .null }
}

extension RedisReply {
    /// Copies a hiredis reply tree; each bulk string is copied exactly once.
    init(_ reply: UnsafePointer<redisReply>) {
        let value = reply.pointee
        switch value.type {
        case REDIS_REPLY_STATUS:
            self = .status(Self.text(value.str, value.len))
        case REDIS_REPLY_ERROR:
            self = .error(Self.text(value.str, value.len))
        case REDIS_REPLY_INTEGER:
            self = .integer(Int64(value.integer))
        case REDIS_REPLY_STRING:
            self = .bulk(Array(UnsafeRawBufferPointer(start: value.str, count: value.len)))
        case REDIS_REPLY_NIL:
            self = .null
        case REDIS_REPLY_ARRAY:
            var elements: [RedisReply] = []
            elements.reserveCapacity(value.elements)
            for index in 0..<value.elements {
                if let element = value.element[index] {
                    elements.append(RedisReply(element))
                } else {
                    elements.append(.null)
                }
            }
            self = .array(elements)
        default:
            self = .error("unsupported reply type \(value.type)")
        }
    }

    private static func text(_ pointer: UnsafeMutablePointer<CChar>?, _ length: Int) -> String {
        String(decoding: UnsafeRawBufferPointer(start: pointer, count: length), as: UTF8.self)
    }
}
