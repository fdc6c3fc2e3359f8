import EventBrokerCore
import Foundation
import RedisServerProcess

/// Making a throwaway Redis Cluster on loopback: cluster-enabled nodes, `redis-cli --cluster
/// create`, and the wait until every node serves it. ``TestCluster`` and the cluster topology of
/// ``TestRedis`` both make theirs this way.
enum ClusterNodes {
    /// Why a cluster could not be made.
    struct SetupError: Error, CustomStringConvertible {
        let description: String
    }

    /// Starts `masters` × (1 + `replicasPerMaster`) nodes, each with `options` plus the cluster
    /// settings, and joins them into one cluster, masters first; the nodes are stopped again
    /// when that fails. `password` is the default user's, when `options` set one.
    static func start(
        masters: Int, replicasPerMaster: Int, options: RedisServerProcess.Options = .init(), password: String? = nil
    ) async throws -> [RedisServerProcess] {
        var nodes: [RedisServerProcess] = []
        do {
            for _ in 0..<masters * (1 + replicasPerMaster) {
                nodes.append(try await startNode(options))
            }
            try await create(nodes, replicasPerMaster: replicasPerMaster, password: password)
            try await waitUntilReady(nodes, password: password)
        } catch {
            await RedisServerProcess.stopAll(nodes)
            throw error
        }
        return nodes
    }

    /// Sends one command to `node` on a connection of its own, logged in with `password`.
    static func command(on node: RedisServerProcess, password: String? = nil, _ arguments: [String]) async throws
        -> RedisReply
    {
        var endpoint = try RedisEndpoint(url: node.url)
        endpoint.password = password
        let connection = RedisConnection(endpoint: endpoint, clientName: "test-admin")
        let reply: Result<RedisReply, any Error>
        do {
            reply = .success(try await connection.send(arguments.map { Array($0.utf8) }))
        } catch {
            reply = .failure(error)
        }
        await connection.close()
        return try reply.get()
    }

    /// The master among `nodes` that serves the hash slot of `key`.
    static func master(forKey key: String, among nodes: [RedisServerProcess], password: String? = nil) async throws
        -> RedisServerProcess
    {
        let slot = HashSlot.of(key)
        for node in nodes {
            let reply = try await command(on: node, password: password, ["CLUSTER", "NODES"]).string ?? ""
            guard let mine = reply.split(separator: "\n").first(where: { $0.contains("myself") }) else { continue }
            let fields = mine.split(separator: " ")
            guard fields.count > 2, fields[2].contains("master") else { continue }
            for range in fields.dropFirst(8) where !range.hasPrefix("[") {
                let bounds = range.split(separator: "-").compactMap { Int($0) }
                if let low = bounds.first, (low...(bounds.last ?? low)).contains(slot) { return node }
            }
        }
        throw SetupError(description: "no node of the cluster serves slot \(slot) of \(key)")
    }

    /// A cluster-enabled redis-server on two loopback ports (clients and the cluster bus). A port
    /// found free can be taken by another test's server before this one binds it: then it
    /// starts again on other ports, up to three times.
    private static func startNode(_ options: RedisServerProcess.Options) async throws -> RedisServerProcess {
        var attempt = 1
        while true {
            var options = options
            options.listenOnLoopbackPort = true
            options.extraArguments += [
                "--cluster-enabled", "yes", "--cluster-config-file", "nodes.conf",
                "--cluster-port", String(try RedisServerProcess.freeLoopbackPort()), "--cluster-node-timeout", "1000",
                // Replicas copy their master at once instead of 5 s later.
                "--repl-diskless-sync-delay", "0",
            ]
            do {
                return try await RedisServerProcess.start(options)
            } catch RedisServerProcess.StartError.notReady(let log) where attempt < 3 && log.contains("Address already in use") {
                attempt += 1
            }
        }
    }

    /// `redis-cli --cluster create`, waited for without blocking a thread of the cooperative
    /// pool (it takes a second or two, and clusters start in parallel).
    private static func create(_ nodes: [RedisServerProcess], replicasPerMaster: Int, password: String?) async throws {
        let login = password.map { ["-a", $0, "--no-auth-warning"] } ?? []
        let output = try await runProcess(
            URL(fileURLWithPath: "/usr/bin/env"),
            ["redis-cli"] + login + ["--cluster", "create"] + nodes.compactMap { $0.port.map { "127.0.0.1:\($0)" } }
                + ["--cluster-replicas", String(replicasPerMaster), "--cluster-yes"])
        guard output.status == 0 else {
            throw SetupError(
                description: "redis-cli --cluster create failed: \((output.standardOutput + output.standardError).suffix(2000))")
        }
    }

    /// Waits until every node reports the cluster up with every node known, and every replica
    /// has copied its master (before that, a replica cannot take over a failed master).
    private static func waitUntilReady(_ nodes: [RedisServerProcess], password: String?) async throws {
        try await eventually("the cluster is up on every node and every replica in sync", timeout: .seconds(30)) {
            for node in nodes {
                let info = try await command(on: node, password: password, ["CLUSTER", "INFO"]).string ?? ""
                guard info.contains("cluster_state:ok"), info.contains("cluster_known_nodes:\(nodes.count)") else {
                    return false
                }
                let replication = try await command(on: node, password: password, ["INFO", "replication"]).string ?? ""
                if replication.contains("role:slave"), !replication.contains("master_link_status:up") { return false }
            }
            return true
        }
    }
}
