import EventBrokerCore
import Logging

extension RedisOptions {
    /// A connection, not yet made, to the server that holds every key of the prefix: the URL's
    /// server, or on a Redis Cluster the master that serves the prefix's hash slot now (key
    /// layout version 1 keeps all of a prefix's keys in one slot), for commands that name no
    /// key, such as `SCAN`.
    func prefixServerConnection(clientName: String, logger: Logger) async throws -> RedisConnection {
        switch try RedisCommandTarget(url: url, clientName: clientName, options: .init(), logger: logger, onReconnect: nil) {
        case .server(let connection):
            return connection
        case .cluster(let cluster):
            let master: Result<RedisEndpoint, any Error>
            do {
                master = .success(try await cluster.master(forKey: try KeyLayout(prefix: prefix).services))
            } catch {
                master = .failure(error)
            }
            await cluster.close()
            return RedisConnection(endpoint: try master.get(), clientName: clientName, logger: logger)
        }
    }
}
