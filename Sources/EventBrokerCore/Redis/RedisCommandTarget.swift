import Logging

/// Where a broker's commands go: one server over one pipelined connection, or the masters of a
/// Redis Cluster, each command to the one serving its key's slot.
package enum RedisCommandTarget: Sendable, CustomStringConvertible {
    /// One server.
    case server(RedisConnection)
    /// A cluster.
    case cluster(RedisCluster)

    /// The target a `redis://`, `unix://` or `redis-cluster://` URL names; nothing is connected yet.
    package init(
        url: String, clientName: String?, options: RedisConnectionOptions, logger: Logger,
        onReconnect: (@Sendable () -> Void)?
    ) throws(RedisError) {
        if RedisClusterSeeds.isClusterURL(url) {
            self = .cluster(
                RedisCluster(
                    seeds: try RedisClusterSeeds(url: url), clientName: clientName, options: options, logger: logger,
                    onReconnect: onReconnect))
        } else {
            self = .server(
                RedisConnection(
                    endpoint: try RedisEndpoint(url: url), clientName: clientName, options: options, logger: logger,
                    onReconnect: onReconnect))
        }
    }

    /// Connects now and sends PING, so a bad URL, password or cluster surfaces at once.
    package func connect() async throws {
        switch self {
        case .server(let connection): try await connection.connect()
        case .cluster(let cluster): try await cluster.connect()
        }
    }

    /// Sends a command that names `key` (in a cluster, to the master of its slot; `nil`: a
    /// command that names no key, sent to the master of slot 0) and returns its reply.
    package func send(_ arguments: [[UInt8]], key: String?) async throws -> RedisReply {
        switch self {
        case .server(let connection): try await connection.send(arguments)
        case .cluster(let cluster): try await cluster.send(arguments, key: key ?? "")
        }
    }

    /// Sends a command given as strings (UTF-8 encoded); see ``send(_:key:)``.
    package func send(_ arguments: String..., key: String?) async throws -> RedisReply {
        try await send(arguments.map { Array($0.utf8) }, key: key)
    }

    /// The server that holds `key`, for connections of their own (blocking waits,
    /// subscriptions): the server itself, or the master serving the key's slot now.
    package func endpoint(forKey key: String) async throws -> RedisEndpoint {
        switch self {
        case .server(let connection): connection.endpoint
        case .cluster(let cluster): try await cluster.master(forKey: key)
        }
    }

    /// The server's URL, or the cluster's seeds, without the password.
    package var description: String {
        switch self {
        case .server(let connection): connection.endpoint.description
        case .cluster(let cluster): cluster.seeds.description
        }
    }

    /// Closes every connection.
    package func close() async {
        switch self {
        case .server(let connection): await connection.close()
        case .cluster(let cluster): await cluster.close()
        }
    }
}
