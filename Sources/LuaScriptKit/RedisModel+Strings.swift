/// The model's string commands.
extension RedisModel {
    /// The string at `key`; `nil` when missing, WRONGTYPE for another type.
    func existingString(at key: [UInt8]) throws(CommandError) -> [UInt8]? {
        switch keys[key] {
        case nil: return nil
        case .string(let value): return value
        default: throw Self.wrongType
        }
    }

    /// GET key
    func get(_ arguments: [[UInt8]]) throws(CommandError) -> RedisValue {
        try existingString(at: arguments[1]).map(RedisValue.bulk) ?? .null
    }

    /// SET key value [NX|XX] [GET] [KEEPTTL]; the expiry options are not modelled.
    func set(_ arguments: [[UInt8]]) throws(CommandError) -> RedisValue {
        var onlyIfMissing = false
        var onlyIfPresent = false
        var returnOld = false
        for option in arguments.dropFirst(3) {
            if Self.isOption(option, "NX") && !onlyIfPresent {
                onlyIfMissing = true
            } else if Self.isOption(option, "XX") && !onlyIfMissing {
                onlyIfPresent = true
            } else if Self.isOption(option, "GET") {
                returnOld = true
            } else if Self.isOption(option, "KEEPTTL") {
                continue  // the model keeps no expiry, so there is none to keep
            } else if ["EX", "PX", "EXAT", "PXAT"].contains(where: { Self.isOption(option, $0) }) {
                throw .unsupported("SET's expiry options (the model keeps no expiry)")
            } else {
                throw Self.syntaxError
            }
        }
        let key = arguments[1]
        let old: RedisValue = returnOld ? try get(arguments) : .null
        let found = keys[key] != nil
        if (onlyIfMissing && found) || (onlyIfPresent && !found) {
            return old
        }
        keys[key] = .string(arguments[2])
        return returnOld ? old : .status("OK")
    }

    /// INCR key, INCRBY key increment
    func increment(_ key: [UInt8], by increment: Int64) throws(CommandError) -> RedisValue {
        var value: Int64 = 0
        if let current = try existingString(at: key) {
            guard let parsed = RedisNumbers.integer(current) else { throw Self.notAnInteger }
            value = parsed
        }
        let (sum, overflow) = value.addingReportingOverflow(increment)
        if overflow { throw Self.overflow }
        keys[key] = .string(Array(String(sum).utf8))
        return .integer(sum)
    }
}
