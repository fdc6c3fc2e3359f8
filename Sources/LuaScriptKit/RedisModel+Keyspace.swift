#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The model's commands on keys of any type, and its server commands.
extension RedisModel {
    /// DEL key [key ...]
    func delete(_ arguments: [[UInt8]]) -> RedisValue {
        var removed: Int64 = 0
        for key in arguments.dropFirst() where remove(key) {
            removed += 1
        }
        return .integer(removed)
    }

    /// EXISTS key [key ...]: a key named twice counts twice.
    func exists(_ arguments: [[UInt8]]) -> RedisValue {
        .integer(Int64(arguments.dropFirst().filter { keys[$0] != nil }.count))
    }

    /// TYPE key
    func type(_ arguments: [[UInt8]]) -> RedisValue {
        .status(keys[arguments[1]]?.typeName ?? "none")
    }

    /// PTTL key, TTL key: -2 for a missing key, -1 for a key without expiry, else the time left
    /// (TTL rounds to the nearest second, as Redis does).
    func timeToLive(_ arguments: [[UInt8]], inMilliseconds: Bool) -> RedisValue {
        guard keys[arguments[1]] != nil else { return .integer(-2) }
        guard let deadline = expiries[arguments[1]] else { return .integer(-1) }
        let left = max(deadline - Self.milliseconds(), 0)
        return .integer(inMilliseconds ? left : (left + 500) / 1000)
    }

    /// KEYS pattern: the matching keys, sorted (Redis answers in no particular order).
    func keysMatching(_ arguments: [[UInt8]]) -> RedisValue {
        let pattern = GlobPattern(pattern: arguments[1])
        return .bulks(keys.keys.filter(pattern.matches).sorted { $0.lexicographicallyPrecedes($1) })
    }

    /// FLUSHALL [ASYNC|SYNC]
    func flushAll(_ arguments: [[UInt8]]) throws(CommandError) -> RedisValue {
        if arguments.count > 2 || (arguments.count == 2 && !Self.isOption(arguments[1], "ASYNC")
            && !Self.isOption(arguments[1], "SYNC"))
        {
            throw Self.syntaxError
        }
        removeAllKeys()
        return .status("OK")
    }

    /// TIME: the real clock, as seconds and microseconds.
    static func time() -> RedisValue {
        var now = timespec()
        clock_gettime(CLOCK_REALTIME, &now)
        return .array([.bulk(String(now.tv_sec)), .bulk(String(now.tv_nsec / 1000))])
    }

    /// The real clock in milliseconds, as Redis's `mstime()`.
    static func milliseconds() -> Int64 {
        var now = timespec()
        clock_gettime(CLOCK_REALTIME, &now)
        return Int64(now.tv_sec) * 1000 + Int64(now.tv_nsec / 1_000_000)
    }

    /// PUBLISH channel message: recorded; answers 1, the test runner's recorder being the one
    /// subscriber (the Redis backend's pattern subscription receives every message too).
    func publish(_ arguments: [[UInt8]]) -> RedisValue {
        record(PublishedMessage(channel: arguments[1], message: arguments[2]))
        return .integer(1)
    }
}
