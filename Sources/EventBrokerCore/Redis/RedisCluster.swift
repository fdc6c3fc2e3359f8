import Logging
import Synchronization

/// A client of a Redis Cluster: sends each command to the master serving the hash slot of the
/// key it names, over one pipelined ``RedisConnection`` per master.
///
/// The slot map comes from `CLUSTER SLOTS`, asked of the seeds first and then of any known
/// master. A `MOVED` reply updates the map for its slot, asks for a fresh map in the
/// background, and sends again; an `ASK` reply sends that one command to the importing node
/// behind `ASKING`; `TRYAGAIN` and `CLUSTERDOWN` send again after a growing pause, for as long
/// as the connect timeout, as for a server that cannot be reached yet. A node that
/// cannot be reached makes the next command ask for a fresh map first (a failover moves its
/// slots to a replica), and the error goes to the caller, who cannot know whether the command ran.
package final class RedisCluster: Sendable {
    /// Where the client starts.
    package let seeds: RedisClusterSeeds
    /// How many redirections (`MOVED`, `ASK`) one command may follow before it fails.
    package static let maximumRedirections = 8

    private let clientName: String?
    private let options: RedisConnectionOptions
    private let logger: Logger
    private let onReconnect: (@Sendable () -> Void)?
    private let state = Mutex(State())

    private struct State {
        var map = ClusterSlotMap()
        /// Whether the map must be asked for again before the next command.
        var isStale = true
        /// The refresh on its way, which later callers wait for instead of starting another.
        var refresh: Task<ClusterSlotMap, any Error>?
        var connections: [RedisEndpoint: RedisConnection] = [:]
        var closed = false
    }

    /// A client of the cluster that `seeds` lead to; nothing is connected until the first command.
    /// The connections to the masters get `clientName`, `options` and `onReconnect`, as a
    /// ``RedisConnection`` would.
    package init(
        seeds: RedisClusterSeeds, clientName: String? = nil, options: RedisConnectionOptions = RedisConnectionOptions(),
        logger: Logger = Logger(label: "RedisEventBroker.Redis"), onReconnect: (@Sendable () -> Void)? = nil
    ) {
        self.seeds = seeds
        self.clientName = clientName
        self.options = options
        var logger = logger
        logger[metadataKey: "redis.cluster"] = "\(seeds)"
        self.logger = logger
        self.onReconnect = onReconnect
    }

    /// Reads the slot map now and sends PING to the master of the first slot, so a bad URL,
    /// password or cluster surfaces at start-up.
    package func connect() async throws {
        let connection = self.connection(to: try await master(of: 0))
        try await connection.connect()
    }

    /// Sends `arguments` to the master serving the slot of `key` and returns its reply, following
    /// redirections.
    package func send(_ arguments: [[UInt8]], key: String) async throws -> RedisReply {
        let slot = HashSlot.of(key)
        var askedNode: RedisEndpoint?
        var redirections = 0
        var backoff = ReconnectBackoff(options)
        let retryDeadline = ContinuousClock.now + options.connectTimeout
        while redirections < Self.maximumRedirections {
            let node: RedisEndpoint
            if let askedNode { node = askedNode } else { node = try await master(of: slot) }
            let connection = self.connection(to: node)
            do {
                if askedNode != nil { return try await connection.sendAsking(arguments) }
                return try await connection.send(arguments)
            } catch RedisError.server(let message) {
                guard let redirection = ClusterRedirection(errorMessage: message) else { throw RedisError.server(message: message) }
                askedNode = nil
                switch redirection {
                case .moved(let movedSlot, let host, let port):
                    redirections += 1
                    let target = endpoint(host: host, port: port, like: node)
                    state.withLock { state in
                        state.map.move(movedSlot, to: target)
                        state.isStale = true
                    }
                    logger.notice("A slot moved; asking for the slot map again", metadata: ["slot": "\(movedSlot)", "node": "\(target)"])
                case .ask(_, let host, let port):
                    redirections += 1
                    askedNode = endpoint(host: host, port: port, like: node)
                case .retryLater:
                    // A migration or a failover under way: wait for it as for a reconnect.
                    let delay = backoff.nextDelay()
                    guard ContinuousClock.now + delay < retryDeadline else { throw RedisError.server(message: message) }
                    try await Task.sleep(for: delay)
                }
            } catch let error as RedisError {
                if case .connectionFailed = error { markStale() }
                if case .connectionLost = error { markStale() }
                throw error
            }
        }
        throw RedisError.server(
            message: "CLUSTERREDIRECTS slot \(slot) was redirected \(Self.maximumRedirections) times; the cluster keeps moving it")
    }

    /// Sends a command given as strings (UTF-8 encoded); see ``send(_:key:)``.
    package func send(_ arguments: String..., key: String) async throws -> RedisReply {
        try await send(arguments.map { Array($0.utf8) }, key: key)
    }

    /// The master serving the slot of `key`, for a connection of the caller's own (a blocking
    /// wait, a subscription).
    package func master(forKey key: String) async throws -> RedisEndpoint {
        try await master(of: HashSlot.of(key))
    }

    /// The master serving the slot of `key` in a map read again now: for a connection of the
    /// caller's own that failed, maybe because the slot moved.
    package func currentMaster(forKey key: String) async throws -> RedisEndpoint {
        markStale()
        return try await master(forKey: key)
    }

    /// Closes every connection to the cluster; later commands throw ``RedisError/closed``.
    package func close() async {
        let (connections, refresh) = state.withLock { state in
            state.closed = true
            defer { state.connections = [:] }
            return (Array(state.connections.values), state.refresh)
        }
        refresh?.cancel()
        for connection in connections {
            await connection.close()
        }
    }

    // MARK: The slot map

    /// The master of `slot`, from a fresh map when the current one is stale or does not know it.
    private func master(of slot: Int) async throws -> RedisEndpoint {
        let known = try state.withLock { state throws(RedisError) -> RedisEndpoint? in
            if state.closed { throw .closed }
            return state.isStale ? nil : state.map.master(of: slot)
        }
        if let known { return known }
        let map = try await refreshedMap()
        guard let master = map.master(of: slot) else {
            throw RedisError.server(message: "CLUSTERDOWN no master serves slot \(slot) in the cluster's slot map")
        }
        return master
    }

    private func markStale() {
        state.withLock { $0.isStale = true }
    }

    /// A fresh slot map: the refresh on its way, or a new one.
    private func refreshedMap() async throws -> ClusterSlotMap {
        let refresh = state.withLock { state in
            if let refresh = state.refresh { return refresh }
            let candidates = Array(state.map.nodes) + seeds.endpoints.filter { !state.map.nodes.contains($0) }
            let refresh = Task { try await self.readMap(asking: candidates) }
            state.refresh = refresh
            return refresh
        }
        do {
            let map = try await refresh.value
            state.withLock { state in
                state.map = map
                state.isStale = false
                state.refresh = nil
            }
            return map
        } catch {
            state.withLock { $0.refresh = nil }
            throw error
        }
    }

    /// Asks `candidates` for `CLUSTER SLOTS` in turn and returns the first map one gives.
    private func readMap(asking candidates: [RedisEndpoint]) async throws -> ClusterSlotMap {
        var failures: [String] = []
        for candidate in candidates {
            do {
                let reply = try await connection(to: candidate).send("CLUSTER", "SLOTS")
                let fallbackHost: String =
                    switch candidate.address {
                    case .tcp(let host, _): host
                    case .unix: RedisEndpoint.defaultHost
                    }
                let map = try ClusterSlotMap(clusterSlots: reply, credentials: candidate, fallbackHost: fallbackHost)
                logger.debug("Read the cluster's slot map", metadata: ["from": "\(candidate)", "masters": "\(map.nodes.count)"])
                return map
            } catch let error as RedisError {
                if case .authenticationFailed = error { throw error }
                failures.append("\(candidate): \(error)")
            }
        }
        throw RedisError.connectionFailed(
            endpoint: "\(seeds)", reason: "no node answered CLUSTER SLOTS (\(failures.joined(separator: "; ")))")
    }

    // MARK: Connections

    /// The connection to `node`, made on first use.
    private func connection(to node: RedisEndpoint) -> RedisConnection {
        state.withLock { state in
            if let connection = state.connections[node] { return connection }
            let connection = RedisConnection(
                endpoint: node, clientName: clientName, options: options, logger: logger, onReconnect: onReconnect)
            state.connections[node] = connection
            return connection
        }
    }

    /// The node at `host`:`port`, logged into as `reference` is.
    private func endpoint(host: String, port: Int, like reference: RedisEndpoint) -> RedisEndpoint {
        var endpoint = reference
        endpoint.address = .tcp(host: host, port: port)
        return endpoint
    }
}
