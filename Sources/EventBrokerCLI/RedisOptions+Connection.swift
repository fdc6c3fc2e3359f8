import EventBrokerCore
import Logging

extension RedisOptions {
    /// The server or cluster of the URL; nothing is connected yet.
    func commandTarget(clientName: String, logger: Logger) throws -> RedisCommandTarget {
        try RedisCommandTarget(url: url, clientName: clientName, options: .init(), logger: logger, onReconnect: nil)
    }

    /// A connection, not yet made, to the server of `commands` that holds the prefix's topic
    /// keys and registry: the URL's server, or on a Redis Cluster the master that serves the
    /// prefix's hash slot now, for commands that name no key, such as `SCAN` and `TIME`.
    func prefixServerConnection(of commands: RedisCommandTarget, clientName: String, logger: Logger) async throws
        -> RedisConnection
    {
        switch commands {
        case .server(let connection):
            return connection
        case .cluster(let cluster):
            let master = try await cluster.master(forKey: try KeyLayout(prefix: prefix).services)
            return RedisConnection(endpoint: master, clientName: clientName, logger: logger)
        }
    }
}
