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

    /// Why the cluster could not be made.
    package struct SetupError: Error, CustomStringConvertible {
        package let description: String
    }

    /// Runs `body` with a fresh cluster, then shuts down every broker it made and stops the nodes.
    package static func with(_ body: (TestCluster) async throws -> Void) async throws {
        var nodes: [RedisServerProcess] = []
        do {
            for _ in 0..<6 {
                nodes.append(try await startNode())
            }
            try await create(nodes)
        } catch {
            nodes.forEach { $0.stop() }
            throw error
        }
        let cluster = TestCluster(nodes: nodes)
        do {
            try await cluster.waitUntilReady()
            try await body(cluster)
        } catch {
            await cluster.tearDown()
            throw error
        }
        await cluster.tearDown()
    }

    /// A cluster-enabled redis-server on two loopback ports (clients and the cluster bus). A port
    /// found free can be taken by another test's server before this one binds it: then it
    /// starts again on other ports, up to three times.
    private static func startNode() async throws -> RedisServerProcess {
        var attempt = 1
        while true {
            let busPort = try RedisServerProcess.freeLoopbackPort()
            do {
                return try await RedisServerProcess.start(
                    .init(
                        listenOnLoopbackPort: true,
                        extraArguments: [
                            "--cluster-enabled", "yes", "--cluster-config-file", "nodes.conf",
                            "--cluster-port", String(busPort), "--cluster-node-timeout", "1000",
                            // Replicas copy their master at once instead of 5 s later.
                            "--repl-diskless-sync-delay", "0",
                        ]))
            } catch RedisServerProcess.StartError.notReady(let log) where attempt < 3 && log.contains("Address already in use") {
                attempt += 1
            }
        }
    }

    /// `redis-cli --cluster create` with one replica per master, waited for without blocking a
    /// thread of the cooperative pool (it takes a second or two, and clusters start in parallel).
    private static func create(_ nodes: [RedisServerProcess]) async throws {
        let output = try await runProcess(
            URL(fileURLWithPath: "/usr/bin/env"),
            ["redis-cli", "--cluster", "create"] + nodes.compactMap { $0.port.map { "127.0.0.1:\($0)" } }
                + ["--cluster-replicas", "1", "--cluster-yes"])
        guard output.status == 0 else {
            throw SetupError(
                description: "redis-cli --cluster create failed: \((output.standardOutput + output.standardError).suffix(2000))")
        }
    }

    /// Waits until every node reports the cluster up with all six nodes known, and every
    /// replica has copied its master (before that, a replica cannot take over a failed master).
    private func waitUntilReady() async throws {
        try await eventually("the cluster is up on every node and every replica in sync", timeout: .seconds(30)) {
            for node in nodes {
                let info = try await self.command(on: node, "CLUSTER", "INFO").string ?? ""
                guard info.contains("cluster_state:ok"), info.contains("cluster_known_nodes:6") else { return false }
                let replication = try await self.command(on: node, "INFO", "replication").string ?? ""
                if replication.contains("role:slave"), !replication.contains("master_link_status:up") { return false }
            }
            return true
        }
    }

    private func tearDown() async {
        await brokers.shutDownAll()
        nodes.forEach { $0.stop() }
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
        let connection = RedisConnection(endpoint: try RedisEndpoint(url: node.url), clientName: "test-admin")
        let reply: Result<RedisReply, any Error>
        do {
            reply = .success(try await connection.send(arguments.map { Array($0.utf8) }))
        } catch {
            reply = .failure(error)
        }
        await connection.close()
        return try reply.get()
    }

    /// The node whose TCP port is `port`.
    package func node(port: Int) -> RedisServerProcess? {
        nodes.first { $0.port == port }
    }
}
