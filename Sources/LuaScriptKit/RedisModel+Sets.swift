/// The model's set commands.
extension RedisModel {
    /// The set at `key`; `nil` when missing, WRONGTYPE for another type.
    func existingSet(at key: [UInt8]) throws(CommandError) -> Set<[UInt8]>? {
        switch keys[key] {
        case nil: return nil
        case .set(let members): return members
        default: throw Self.wrongType
        }
    }

    /// SADD key member [member ...]
    func setAdd(_ arguments: [[UInt8]]) throws(CommandError) -> RedisValue {
        var members = try existingSet(at: arguments[1]) ?? []
        var added: Int64 = 0
        for member in arguments.dropFirst(2) where members.insert(member).inserted {
            added += 1
        }
        store(arguments[1], .set(members))
        return .integer(added)
    }

    /// SREM key member [member ...]
    func setRemove(_ arguments: [[UInt8]]) throws(CommandError) -> RedisValue {
        guard var members = try existingSet(at: arguments[1]) else { return .integer(0) }
        var removed: Int64 = 0
        for member in arguments.dropFirst(2) where members.remove(member) != nil {
            removed += 1
        }
        store(arguments[1], .set(members))
        return .integer(removed)
    }

    /// SMEMBERS key: in ascending numeric order when every member is an integer (as Redis
    /// answers for a small set of integers), else sorted by bytes (Redis: no particular order).
    func setMembers(_ arguments: [[UInt8]]) throws(CommandError) -> RedisValue {
        let members = try existingSet(at: arguments[1]) ?? []
        let numbers = members.compactMap { member in RedisNumbers.integer(member).map { (member, $0) } }
        if numbers.count == members.count && members.count <= 512 {
            return .bulks(numbers.sorted { $0.1 < $1.1 }.map(\.0))
        }
        return .bulks(members.sorted { $0.lexicographicallyPrecedes($1) })
    }

    /// SCARD key
    func setCardinality(_ arguments: [[UInt8]]) throws(CommandError) -> RedisValue {
        .integer(Int64(try existingSet(at: arguments[1])?.count ?? 0))
    }

    /// SISMEMBER key member
    func setIsMember(_ arguments: [[UInt8]]) throws(CommandError) -> RedisValue {
        .integer(try existingSet(at: arguments[1])?.contains(arguments[2]) == true ? 1 : 0)
    }
}
