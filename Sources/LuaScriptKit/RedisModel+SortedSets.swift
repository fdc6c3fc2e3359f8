/// The model's sorted-set commands. Members are ordered by score, then by their bytes.
extension RedisModel {
    /// One member with its score.
    typealias ScoredMember = (member: [UInt8], score: Double)

    /// The sorted set at `key`; `nil` when missing, WRONGTYPE for another type.
    func existingSortedSet(at key: [UInt8]) throws(CommandError) -> [[UInt8]: Double]? {
        switch keys[key] {
        case nil: return nil
        case .sortedSet(let members): return members
        default: throw Self.wrongType
        }
    }

    /// The members in Redis's order: by score, then by bytes.
    static func ordered(_ members: [[UInt8]: Double]) -> [ScoredMember] {
        members.map { (member: $0.key, score: $0.value) }.sorted { left, right in
            left.score != right.score ? left.score < right.score : left.member.lexicographicallyPrecedes(right.member)
        }
    }

    /// ZADD key [NX|XX] [GT|LT] [CH] [INCR] score member [score member ...]
    func sortedSetAdd(_ arguments: [[UInt8]]) throws(CommandError) -> RedisValue {
        var flags: Set<String> = []
        var index = 2
        while index < arguments.count,
            let flag = ["NX", "XX", "GT", "LT", "CH", "INCR"].first(where: { Self.isOption(arguments[index], $0) })
        {
            flags.insert(flag)
            index += 1
        }
        let pairs = arguments.count - index
        guard pairs > 0, pairs % 2 == 0 else { throw Self.syntaxError }
        if flags.isSuperset(of: ["XX", "NX"]) {
            throw .reply("ERR XX and NX options at the same time are not compatible")
        }
        if flags.isSuperset(of: ["GT", "NX"]) || flags.isSuperset(of: ["LT", "NX"]) || flags.isSuperset(of: ["GT", "LT"]) {
            throw .reply("ERR GT, LT, and/or NX options at the same time are not compatible")
        }
        if flags.contains("INCR") && pairs > 2 {
            throw .reply("ERR INCR option supports a single increment-element pair")
        }
        var scores: [Double] = []
        for scoreIndex in stride(from: index, to: arguments.count, by: 2) {
            guard let score = RedisNumbers.double(arguments[scoreIndex]) else {
                throw .reply("ERR value is not a valid float")
            }
            scores.append(score)
        }
        let existing = try existingSortedSet(at: arguments[1])
        if existing == nil && flags.contains("XX") {
            return flags.contains("INCR") ? .null : .integer(0)
        }
        var members = existing ?? [:]
        var added: Int64 = 0
        var updated: Int64 = 0
        var lastScore: Double?
        for (offset, score) in scores.enumerated() {
            let member = arguments[index + 2 * offset + 1]
            if let current = members[member] {
                if flags.contains("NX") { continue }
                let newScore = flags.contains("INCR") ? current + score : score
                if newScore.isNaN { throw .reply("ERR resulting score is not a number (NaN)") }
                if (flags.contains("LT") && newScore >= current) || (flags.contains("GT") && newScore <= current) {
                    continue
                }
                lastScore = newScore
                if newScore != current {
                    members[member] = newScore
                    updated += 1
                }
            } else {
                if flags.contains("XX") { continue }
                members[member] = score
                lastScore = score
                added += 1
            }
        }
        store(arguments[1], .sortedSet(members))
        if flags.contains("INCR") {
            return lastScore.map { .bulk(RedisNumbers.format($0)) } ?? .null
        }
        return .integer(flags.contains("CH") ? added + updated : added)
    }

    /// ZREM key member [member ...]
    func sortedSetRemove(_ arguments: [[UInt8]]) throws(CommandError) -> RedisValue {
        guard var members = try existingSortedSet(at: arguments[1]) else { return .integer(0) }
        var removed: Int64 = 0
        for member in arguments.dropFirst(2) where members.removeValue(forKey: member) != nil {
            removed += 1
        }
        store(arguments[1], .sortedSet(members))
        return .integer(removed)
    }

    /// ZSCORE key member
    func sortedSetScore(_ arguments: [[UInt8]]) throws(CommandError) -> RedisValue {
        guard let score = try existingSortedSet(at: arguments[1])?[arguments[2]] else { return .null }
        return .bulk(RedisNumbers.format(score))
    }

    /// ZMSCORE key member [member ...]: each member's score, or nil for one not in the set.
    func sortedSetScores(_ arguments: [[UInt8]]) throws(CommandError) -> RedisValue {
        let members = try existingSortedSet(at: arguments[1])
        return .array(arguments.dropFirst(2).map { member in members?[member].map { .bulk(RedisNumbers.format($0)) } ?? .null })
    }

    /// ZREMRANGEBYSCORE key min max: removes the members scored between the bounds.
    func sortedSetRemoveRangeByScore(_ arguments: [[UInt8]]) throws(CommandError) -> RedisValue {
        guard let low = RedisNumbers.scoreBound(arguments[2]), let high = RedisNumbers.scoreBound(arguments[3]) else {
            throw .reply("ERR min or max is not a float")
        }
        guard var members = try existingSortedSet(at: arguments[1]) else { return .integer(0) }
        let removed = Self.select(.scores(low: low, high: high, limit: nil), from: Self.ordered(members))
        for entry in removed { members[entry.member] = nil }
        store(arguments[1], .sortedSet(members))
        return .integer(Int64(removed.count))
    }

    /// ZCARD key
    func sortedSetCardinality(_ arguments: [[UInt8]]) throws(CommandError) -> RedisValue {
        .integer(Int64(try existingSortedSet(at: arguments[1])?.count ?? 0))
    }

    /// ZRANGE key start stop [BYSCORE] [REV] [LIMIT offset count] [WITHSCORES], and
    /// ZRANGEBYSCORE key min max [WITHSCORES] [LIMIT offset count]; BYLEX is not modelled.
    func sortedSetRange(_ arguments: [[UInt8]], byScoreCommand: Bool) throws(CommandError) -> RedisValue {
        var withScores = false
        var limit: (offset: Int64, count: Int64)?
        var reverse = false
        var byScore = byScoreCommand
        var index = 4
        while index < arguments.count {
            let option = arguments[index]
            if Self.isOption(option, "WITHSCORES") {
                withScores = true
            } else if Self.isOption(option, "LIMIT") && arguments.count - index - 1 >= 2 {
                limit = (try Self.integerArgument(arguments[index + 1]), try Self.integerArgument(arguments[index + 2]))
                index += 2
            } else if !byScoreCommand && !reverse && Self.isOption(option, "REV") {
                reverse = true
            } else if !byScoreCommand && !byScore && Self.isOption(option, "BYSCORE") {
                byScore = true
            } else if !byScoreCommand && !byScore && Self.isOption(option, "BYLEX") {
                throw .unsupported("ZRANGE's BYLEX option")
            } else {
                throw Self.syntaxError
            }
            index += 1
        }
        if limit != nil && !byScore {
            throw .reply("ERR syntax error, LIMIT is only supported in combination with either BYSCORE or BYLEX")
        }
        let selection: Selection
        if byScore {
            let (minimum, maximum) = reverse ? (arguments[3], arguments[2]) : (arguments[2], arguments[3])
            guard let low = RedisNumbers.scoreBound(minimum), let high = RedisNumbers.scoreBound(maximum) else {
                throw .reply("ERR min or max is not a float")
            }
            selection = .scores(low: low, high: high, limit: limit)
        } else {
            selection = .ranks(try Self.integerArgument(arguments[2]), try Self.integerArgument(arguments[3]))
        }
        guard let members = try existingSortedSet(at: arguments[1]) else { return .array([]) }
        var ordered = Self.ordered(members)
        if reverse { ordered.reverse() }
        let chosen = Self.select(selection, from: ordered)
        return Self.reply(chosen, withScores: withScores)
    }

    /// ZPOPMIN key [count]: one member as `[member, score]`, or up to `count` of them, flat.
    func sortedSetPopMin(_ arguments: [[UInt8]]) throws(CommandError) -> RedisValue {
        if arguments.count > 3 { throw Self.syntaxError }
        let count = arguments.count == 3 ? try Self.countArgument(arguments[2]) : 1
        guard var members = try existingSortedSet(at: arguments[1]) else { return .array([]) }
        let popped = Array(Self.ordered(members).prefix(Int(clamping: count)))
        for entry in popped { members[entry.member] = nil }
        store(arguments[1], .sortedSet(members))
        return Self.reply(popped, withScores: true)
    }

    /// Which members a range command wants.
    enum Selection {
        /// By rank, start and stop as given (negative counts from the end).
        case ranks(Int64, Int64)
        /// By score between two bounds, with an optional LIMIT.
        case scores(low: (value: Double, exclusive: Bool), high: (value: Double, exclusive: Bool),
            limit: (offset: Int64, count: Int64)?)
    }

    /// The members of `ordered` (already reversed for REV) that `selection` wants.
    static func select(_ selection: Selection, from ordered: [ScoredMember]) -> [ScoredMember] {
        switch selection {
        case .ranks(let start, let stop):
            guard let range = indexRange(start: start, stop: stop, count: ordered.count) else { return [] }
            return Array(ordered[range])
        case .scores(let low, let high, let limit):
            if low.value > high.value || (low.value == high.value && (low.exclusive || high.exclusive)) {
                return []
            }
            let inRange = ordered.filter { entry in
                (low.exclusive ? entry.score > low.value : entry.score >= low.value)
                    && (high.exclusive ? entry.score < high.value : entry.score <= high.value)
            }
            guard let limit else { return inRange }
            // Redis skips `offset` members with `while (offset--)`: a negative offset skips them all.
            guard limit.offset >= 0, limit.offset < Int64(inRange.count) else { return [] }
            let rest = inRange.dropFirst(Int(limit.offset))
            return limit.count < 0 ? Array(rest) : Array(rest.prefix(Int(clamping: limit.count)))
        }
    }

    /// Members as a flat array, with each score after its member when `withScores`.
    static func reply(_ entries: [ScoredMember], withScores: Bool) -> RedisValue {
        var items: [[UInt8]] = []
        for entry in entries {
            items.append(entry.member)
            if withScores { items.append(RedisNumbers.format(entry.score)) }
        }
        return .bulks(items)
    }
}
