import CLua

/// Redis 7.0's conversions between replies and Lua values, and between Lua values and command
/// arguments.
extension LuaState {
    /// Pushes `reply` as `redis.call` hands it to a script: integer → number, bulk → string,
    /// null → `false`, array → table, status → `{ok = text}`, error → `{err = message}`.
    package func push(reply: RedisValue) {
        switch reply {
        case .integer(let value):
            push(value)
        case .bulk(let bytes):
            push(bytes: bytes)
        case .null:
            push(false)
        case .status(let bytes):
            pushTable(recordCapacity: 1)
            push(bytes: bytes)
            rawSet(table: -2, field: "ok")
        case .error(let message):
            pushTable(recordCapacity: 1)
            push(message)
            rawSet(table: -2, field: "err")
        case .array(let items):
            pushTable(arrayCapacity: Int32(clamping: items.count))
            for (index, item) in items.enumerated() {
                push(reply: item)
                rawSet(table: -2, index: Int64(index + 1))
            }
        }
    }

    /// The value at `index` as Redis turns a script's return value into a reply: a number →
    /// integer (truncated), string → bulk, `true` → 1, `false` or `nil` → null, a table with a
    /// string `err` → error, with a string `ok` → status, any other table → array of its
    /// elements 1, 2, … up to the first `nil`; other types → null.
    package func reply(at index: Int32) -> RedisValue {
        reply(at: absolute(index), depth: 0)
    }

    private func reply(at index: Int32, depth: Int) -> RedisValue {
        switch type(at: index) {
        case .number:
            return .integer(integer(at: index) ?? Self.truncated(number(at: index) ?? 0))
        case .string:
            return .bulk(bytes(at: index) ?? [])
        case .boolean:
            return boolean(at: index) == true ? .integer(1) : .null
        case .table:
            guard depth < Self.maximumReplyDepth else { return .error("ERR reached lua stack limit") }
            rawGet(table: index, field: "err")
            defer { pop(1) }
            if type(at: -1) == .string {
                return .error(String(decoding: Self.oneLine(bytes(at: -1) ?? []), as: UTF8.self))
            }
            rawGet(table: index, field: "ok")
            defer { pop(1) }
            if type(at: -1) == .string {
                return .status(Self.oneLine(bytes(at: -1) ?? []))
            }
            var items: [RedisValue] = []
            var element: Int64 = 1
            while true {
                rawGet(table: index, index: element)
                defer { pop(1) }
                if type(at: -1) == .nil { break }
                items.append(reply(at: absolute(-1), depth: depth + 1))
                element += 1
            }
            return .array(items)
        default:
            return .null
        }
    }

    /// The value at `index` as a command argument, as Redis 7.0 reads `redis.call`'s
    /// arguments: a string as it is, a number printed with `%.17g` (Lua 5.1 has only doubles);
    /// `nil` for any other type.
    package func redisArgument(at index: Int32) -> [UInt8]? {
        switch type(at: index) {
        case .string:
            return bytes(at: index)
        case .number:
            if isInteger(at: index), let value = integer(at: index), value.magnitude <= 1 << 53 {
                return Array(String(value).utf8)
            }
            return RedisNumbers.printf17g(number(at: index) ?? 0)
        default:
            return nil
        }
    }

    /// Pushes the light userdata NULL, which is what `cjson.null` is in Redis.
    package func pushNullLightUserdata() {
        lua_pushlightuserdata(state, nil)
    }

    /// How deeply nested a returned table may be.
    private static let maximumReplyDepth = 1000

    /// A C cast of a double to `long long` on x86-64: truncation toward zero, and the
    /// "integer indefinite" value `Int64.min` for NaN and anything out of range.
    static func truncated(_ value: Double) -> Int64 {
        guard value >= -9_223_372_036_854_775_808.0, value < 9_223_372_036_854_775_808.0 else { return .min }
        return Int64(value)
    }

    /// Redis replaces line breaks in status and error replies by spaces.
    static func oneLine(_ bytes: [UInt8]) -> [UInt8] {
        bytes.map { $0 == UInt8(ascii: "\r") || $0 == UInt8(ascii: "\n") ? UInt8(ascii: " ") : $0 }
    }
}
