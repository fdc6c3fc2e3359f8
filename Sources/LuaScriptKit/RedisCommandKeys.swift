/// Which arguments of a Redis command are keys: what the linter checks against `KEYS` and what
/// the embedded Redis model refuses when a script touches an undeclared key.
package enum RedisCommandKeys {
    /// The 0-based positions, among the arguments after the command name, that are keys; `nil`
    /// for a command this table does not know.
    package static func keyPositions(of command: String, argumentCount: Int) -> [Int]? {
        let name = command.uppercased()
        if noKeys.contains(name) { return [] }
        if firstArgument.contains(name) { return argumentCount > 0 ? [0] : [] }
        if firstTwoArguments.contains(name) { return Array(0..<min(2, argumentCount)) }
        if allArguments.contains(name) { return Array(0..<argumentCount) }
        switch name {
        case "MSET", "MSETNX":
            return Array(stride(from: 0, to: argumentCount, by: 2))
        default:
            return nil
        }
    }

    /// Commands a script may call that take no key.
    static let noKeys: Set<String> = ["TIME", "PUBLISH", "SPUBLISH", "PING", "ECHO"]

    /// Commands whose only key is their first argument.
    static let firstArgument: Set<String> = [
        "GET", "SET", "SETNX", "SETEX", "PSETEX", "GETSET", "GETDEL", "GETEX", "INCR", "INCRBY", "INCRBYFLOAT",
        "DECR", "DECRBY", "APPEND", "STRLEN", "SETRANGE", "GETRANGE", "TYPE", "EXPIRE", "PEXPIRE", "EXPIREAT",
        "PEXPIREAT", "TTL", "PTTL", "PERSIST", "HSET", "HSETNX", "HGET", "HDEL", "HINCRBY", "HINCRBYFLOAT", "HLEN",
        "HGETALL", "HKEYS", "HVALS", "HEXISTS", "HMGET", "HMSET", "HSTRLEN", "HRANDFIELD", "LPUSH", "RPUSH",
        "LPUSHX", "RPUSHX", "LPOP", "RPOP", "LLEN", "LRANGE", "LTRIM", "LINDEX", "LSET", "LREM", "LINSERT", "LPOS",
        "SADD", "SREM", "SMEMBERS", "SCARD", "SISMEMBER", "SMISMEMBER", "SPOP", "SRANDMEMBER", "ZADD", "ZREM",
        "ZCARD", "ZSCORE", "ZMSCORE", "ZINCRBY", "ZRANGE", "ZRANGEBYSCORE", "ZREVRANGE", "ZREVRANGEBYSCORE",
        "ZRANK", "ZREVRANK", "ZCOUNT", "ZREMRANGEBYSCORE", "ZREMRANGEBYRANK", "ZPOPMIN", "ZPOPMAX",
        "ZRANDMEMBER", "XADD", "XLEN", "XRANGE", "XREVRANGE", "XDEL", "XTRIM", "BITCOUNT", "SETBIT", "GETBIT",
        "PFADD", "PFCOUNT",
    ]

    /// Commands whose first two arguments are keys.
    static let firstTwoArguments: Set<String> = ["RPOPLPUSH", "LMOVE", "SMOVE", "RENAME", "RENAMENX", "COPY"]

    /// Commands whose every argument is a key.
    static let allArguments: Set<String> = [
        "DEL", "UNLINK", "EXISTS", "MGET", "TOUCH", "SINTER", "SUNION", "SDIFF", "SINTERSTORE", "SUNIONSTORE",
        "SDIFFSTORE",
    ]
}
