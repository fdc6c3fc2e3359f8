import EventBrokerCore
import EventBrokerTestSupport
import Testing

/// Every key of `redis` with its serialized value (`DUMP`) and whether it expires, and the
/// server's count of changes since start: equal snapshots mean nothing was written in between.
struct KeyspaceSnapshot: Equatable {
    /// Key → `DUMP` bytes, then whether the key expires.
    let keys: [String: [UInt8]]
    /// INFO persistence's `rdb_changes_since_last_save`: every write raises it.
    let changes: Int
}

/// Takes a ``KeyspaceSnapshot`` of `redis`.
func keyspace(_ redis: TestRedis) async throws -> KeyspaceSnapshot {
    var keys: [String: [UInt8]] = [:]
    for key in try await redis.command("KEYS", "*").array?.compactMap(\.string) ?? [] {
        let dump = try #require(try await redis.command("DUMP", key).bytes)
        let ttl = try #require(try await redis.command("PTTL", key).integer)
        keys[key] = dump + [ttl >= 0 ? 1 : 0]
    }
    let info = try #require(try await redis.command("INFO", "persistence").string)
    let line = try #require(info.split(whereSeparator: \.isNewline).first { $0.hasPrefix("rdb_changes_since_last_save:") })
    let changes = try #require(Int(line.split(separator: ":")[1]))
    return KeyspaceSnapshot(keys: keys, changes: changes)
}
