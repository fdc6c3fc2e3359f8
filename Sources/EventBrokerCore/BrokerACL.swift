/// The least-privilege Redis ACL rules of the user a broker logs in as: the keys and pub/sub
/// channels of its key prefix, and only the commands the library and its scripts run.
///
/// ```swift
/// let rules = try BrokerACL.rules(keyPrefix: "shop")
/// // ACL SETUSER billing on >secret resetkeys ~{shop}:* resetchannels &{shop}:* -@all +asking +blpop ...
/// ```
///
/// A user with these rules cannot read, change or list the keys of another prefix, nor run
/// anything else (no `KEYS`, `SCAN`, `FLUSHALL`, `CONFIG`, `EVAL` of its own text). Every
/// service of the prefix needs them all: publishing writes into the subscribers' queues. The
/// standalone checker and the `event-broker` commands that work through the broker (`checker`,
/// `publish`, `tail`, `dead-letters`) run with them too; `inspect` lists keys with `SCAN` and
/// needs more. Redis 6.2 or later (channel rules).
public enum BrokerACL {
    /// The commands the library sends itself: PING, and SELECT and CLIENT SETNAME, to set up a
    /// connection; EVALSHA and SCRIPT LOAD (after `NOSCRIPT`) to run the scripts; BLPOP for the
    /// idle wait, and LPUSH and DEL of a consumer's stop list to end it at shutdown; SUBSCRIBE for ``RedisEventBroker/onNotification(_:)``; TYPE, the start-up check
    /// that the user may use the key prefix; SMEMBERS, the standalone checker's list of services;
    /// on a Redis Cluster, CLUSTER SLOTS for the slot map and ASKING to follow an `ASK` redirection;
    /// WAIT, after each publish with ``BrokerConfiguration/publishReplication``; with
    /// ``SlotPlacement/perService``, GET, SMEMBERS, SADD and SREM of the topic registry and the
    /// service's topics (the scripts run those too).
    static let clientCommands = [
        "ping", "select", "client|setname", "evalsha", "script|load", "blpop", "lpush", "del", "subscribe", "type",
        "smembers", "cluster|slots", "asking", "wait",
    ]

    /// The commands the scripts of `Scripts/` run, which Redis checks against the same rules.
    static let scriptCommands = [
        "time", "type", "get", "set", "del", "incr", "hget", "hmget", "hset", "hsetnx", "hdel", "hincrby", "hlen",
        "lpush", "rpush", "lpop", "rpop", "llen", "sadd", "srem", "sismember", "smembers", "zadd", "zrem", "zcard",
        "zscore", "zmscore", "zrange", "zrangebyscore", "zremrangebyscore", "zpopmin", "publish",
    ]

    /// The rules, for `ACL SETUSER <user> on ><password>` followed by them, or an ACL file's
    /// `user <user> on ><password>` line: the prefix's keys and channels (the rules reset any
    /// others first), then no command but those the broker runs, in alphabetical order.
    ///
    /// Throws ``BrokerError/invalidName(kind:value:reason:)`` for a prefix the broker refuses.
    public static func rules(keyPrefix: String = "reb") throws -> [String] {
        let patterns = try KeyLayout(prefix: keyPrefix).patterns
        let commands = Set(clientCommands + scriptCommands).sorted()
        return ["resetkeys"] + patterns.map { "~\($0)" } + ["resetchannels"] + patterns.map { "&\($0)" } + ["-@all"]
            + commands.map { "+\($0)" }
    }
}
