import EventBrokerCore
import Foundation
import Logging
import RedisEventBroker
import RedisServerProcess

/// A throwaway Redis Cluster for one test: three masters and a replica of each, on loopback
/// ports, made with `redis-cli --cluster create`; brokers on it that the fixture shuts down at
/// the end, and the nodes stopped.
///
/// ```swift
/// try await TestCluster.with { cluster in
///     let broker = try await cluster.broker("billing")
/// }
/// ```
package final class TestCluster: Sendable {
    /// The nodes, masters first as `redis-cli` made them (it may pair them differently after a failover).
    package let nodes: [RedisServerProcess]
    private let brokers = OwnedBrokers()

    /// The cluster's URL, with every node as a seed.
    package var url: String {
        "redis-cluster://" + nodes.compactMap { $0.port.map { "127.0.0.1:\($0)" } }.joined(separator: ",")
    }

    private init(nodes: [RedisServerProcess]) {
        self.nodes = nodes
    }

    /// Runs `body` with a fresh cluster, then shuts down every broker it made and stops the nodes.
    package static func with(_ body: (TestCluster) async throws -> Void) async throws {
        let cluster = TestCluster(nodes: try await ClusterNodes.start(masters: 3, replicasPerMaster: 1))
        do {
            try await body(cluster)
        } catch {
            await cluster.tearDown()
            throw error
        }
        await cluster.tearDown()
    }

    private func tearDown() async {
        await brokers.shutDownAll()
        await RedisServerProcess.stopAll(nodes)
    }

    /// A configuration for `service` on the cluster, like ``TestRedis``'s: polling every half
    /// second when idle so that tests wait less.
    package func configuration(_ service: String) -> BrokerConfiguration {
        var configuration = BrokerConfiguration(serviceName: service, redisURL: url, environment: [:])
        configuration.idlePollInterval = .milliseconds(500)
        return configuration
    }

    /// A new broker instance of `service` on the cluster; the fixture shuts it down at the end of the test.
    package func broker(_ service: String, configure: (inout BrokerConfiguration) -> Void = { _ in }) async throws
        -> RedisEventBroker
    {
        try await brokers.make(configuration(service), configure: configure)
    }

    /// Sends one command to `node` on a connection of its own.
    @discardableResult
    package func command(on node: RedisServerProcess, _ arguments: String...) async throws -> RedisReply {
        try await ClusterNodes.command(on: node, arguments)
    }

    /// The node whose TCP port is `port`.
    package func node(port: Int) -> RedisServerProcess? {
        nodes.first { $0.port == port }
    }
}
