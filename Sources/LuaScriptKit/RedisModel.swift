/// An in-memory model of the Redis commands the broker's scripts and their tests use, with the
/// replies and error replies of Redis 7.0: the embedded backend of the script tests.
///
/// Values are byte strings; a list, hash, set or sorted set that becomes empty vanishes, as in
/// Redis. A key set with `SET … EX|PX` expires: the model drops it before the first command
/// that comes after its deadline (Redis 7.0 would keep it until the end of a running script).
/// There is no persistence and no pub/sub delivery: PUBLISH is recorded in ``published``. A
/// command or option the model does not implement throws ``RedisModelLimitation`` rather than
/// answering wrongly.
///
/// ```swift
/// let redis = RedisModel()
/// _ = try redis.execute(["LPUSH", "queue", "a"].map { Array($0.utf8) })   // .integer(1)
/// ```
package final class RedisModel {
    /// What a key holds.
    enum Value: Equatable {
        case string([UInt8])
        case list([[UInt8]])
        case hash(OrderedHash)
        case set(Set<[UInt8]>)
        case sortedSet([[UInt8]: Double])

        /// The name TYPE replies with.
        var typeName: String {
            switch self {
            case .string: return "string"
            case .list: return "list"
            case .hash: return "hash"
            case .set: return "set"
            case .sortedSet: return "zset"
            }
        }
    }

    /// The keyspace.
    private(set) var keys: [[UInt8]: Value] = [:]

    /// The deadline (ms, real clock) of every key that has an expiry; a key without one lives
    /// until it is deleted. Every way a key goes away removes its entry.
    private(set) var expiries: [[UInt8]: Int64] = [:]

    /// Every PUBLISH since the model was created or ``clearPublished()`` was called, in order.
    package private(set) var published: [PublishedMessage] = []

    /// Creates an empty keyspace.
    package init() {}

    /// Runs one command (its name first) as a client would send it and returns the reply; a
    /// Redis error is an ``RedisValue/error(_:)`` reply, not a thrown error.
    ///
    /// - Throws: ``RedisModelLimitation`` for a command or option the model does not implement.
    package func execute(_ arguments: [[UInt8]]) throws(RedisModelLimitation) -> RedisValue {
        guard let first = arguments.first else {
            throw RedisModelLimitation(message: "a command needs at least its name")
        }
        let name = String(decoding: first, as: UTF8.self).uppercased()
        guard let command = Self.commands[name] else {
            throw RedisModelLimitation(message: "the Redis model does not implement the command '\(name)'")
        }
        guard Self.accepts(arity: command.arity, count: arguments.count) else {
            return .error("ERR wrong number of arguments for '\(name.lowercased())' command")
        }
        removeExpiredKeys()
        do {
            return try command.run(self, arguments)
        } catch {
            switch error {
            case .reply(let message):
                return .error(message)
            case .unsupported(let what):
                throw RedisModelLimitation(message: "the Redis model does not support \(what)")
            }
        }
    }

    /// Redis's arity of a command the model implements (negative: at least that many words,
    /// the name included); `nil` for any other command.
    package static func arity(of command: String) -> Int? {
        commands[command.uppercased()]?.arity
    }

    /// Whether `count` words (the name included) fit Redis's `arity`.
    package static func accepts(arity: Int, count: Int) -> Bool {
        arity >= 0 ? count == arity : count >= -arity
    }

    /// Forgets the recorded PUBLISH calls.
    package func clearPublished() {
        published = []
    }

    /// Deletes every key (FLUSHALL without the command).
    package func removeAllKeys() {
        keys = [:]
        expiries = [:]
    }

    // MARK: The command table

    /// One command: Redis's arity and what it does.
    struct Command: Sendable {
        let arity: Int
        let run: @Sendable (RedisModel, [[UInt8]]) throws(CommandError) -> RedisValue
    }

    /// Every command the model implements, by upper-case name.
    static let commands: [String: Command] = [
        // Keys and server
        "DEL": Command(arity: -2) { model, arguments in model.delete(arguments) },
        "EXISTS": Command(arity: -2) { model, arguments in model.exists(arguments) },
        "TYPE": Command(arity: 2) { model, arguments in model.type(arguments) },
        "PTTL": Command(arity: 2) { model, arguments in model.timeToLive(arguments, inMilliseconds: true) },
        "TTL": Command(arity: 2) { model, arguments in model.timeToLive(arguments, inMilliseconds: false) },
        "KEYS": Command(arity: 2) { model, arguments in model.keysMatching(arguments) },
        "FLUSHALL": Command(arity: -1) { model, arguments throws(CommandError) in try model.flushAll(arguments) },
        "TIME": Command(arity: 1) { _, _ in RedisModel.time() },
        "PUBLISH": Command(arity: 3) { model, arguments in model.publish(arguments) },
        // Strings
        "GET": Command(arity: 2) { model, arguments throws(CommandError) in try model.get(arguments) },
        "SET": Command(arity: -3) { model, arguments throws(CommandError) in try model.set(arguments) },
        "INCR": Command(arity: 2) { model, arguments throws(CommandError) in
            try model.increment(arguments[1], by: 1)
        },
        "INCRBY": Command(arity: 3) { model, arguments throws(CommandError) in
            try model.increment(arguments[1], by: try integerArgument(arguments[2]))
        },
        // Lists
        "LPUSH": Command(arity: -3) { model, arguments throws(CommandError) in try model.push(arguments, atHead: true) },
        "RPUSH": Command(arity: -3) { model, arguments throws(CommandError) in try model.push(arguments, atHead: false) },
        "LPOP": Command(arity: -2) { model, arguments throws(CommandError) in try model.pop(arguments, atHead: true) },
        "RPOP": Command(arity: -2) { model, arguments throws(CommandError) in try model.pop(arguments, atHead: false) },
        "LLEN": Command(arity: 2) { model, arguments throws(CommandError) in try model.listLength(arguments) },
        "LRANGE": Command(arity: 4) { model, arguments throws(CommandError) in try model.listRange(arguments) },
        "LTRIM": Command(arity: 4) { model, arguments throws(CommandError) in try model.listTrim(arguments) },
        "LREM": Command(arity: 4) { model, arguments throws(CommandError) in try model.listRemove(arguments) },
        "LINDEX": Command(arity: 3) { model, arguments throws(CommandError) in try model.listIndex(arguments) },
        // Hashes
        "HSET": Command(arity: -4) { model, arguments throws(CommandError) in try model.hashSet(arguments) },
        "HSETNX": Command(arity: 4) { model, arguments throws(CommandError) in try model.hashSetIfAbsent(arguments) },
        "HGET": Command(arity: 3) { model, arguments throws(CommandError) in try model.hashGet(arguments) },
        "HMGET": Command(arity: -3) { model, arguments throws(CommandError) in try model.hashGetMany(arguments) },
        "HDEL": Command(arity: -3) { model, arguments throws(CommandError) in try model.hashDelete(arguments) },
        "HINCRBY": Command(arity: 4) { model, arguments throws(CommandError) in try model.hashIncrement(arguments) },
        "HLEN": Command(arity: 2) { model, arguments throws(CommandError) in try model.hashLength(arguments) },
        "HGETALL": Command(arity: 2) { model, arguments throws(CommandError) in
            try model.hashEntries(arguments, keys: true, values: true)
        },
        "HKEYS": Command(arity: 2) { model, arguments throws(CommandError) in
            try model.hashEntries(arguments, keys: true, values: false)
        },
        "HEXISTS": Command(arity: 3) { model, arguments throws(CommandError) in try model.hashExists(arguments) },
        // Sets
        "SADD": Command(arity: -3) { model, arguments throws(CommandError) in try model.setAdd(arguments) },
        "SREM": Command(arity: -3) { model, arguments throws(CommandError) in try model.setRemove(arguments) },
        "SMEMBERS": Command(arity: 2) { model, arguments throws(CommandError) in try model.setMembers(arguments) },
        "SCARD": Command(arity: 2) { model, arguments throws(CommandError) in try model.setCardinality(arguments) },
        "SISMEMBER": Command(arity: 3) { model, arguments throws(CommandError) in try model.setIsMember(arguments) },
        // Sorted sets
        "ZADD": Command(arity: -4) { model, arguments throws(CommandError) in try model.sortedSetAdd(arguments) },
        "ZREM": Command(arity: -3) { model, arguments throws(CommandError) in try model.sortedSetRemove(arguments) },
        "ZSCORE": Command(arity: 3) { model, arguments throws(CommandError) in try model.sortedSetScore(arguments) },
        "ZMSCORE": Command(arity: -3) { model, arguments throws(CommandError) in try model.sortedSetScores(arguments) },
        "ZREMRANGEBYSCORE": Command(arity: 4) { model, arguments throws(CommandError) in
            try model.sortedSetRemoveRangeByScore(arguments)
        },
        "ZCARD": Command(arity: 2) { model, arguments throws(CommandError) in try model.sortedSetCardinality(arguments) },
        "ZRANGE": Command(arity: -4) { model, arguments throws(CommandError) in
            try model.sortedSetRange(arguments, byScoreCommand: false)
        },
        "ZRANGEBYSCORE": Command(arity: -4) { model, arguments throws(CommandError) in
            try model.sortedSetRange(arguments, byScoreCommand: true)
        },
        "ZPOPMIN": Command(arity: -2) { model, arguments throws(CommandError) in try model.sortedSetPopMin(arguments) },
    ]

    // MARK: Helpers of the commands

    /// Why a command stopped early: an error reply, or something the model does not implement.
    enum CommandError: Error {
        case reply(String)
        case unsupported(String)
    }

    static let wrongType = CommandError.reply("WRONGTYPE Operation against a key holding the wrong kind of value")
    static let syntaxError = CommandError.reply("ERR syntax error")
    static let notAnInteger = CommandError.reply("ERR value is not an integer or out of range")
    static let notPositive = CommandError.reply("ERR value is out of range, must be positive")
    static let overflow = CommandError.reply("ERR increment or decrement would overflow")

    /// An argument read as Redis reads integers (`getLongLongFromObjectOrReply`).
    static func integerArgument(_ bytes: [UInt8]) throws(CommandError) -> Int64 {
        guard let value = RedisNumbers.integer(bytes) else { throw notAnInteger }
        return value
    }

    /// An optional count argument that must be zero or more (`getPositiveLongFromObjectOrReply`).
    static func countArgument(_ bytes: [UInt8]) throws(CommandError) -> Int64 {
        guard let value = RedisNumbers.integer(bytes), value >= 0 else { throw notPositive }
        return value
    }

    /// Whether an option word equals `option`, ignoring ASCII case.
    static func isOption(_ bytes: [UInt8], _ option: String) -> Bool {
        bytes.count == option.utf8.count
            && zip(bytes, option.utf8).allSatisfy { lowercased($0) == lowercased($1) }
    }

    private static func lowercased(_ byte: UInt8) -> UInt8 {
        (UInt8(ascii: "A")...UInt8(ascii: "Z")).contains(byte) ? byte + 32 : byte
    }

    /// Stores `value` under `key`, keeping the key's expiry, or deletes the key when `value` is
    /// an empty collection.
    func store(_ key: [UInt8], _ value: Value) {
        switch value {
        case .list(let items) where items.isEmpty: remove(key)
        case .hash(let hash) where hash.isEmpty: remove(key)
        case .set(let members) where members.isEmpty: remove(key)
        case .sortedSet(let members) where members.isEmpty: remove(key)
        default: keys[key] = value
        }
    }

    /// Deletes `key` and its expiry; whether it existed.
    @discardableResult
    func remove(_ key: [UInt8]) -> Bool {
        expiries[key] = nil
        return keys.removeValue(forKey: key) != nil
    }

    /// Replaces whatever `key` holds by `value`: a new key, without expiry unless `expiry` (ms,
    /// real clock) is given (SET; SET … KEEPTTL keeps the old one).
    func replace(_ key: [UInt8], with value: Value, expiry: Int64?, keepingExpiry: Bool = false) {
        keys[key] = value
        if !keepingExpiry { expiries[key] = expiry }
    }

    /// Drops the keys whose deadline has passed (Redis: expired when now > deadline).
    private func removeExpiredKeys() {
        guard !expiries.isEmpty else { return }
        let now = Self.milliseconds()
        for (key, deadline) in expiries where deadline < now {
            remove(key)
        }
    }

    /// Records a PUBLISH.
    func record(_ message: PublishedMessage) {
        published.append(message)
    }
}

/// A command or option the ``RedisModel`` does not implement: the test that used it fails.
package struct RedisModelLimitation: Error, Equatable, CustomStringConvertible {
    /// What is missing, in words.
    package let message: String

    /// Creates a limitation.
    package init(message: String) {
        self.message = message
    }

    /// The message.
    package var description: String { message }
}

/// One PUBLISH call: the channel and the message.
package struct PublishedMessage: Sendable, Hashable {
    /// The channel.
    package var channel: [UInt8]
    /// The message.
    package var message: [UInt8]

    /// Creates a record of one PUBLISH.
    package init(channel: [UInt8], message: [UInt8]) {
        self.channel = channel
        self.message = message
    }
}

/// A hash that remembers the order in which its fields were added, as Redis's small hashes do.
struct OrderedHash: Equatable {
    private(set) var fields: [[UInt8]] = []
    private var values: [[UInt8]: [UInt8]] = [:]

    var isEmpty: Bool { fields.isEmpty }
    var count: Int { fields.count }

    subscript(field: [UInt8]) -> [UInt8]? {
        get { values[field] }
        set {
            if let newValue {
                if values.updateValue(newValue, forKey: field) == nil { fields.append(field) }
            } else if values.removeValue(forKey: field) != nil {
                fields.removeAll { $0 == field }
            }
        }
    }
}
