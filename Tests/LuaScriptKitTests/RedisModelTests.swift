import Testing

@testable import LuaScriptKit

/// The model's Redis semantics where they are easy to get wrong. Every reply here was checked
/// against redis-server 7.0; `ModelFidelityTests` (EventBrokerCLITests) asks a real server the
/// same questions on every run.
@Suite struct RedisModelTests {
    private let redis = RedisModel()

    @discardableResult
    private func send(_ words: String...) throws -> RedisValue {
        try redis.execute(words.map { Array($0.utf8) })
    }

    private func exists(_ key: String) throws -> Bool {
        try send("EXISTS", key) == .integer(1)
    }

    @Test func emptiedCollectionsVanish() throws {
        try send("RPUSH", "list", "a")
        try send("LPOP", "list")
        try send("HSET", "hash", "f", "v")
        try send("HDEL", "hash", "f")
        try send("SADD", "set", "m")
        try send("SREM", "set", "m")
        try send("ZADD", "zset", "1", "m")
        try send("ZPOPMIN", "zset")
        try send("RPUSH", "trimmed", "a", "b")
        try send("LTRIM", "trimmed", "5", "10")
        try send("RPUSH", "removed", "x", "x")
        try send("LREM", "removed", "0", "x")
        #expect(try send("KEYS", "*") == .array([]))
        #expect(try send("TYPE", "list") == .status("none"))
    }

    @Test func wrongTypeIsAnErrorReplyAndWritesNothing() throws {
        try send("SET", "text", "abc")
        let wrongType = RedisValue.error("WRONGTYPE Operation against a key holding the wrong kind of value")
        #expect(try send("LPUSH", "text", "x") == wrongType)
        #expect(try send("HSET", "text", "f", "v") == wrongType)
        #expect(try send("ZRANGEBYSCORE", "text", "-inf", "+inf") == wrongType)
        #expect(try send("GET", "text") == .bulk("abc"))
        try send("RPUSH", "list", "a")
        #expect(try send("GET", "list") == wrongType)
        #expect(try send("SET", "list", "now a string") == .status("OK"), "SET replaces any type")
    }

    @Test func argumentsAreCheckedBeforeTheKeyExceptWhereRedisLooksFirst() throws {
        try send("SET", "text", "abc")
        #expect(try send("LRANGE", "text", "a", "b") == .error("ERR value is not an integer or out of range"))
        #expect(try send("LINDEX", "missing", "x") == .null, "LINDEX looks the key up first")
        #expect(try send("LPOP", "missing", "-1") == .error("ERR value is out of range, must be positive"))
        #expect(try send("LPOP", "missing", "0") == .null)
    }

    @Test func wrongArgumentCountsNameTheCommand() throws {
        #expect(try send("GET") == .error("ERR wrong number of arguments for 'get' command"))
        #expect(try send("hset", "h", "f", "v", "g") == .error("ERR wrong number of arguments for 'hset' command"))
        #expect(try send("ZADD", "z", "1") == .error("ERR wrong number of arguments for 'zadd' command"))
    }

    @Test func integersAreReadLikeRedisReadsThem() throws {
        for text in ["01", "+1", " 1", "1.0", "", "-0", "9223372036854775808"] {
            try send("SET", "n", text)
            #expect(try send("INCR", "n") == .error("ERR value is not an integer or out of range"), "\(text)")
        }
        try send("SET", "n", "-9223372036854775808")
        #expect(try send("INCRBY", "n", "-1") == .error("ERR increment or decrement would overflow"))
        try send("HSET", "h", "f", "x")
        #expect(try send("HINCRBY", "h", "f", "1") == .error("ERR hash value is not an integer"))
        #expect(try send("HINCRBY", "h", "g", "5") == .integer(5))
    }

    @Test func scoreRangesHonourInfinityExclusionAndLimit() throws {
        try send("ZADD", "z", "1", "a", "2", "b", "2", "c", "3", "d", "-inf", "low")
        func range(_ words: String...) throws -> [String] {
            guard case .array(let items) = try redis.execute(["ZRANGEBYSCORE", "z"].map { Array($0.utf8) } + words.map { Array($0.utf8) })
            else { return ["(not an array)"] }
            return items.map { if case .bulk(let bytes) = $0 { String(decoding: bytes, as: UTF8.self) } else { "\($0)" } }
        }
        #expect(try range("-inf", "+inf") == ["low", "a", "b", "c", "d"])
        #expect(try range("(1", "2") == ["b", "c"])
        #expect(try range("1", "(2") == ["a"])
        #expect(try range("(2", "(2") == [])
        #expect(try range("2", "1") == [])
        #expect(try range("-inf", "+inf", "LIMIT", "1", "2") == ["a", "b"])
        #expect(try range("-inf", "+inf", "LIMIT", "0", "0") == [])
        #expect(try range("-inf", "+inf", "LIMIT", "3", "-1") == ["c", "d"])
        #expect(try range("-inf", "+inf", "LIMIT", "-1", "2") == [], "a negative offset skips everything")
        #expect(try range("0", "2", "WITHSCORES", "LIMIT", "0", "2") == ["a", "1", "b", "2"])
        #expect(try range("-inf", "inf", "WITHSCORES") == ["low", "-inf", "a", "1", "b", "2", "c", "2", "d", "3"])
        #expect(try send("ZRANGEBYSCORE", "z", "x", "1") == .error("ERR min or max is not a float"))
        #expect(try send("ZRANGEBYSCORE", "z", "0", "1", "LIMIT", "0") == .error("ERR syntax error"))
        #expect(try send("ZRANGE", "z", "0", "1", "LIMIT", "0", "1") == .error(
            "ERR syntax error, LIMIT is only supported in combination with either BYSCORE or BYLEX"))
    }

    @Test func scoresAreRepliedWithSeventeenDigits() throws {
        try send("ZADD", "z", "1.1", "a", "1700000000000", "b", "inf", "c")
        #expect(try send("ZSCORE", "z", "a") == .bulk("1.1000000000000001"))
        #expect(try send("ZSCORE", "z", "b") == .bulk("1700000000000"))
        #expect(try send("ZSCORE", "z", "c") == .bulk("inf"))
        #expect(try send("ZADD", "z", "nan", "d") == .error("ERR value is not a valid float"))
    }

    @Test func zaddFlags() throws {
        #expect(try send("ZADD", "z", "XX", "1", "a") == .integer(0))
        #expect(try exists("z") == false, "XX on a missing key creates nothing")
        #expect(try send("ZADD", "z", "1", "a", "2", "b") == .integer(2))
        #expect(try send("ZADD", "z", "CH", "5", "a", "2", "b", "3", "c") == .integer(2))
        #expect(try send("ZADD", "z", "GT", "4", "a") == .integer(0))
        #expect(try send("ZSCORE", "z", "a") == .bulk("5"))
        #expect(try send("ZADD", "z", "INCR", "2", "a") == .bulk("7"))
        #expect(try send("ZADD", "z", "NX", "XX", "1", "a") == .error("ERR XX and NX options at the same time are not compatible"))
        #expect(try send("ZADD", "z", "1", "a", "2") == .error("ERR syntax error"))
    }

    @Test func listsPushPopAndRangeFromBothEnds() throws {
        #expect(try send("LPUSH", "l", "a", "b", "c") == .integer(3))
        #expect(try send("RPUSH", "l", "z") == .integer(4))
        #expect(try send("LRANGE", "l", "0", "-1") == .bulks(["c", "b", "a", "z"].map { Array($0.utf8) }))
        #expect(try send("LRANGE", "l", "-2", "100") == .bulks([Array("a".utf8), Array("z".utf8)]))
        #expect(try send("RPOP", "l", "2") == .bulks([Array("z".utf8), Array("a".utf8)]))
        #expect(try send("LINDEX", "l", "-1") == .bulk("b"))
        try send("RPUSH", "l", "x", "y", "x")
        #expect(try send("LREM", "l", "-1", "x") == .integer(1))
        #expect(try send("LRANGE", "l", "0", "-1") == .bulks(["c", "b", "x", "y"].map { Array($0.utf8) }))
    }

    @Test func hashesKeepInsertionOrder() throws {
        try send("HSET", "h", "z", "1", "a", "2")
        try send("HSET", "h", "m", "3", "z", "4")
        #expect(try send("HKEYS", "h") == .bulks(["z", "a", "m"].map { Array($0.utf8) }))
        #expect(try send("HSETNX", "h", "a", "9") == .integer(0))
        #expect(try send("HGET", "h", "z") == .bulk("4"))
    }

    @Test func keysMatchGlobsLikeRedis() throws {
        for key in ["{reb}:v1:s:billing:wake", "{reb}:v1:s:billing:events", "{reb}:v1:t:orders:version", "a*b", "ab"] {
            try send("SET", key, "x")
        }
        #expect(try send("KEYS", "{reb}:v1:s:billing:*") == .bulks(
            ["{reb}:v1:s:billing:events", "{reb}:v1:s:billing:wake"].map { Array($0.utf8) }))
        #expect(try send("KEYS", "{reb}:v1:?:*:[vw]*") == .bulks(
            ["{reb}:v1:s:billing:wake", "{reb}:v1:t:orders:version"].map { Array($0.utf8) }))
        #expect(try send("KEYS", "a\\*b") == .bulks([Array("a*b".utf8)]))
        #expect(try send("KEYS", "[^a]*") == .bulks(
            ["{reb}:v1:s:billing:events", "{reb}:v1:s:billing:wake", "{reb}:v1:t:orders:version"].map { Array($0.utf8) }))
    }

    @Test func smembersListsIntegersInNumericOrder() throws {
        try send("SADD", "s", "10", "9", "-1")
        #expect(try send("SMEMBERS", "s") == .bulks(["-1", "9", "10"].map { Array($0.utf8) }))
    }

    @Test func publishIsRecorded() throws {
        #expect(try send("PUBLISH", "news", "hello") == .integer(1))
        #expect(redis.published == [PublishedMessage(channel: Array("news".utf8), message: Array("hello".utf8))])
        try send("FLUSHALL")
        #expect(redis.published.count == 1, "FLUSHALL empties the keyspace, not the record")
    }

    @Test func hmgetAnswersEveryFieldInOrder() throws {
        try send("HSET", "h", "a", "1", "b", "2")
        #expect(try send("HMGET", "h", "b", "nope", "a", "b") == .array([.bulk("2"), .null, .bulk("1"), .bulk("2")]))
        #expect(try send("HMGET", "missing", "a", "b") == .array([.null, .null]))
        try send("SET", "text", "abc")
        #expect(try send("HMGET", "text", "a") == .error("WRONGTYPE Operation against a key holding the wrong kind of value"))
        #expect(try send("HMGET", "h") == .error("ERR wrong number of arguments for 'hmget' command"))
    }

    @Test func setWithAnExpiryStoresTheKeyUntilItsDeadline() async throws {
        #expect(try send("SET", "guard", "1", "NX", "PX", "60000") == .status("OK"))
        #expect(try send("SET", "guard", "2", "NX", "PX", "60000") == .null, "NX: the guard is held")
        #expect(try send("GET", "guard") == .bulk("1"))
        #expect(try send("SET", "short", "1", "PX", "1") == .status("OK"))
        #expect(try send("SET", "seconds", "1", "ex", "60") == .status("OK"))
        #expect(try send("SET", "cleared", "1", "PX", "1") == .status("OK"))
        #expect(try send("SET", "cleared", "2") == .status("OK"), "a plain SET removes the expiry")
        #expect(try send("SET", "kept", "1", "PX", "1") == .status("OK"))
        #expect(try send("SET", "kept", "2", "KEEPTTL") == .status("OK"), "KEEPTTL keeps it")
        #expect(try send("SET", "counted", "1", "PX", "1") == .status("OK"))
        #expect(try send("INCR", "counted") == .integer(2), "INCR keeps it")
        #expect(try send("SET", "deleted", "1", "PX", "1") == .status("OK"))
        try send("DEL", "deleted")
        #expect(try send("SET", "deleted", "2") == .status("OK"), "a key created again has no expiry")
        guard case .integer(let left) = try send("PTTL", "guard") else { Issue.record("PTTL answers an integer"); return }
        #expect((59_000...60_000).contains(left))
        #expect(try [RedisValue.integer(59), .integer(60)].contains(send("TTL", "seconds")), "rounded to seconds")
        #expect(try send("PTTL", "cleared") == .integer(-1))
        #expect(try send("PTTL", "missing") == .integer(-2))
        try await Task.sleep(for: .milliseconds(20))
        #expect(try send("KEYS", "*") == .bulks(["cleared", "deleted", "guard", "seconds"].map { Array($0.utf8) }))
        #expect(try send("SET", "short", "3", "NX", "PX", "60000") == .status("OK"), "an expired guard can be taken again")
        try send("FLUSHALL")
        try send("SET", "guard", "1")
        try await Task.sleep(for: .milliseconds(20))
        #expect(try send("GET", "guard") == .bulk("1"), "FLUSHALL forgets the expiries with the keys")
    }

    @Test func setRefusesBadExpiriesLikeRedis() throws {
        let invalid = RedisValue.error("ERR invalid expire time in 'set' command")
        #expect(try send("SET", "k", "v", "PX", "0") == invalid)
        #expect(try send("SET", "k", "v", "PX", "-5") == invalid)
        #expect(try send("SET", "k", "v", "EX", "9223372036854776") == invalid, "seconds times 1000 overflow")
        #expect(try send("SET", "k", "v", "PX", "9223372036854775807") == invalid, "now + ms overflows")
        #expect(try send("SET", "k", "v", "PX", "1.5") == .error("ERR value is not an integer or out of range"))
        #expect(try send("SET", "k", "v", "PX") == .error("ERR syntax error"))
        #expect(try send("SET", "k", "v", "EX", "1", "PX", "1") == .error("ERR syntax error"))
        #expect(try send("SET", "k", "v", "KEEPTTL", "PX", "1") == .error("ERR syntax error"))
        #expect(try send("SET", "k", "v", "PX", "1", "KEEPTTL") == .error("ERR syntax error"))
        #expect(try exists("k") == false, "a refused SET writes nothing")
        #expect(try send("SET", "k", "v", "PX", "0", "NX") == invalid, "the expiry is checked before NX")
        #expect(try send("SET", "k", "v", "PX", "5", "PX", "60000") == .status("OK"), "the last of a repeated PX counts")
    }

    @Test func whatTheModelLacksIsALimitationNotAWrongAnswer() {
        #expect(throws: RedisModelLimitation(message: "the Redis model does not implement the command 'EXPIRE'")) {
            try send("EXPIRE", "k", "10")
        }
        #expect(throws: RedisModelLimitation(message: "the Redis model does not support SET's EXAT and PXAT options")) {
            try send("SET", "k", "v", "PXAT", "10")
        }
    }
}
