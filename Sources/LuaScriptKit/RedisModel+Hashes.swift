/// The model's hash commands. Fields keep the order they were added in, as Redis's small
/// hashes do.
extension RedisModel {
    /// The hash at `key`; `nil` when missing, WRONGTYPE for another type.
    func existingHash(at key: [UInt8]) throws(CommandError) -> OrderedHash? {
        switch keys[key] {
        case nil: return nil
        case .hash(let hash): return hash
        default: throw Self.wrongType
        }
    }

    /// HSET key field value [field value ...]
    func hashSet(_ arguments: [[UInt8]]) throws(CommandError) -> RedisValue {
        guard arguments.count % 2 == 0 else { throw .reply("ERR wrong number of arguments for 'hset' command") }
        var hash = try existingHash(at: arguments[1]) ?? OrderedHash()
        var added: Int64 = 0
        for index in stride(from: 2, to: arguments.count, by: 2) {
            if hash[arguments[index]] == nil { added += 1 }
            hash[arguments[index]] = arguments[index + 1]
        }
        store(arguments[1], .hash(hash))
        return .integer(added)
    }

    /// HSETNX key field value
    func hashSetIfAbsent(_ arguments: [[UInt8]]) throws(CommandError) -> RedisValue {
        var hash = try existingHash(at: arguments[1]) ?? OrderedHash()
        guard hash[arguments[2]] == nil else { return .integer(0) }
        hash[arguments[2]] = arguments[3]
        store(arguments[1], .hash(hash))
        return .integer(1)
    }

    /// HGET key field
    func hashGet(_ arguments: [[UInt8]]) throws(CommandError) -> RedisValue {
        try existingHash(at: arguments[1])?[arguments[2]].map(RedisValue.bulk) ?? .null
    }

    /// HMGET key field [field ...]: the values in the order asked, nil for a missing field.
    func hashGetMany(_ arguments: [[UInt8]]) throws(CommandError) -> RedisValue {
        let hash = try existingHash(at: arguments[1])
        return .array(arguments.dropFirst(2).map { field in hash?[field].map(RedisValue.bulk) ?? .null })
    }

    /// HDEL key field [field ...]
    func hashDelete(_ arguments: [[UInt8]]) throws(CommandError) -> RedisValue {
        guard var hash = try existingHash(at: arguments[1]) else { return .integer(0) }
        var removed: Int64 = 0
        for field in arguments.dropFirst(2) where hash[field] != nil {
            hash[field] = nil
            removed += 1
        }
        store(arguments[1], .hash(hash))
        return .integer(removed)
    }

    /// HINCRBY key field increment
    func hashIncrement(_ arguments: [[UInt8]]) throws(CommandError) -> RedisValue {
        let increment = try Self.integerArgument(arguments[3])
        var hash = try existingHash(at: arguments[1]) ?? OrderedHash()
        var value: Int64 = 0
        if let current = hash[arguments[2]] {
            guard let parsed = RedisNumbers.integer(current) else { throw .reply("ERR hash value is not an integer") }
            value = parsed
        }
        let (sum, overflow) = value.addingReportingOverflow(increment)
        if overflow { throw Self.overflow }
        hash[arguments[2]] = Array(String(sum).utf8)
        store(arguments[1], .hash(hash))
        return .integer(sum)
    }

    /// HLEN key
    func hashLength(_ arguments: [[UInt8]]) throws(CommandError) -> RedisValue {
        .integer(Int64(try existingHash(at: arguments[1])?.count ?? 0))
    }

    /// HGETALL key (fields and values), HKEYS key (fields only)
    func hashEntries(_ arguments: [[UInt8]], keys withFields: Bool, values withValues: Bool) throws(CommandError)
        -> RedisValue
    {
        guard let hash = try existingHash(at: arguments[1]) else { return .array([]) }
        var items: [[UInt8]] = []
        for field in hash.fields {
            if withFields { items.append(field) }
            if withValues, let value = hash[field] { items.append(value) }
        }
        return .bulks(items)
    }

    /// HEXISTS key field
    func hashExists(_ arguments: [[UInt8]]) throws(CommandError) -> RedisValue {
        .integer(try existingHash(at: arguments[1])?[arguments[2]] == nil ? 0 : 1)
    }
}
