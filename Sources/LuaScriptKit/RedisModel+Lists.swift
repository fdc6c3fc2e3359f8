/// The model's list commands. The head of a list is its left end, index 0.
extension RedisModel {
    /// The list at `key`; `nil` when missing, WRONGTYPE for another type.
    func existingList(at key: [UInt8]) throws(CommandError) -> [[UInt8]]? {
        switch keys[key] {
        case nil: return nil
        case .list(let items): return items
        default: throw Self.wrongType
        }
    }

    /// LPUSH / RPUSH key element [element ...]
    func push(_ arguments: [[UInt8]], atHead: Bool) throws(CommandError) -> RedisValue {
        var items = try existingList(at: arguments[1]) ?? []
        for element in arguments.dropFirst(2) {
            if atHead { items.insert(element, at: 0) } else { items.append(element) }
        }
        store(arguments[1], .list(items))
        return .integer(Int64(items.count))
    }

    /// LPOP / RPOP key [count]
    func pop(_ arguments: [[UInt8]], atHead: Bool) throws(CommandError) -> RedisValue {
        if arguments.count > 3 {
            throw .reply("ERR wrong number of arguments for '\(atHead ? "lpop" : "rpop")' command")
        }
        let count = arguments.count == 3 ? try Self.countArgument(arguments[2]) : nil
        guard var items = try existingList(at: arguments[1]) else { return .null }
        guard let count else {
            let item = atHead ? items.removeFirst() : items.removeLast()
            store(arguments[1], .list(items))
            return .bulk(item)
        }
        var popped: [[UInt8]] = []
        while popped.count < count, !items.isEmpty {
            popped.append(atHead ? items.removeFirst() : items.removeLast())
        }
        store(arguments[1], .list(items))
        return .bulks(popped)
    }

    /// LLEN key
    func listLength(_ arguments: [[UInt8]]) throws(CommandError) -> RedisValue {
        .integer(Int64(try existingList(at: arguments[1])?.count ?? 0))
    }

    /// LRANGE key start stop
    func listRange(_ arguments: [[UInt8]]) throws(CommandError) -> RedisValue {
        let start = try Self.integerArgument(arguments[2])
        let stop = try Self.integerArgument(arguments[3])
        guard let items = try existingList(at: arguments[1]) else { return .array([]) }
        guard let range = Self.indexRange(start: start, stop: stop, count: items.count) else { return .array([]) }
        return .bulks(Array(items[range]))
    }

    /// LTRIM key start stop
    func listTrim(_ arguments: [[UInt8]]) throws(CommandError) -> RedisValue {
        let start = try Self.integerArgument(arguments[2])
        let stop = try Self.integerArgument(arguments[3])
        guard let items = try existingList(at: arguments[1]) else { return .status("OK") }
        let kept = Self.indexRange(start: start, stop: stop, count: items.count).map { Array(items[$0]) } ?? []
        store(arguments[1], .list(kept))
        return .status("OK")
    }

    /// LREM key count element: from the head when count > 0, from the tail when < 0, all when 0.
    func listRemove(_ arguments: [[UInt8]]) throws(CommandError) -> RedisValue {
        let count = try Self.integerArgument(arguments[2])
        guard var items = try existingList(at: arguments[1]) else { return .integer(0) }
        let element = arguments[3]
        let limit = count == 0 ? UInt64.max : count.magnitude
        var indexes = Array(items.indices)
        if count < 0 { indexes.reverse() }
        var doomed: [Int] = []
        for index in indexes where UInt64(doomed.count) < limit && items[index] == element {
            doomed.append(index)
        }
        for index in doomed.sorted(by: >) { items.remove(at: index) }
        store(arguments[1], .list(items))
        return .integer(Int64(doomed.count))
    }

    /// LINDEX key index: the key is looked up before the index is read, as in Redis.
    func listIndex(_ arguments: [[UInt8]]) throws(CommandError) -> RedisValue {
        guard let items = try existingList(at: arguments[1]) else { return .null }
        let index = try Self.integerArgument(arguments[2])
        let position = index < 0 ? Int64(items.count) + index : index
        guard position >= 0, position < Int64(items.count) else { return .null }
        return .bulk(items[Int(position)])
    }

    /// Redis's clamping of a start/stop index pair (negative counts from the end); `nil` when
    /// the range is empty.
    static func indexRange(start: Int64, stop: Int64, count: Int) -> ClosedRange<Int>? {
        let length = Int64(count)
        var first = start < 0 ? length &+ start : start
        var last = stop < 0 ? length &+ stop : stop
        if first < 0 { first = 0 }
        if first > last || first >= length { return nil }
        if last >= length { last = length - 1 }
        return Int(first)...Int(last)
    }
}
