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

    /// SET key value [NX|XX] [GET] [EX seconds|PX milliseconds|KEEPTTL], checked in Redis 7.0's
    /// order: the options (conflicting ones are a syntax error), then the expiry time, then
    /// GET's type check, then NX/XX. EXAT and PXAT are not modelled.
    func set(_ arguments: [[UInt8]]) throws(CommandError) -> RedisValue {
        var onlyIfMissing = false
        var onlyIfPresent = false
        var returnOld = false
        var keepExpiry = false
        var expiry: (value: [UInt8], unit: Int64)?
        var index = 3
        while index < arguments.count {
            let option = arguments[index]
            let hasNext = index + 1 < arguments.count
            if Self.isOption(option, "NX") && !onlyIfPresent {
                onlyIfMissing = true
            } else if Self.isOption(option, "XX") && !onlyIfMissing {
                onlyIfPresent = true
            } else if Self.isOption(option, "GET") {
                returnOld = true
            } else if Self.isOption(option, "KEEPTTL") && expiry == nil {
                keepExpiry = true
            } else if let unit: Int64 = Self.isOption(option, "EX") ? 1000 : Self.isOption(option, "PX") ? 1 : nil,
                !keepExpiry, expiry == nil || expiry?.unit == unit, hasNext
            {
                // Redis refuses EX after PX and PX after EX, but takes the last of a repeated one.
                expiry = (arguments[index + 1], unit)
                index += 1
            } else if Self.isOption(option, "EXAT") || Self.isOption(option, "PXAT") {
                throw .unsupported("SET's EXAT and PXAT options")
            } else {
                throw Self.syntaxError
            }
            index += 1
        }
        var deadline: Int64?
        if let expiry {
            let amount = try Self.integerArgument(expiry.value)
            let invalid = CommandError.reply("ERR invalid expire time in 'set' command")
            guard amount > 0, expiry.unit == 1 || amount <= Int64.max / 1000 else { throw invalid }
            let (sum, overflow) = (amount * expiry.unit).addingReportingOverflow(Self.milliseconds())
            if overflow { throw invalid }
            deadline = sum
        }
        let key = arguments[1]
        let old: RedisValue = returnOld ? try get(arguments) : .null
        let found = keys[key] != nil
        if (onlyIfMissing && found) || (onlyIfPresent && !found) {
            return old
        }
        replace(key, with: .string(arguments[2]), expiry: deadline, keepingExpiry: keepExpiry)
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
        store(key, .string(Array(String(sum).utf8)))  // INCR keeps the key's expiry
        return .integer(sum)
    }
}
