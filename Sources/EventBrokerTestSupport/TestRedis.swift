import EventBrokerCore
import Foundation
import Logging
import RedisEventBroker
import RedisServerProcess

/// A throwaway redis-server for one test, an admin connection to it, and brokers on it that the
/// fixture shuts down at the end.
///
/// ```swift
/// try await TestRedis.with { redis in
///     let broker = try await redis.broker("billing")
///     try await redis.command("DEL", "some-key")
/// }
/// ```
///
/// The test targets add their own helpers in extensions (running the CLI against the server,
/// snapshots of the data, command counts).
package final class TestRedis: Sendable {
    /// How the fixture sets up its brokers and its admin connection: what the test targets need differently.
    package struct BrokerSettings: Sendable {
        /// Whether each broker runs the default lease checker beside it; without one, nothing
        /// sweeps but what the test runs.
        package var leaseChecker: Bool
        /// The brokers' idle poll interval; nil keeps ``BrokerConfiguration``'s default.
        package var idlePollInterval: Duration?
        /// The log level of the brokers' and the admin connection's loggers; nil keeps the logger's default.
        package var logLevel: Logger.Level?
        /// Whether the brokers log in as ``TestRedis/aclUser``, whose only rules are
        /// ``BrokerACL/rules(keyPrefix:)`` of the default key prefix `reb`, while the default
        /// user, which the admin connection logs in as, needs ``TestRedis/adminPassword``: so
        /// nothing reaches Redis but through one of the two.
        package var aclUser: Bool
        /// Whether the brokers run on a Redis Cluster of three masters instead of one server
        /// (see ``TestRedis/server``).
        package var cluster: Bool
        /// The brokers' slot placement.
        package var slotPlacement: SlotPlacement

        /// Whether the environment asks every test to run its brokers as the ACL user:
        /// `EVENT_BROKER_TEST_ACL=1`, as the Makefile's second run of the behaviour suite sets it.
        package static var aclUserFromEnvironment: Bool {
            ProcessInfo.processInfo.environment["EVENT_BROKER_TEST_ACL"] == "1"
        }

        /// Whether the environment asks every test to run on a cluster: `EVENT_BROKER_TEST_CLUSTER=1`,
        /// as the Makefile's cluster run of the behaviour suite sets it.
        package static var clusterFromEnvironment: Bool {
            ProcessInfo.processInfo.environment["EVENT_BROKER_TEST_CLUSTER"] == "1"
        }

        /// The slot placement the environment asks every test's brokers to use:
        /// `EVENT_BROKER_TEST_PLACEMENT=per-service`, else the default, per prefix.
        package static var slotPlacementFromEnvironment: SlotPlacement {
            ProcessInfo.processInfo.environment["EVENT_BROKER_TEST_PLACEMENT"].flatMap(SlotPlacement.init(rawValue:))
                ?? .perPrefix
        }

        /// For tests that restart ``TestRedis/server``, or reach it through a tunnel, as the one
        /// server holding every key of the brokers: a cluster when the environment asks for one
        /// and the placement is per prefix (the prefix's master then holds every key), one
        /// server with the per-service placement (whose keys are on every master).
        package static var clusterWithEveryKeyOnTheServer: Bool {
            clusterFromEnvironment && slotPlacementFromEnvironment == .perPrefix
        }

        /// Settings for brokers as a user gets them, with the lease checker, but polling every
        /// half second when idle so that tests wait less.
        package init(
            leaseChecker: Bool = true, idlePollInterval: Duration? = .milliseconds(500), logLevel: Logger.Level? = nil,
            aclUser: Bool = BrokerSettings.aclUserFromEnvironment, cluster: Bool = BrokerSettings.clusterFromEnvironment,
            slotPlacement: SlotPlacement = BrokerSettings.slotPlacementFromEnvironment
        ) {
            self.leaseChecker = leaseChecker
            self.idlePollInterval = idlePollInterval
            self.logLevel = logLevel
            self.aclUser = aclUser
            self.cluster = cluster
            self.slotPlacement = slotPlacement
        }
    }

    /// The server; on a cluster, the master serving the slot of the default key prefix `reb`,
    /// which holds every key of that prefix (key layout version 1).
    package let server: RedisServerProcess
    /// Every server: ``server`` alone, or every node of the cluster.
    package let nodes: [RedisServerProcess]
    /// A connection to ``server`` for the test's own commands, named `test-admin`.
    package let admin: RedisConnection
    /// A connection like ``admin`` to each of ``nodes``, in their order (``admin`` among them).
    let nodeAdmins: [RedisConnection]
    /// How the brokers are set up.
    package let settings: BrokerSettings
    private let brokers = OwnedBrokers()

    /// The URL the brokers use: the server's, with ``aclUser`` and its password when the
    /// settings ask for it.
    package var url: String {
        if settings.aclUser { return url(user: Self.aclUser, password: Self.aclUserPassword) }
        return settings.cluster ? clusterURL(login: "") : server.url
    }

    /// The `redis-cluster://` URL with every node as a seed, after `login` (`user:password@` or empty).
    func clusterURL(login: String) -> String {
        "redis-cluster://\(login)" + nodes.compactMap { $0.port.map { "127.0.0.1:\($0)" } }.joined(separator: ",")
    }

    /// ``url``'s login, but for a server on `127.0.0.1:port`: for brokers that reach the server
    /// through a tunnel or proxy listening there.
    package func url(viaLoopbackPort port: Int) -> String {
        let login = settings.aclUser ? "\(Self.aclUser):\(Self.aclUserPassword)@" : ""
        return "redis://\(login)127.0.0.1:\(port)"
    }

    private init(server: RedisServerProcess, nodes: [RedisServerProcess], settings: BrokerSettings) throws {
        self.server = server
        self.nodes = nodes
        self.settings = settings
        nodeAdmins = try nodes.map { node in
            var endpoint = try RedisEndpoint(url: node.url)
            endpoint.password = settings.aclUser ? Self.adminPassword : nil
            return RedisConnection(endpoint: endpoint, clientName: "test-admin", logger: Self.logger("test-admin", settings))
        }
        admin = nodeAdmins[nodes.firstIndex { $0 === server } ?? 0]
    }

    /// Runs `body` with a fresh server started with `options` and brokers set up by `settings`,
    /// then shuts down every broker it made and stops the server.
    package static func with(
        _ options: RedisServerProcess.Options = .init(), brokers settings: BrokerSettings = .init(),
        _ body: (TestRedis) async throws -> Void
    ) async throws {
        var options = options
        if settings.aclUser {
            // First, so that a test's own --requirepass or --user arguments win.
            options.extraArguments =
                ["--requirepass", adminPassword] + (try userArguments(aclUser, password: aclUserPassword))
                + options.extraArguments
        }
        let adminPassword = settings.aclUser ? adminPassword : nil
        let nodes =
            settings.cluster
            ? try await ClusterNodes.start(masters: 3, replicasPerMaster: 0, options: options, password: adminPassword)
            : [try await RedisServerProcess.start(options)]
        let redis: TestRedis
        do {
            let server =
                settings.cluster
                ? try await ClusterNodes.master(forKey: "{reb}", among: nodes, password: adminPassword) : nodes[0]
            redis = try TestRedis(server: server, nodes: nodes, settings: settings)
        } catch {
            await RedisServerProcess.stopAll(nodes)
            throw error
        }
        do {
            try await body(redis)
        } catch {
            try? await redis.tearDown()
            throw error
        }
        try await redis.tearDown()
    }

    /// Shuts down every broker, closes the admin connections and stops the servers. With
    /// ``BrokerSettings/aclUser``, first throws ``ACLRefusals`` when the server's ACL refused
    /// ``aclUser`` anything during the test, such as a sweep in the background.
    private func tearDown() async throws {
        await brokers.shutDownAll()
        var refusals: Result<[String], any Error> = .success([])
        if settings.aclUser {
            do {
                refusals = .success(try await aclRefusals(of: Self.aclUser))
            } catch {
                refusals = .failure(error)
            }
        }
        for connection in nodeAdmins {
            await connection.close()
        }
        await RedisServerProcess.stopAll(nodes)
        let refused = try refusals.get()
        if !refused.isEmpty {
            throw ACLRefusals(user: Self.aclUser, entries: refused)
        }
    }

    /// A logger labelled `label` at the settings' log level.
    private static func logger(_ label: String, _ settings: BrokerSettings) -> Logger {
        var logger = Logger(label: label)
        if let logLevel = settings.logLevel {
            logger.logLevel = logLevel
        }
        return logger
    }

    /// A configuration for `service` on this server, set up by the fixture's ``settings``.
    package func configuration(_ service: String, processingTimeout: Duration = .seconds(30)) -> BrokerConfiguration {
        var configuration = BrokerConfiguration(
            serviceName: service, redisURL: url, processingTimeout: processingTimeout, environment: [:])
        if !settings.leaseChecker {
            configuration.companions = []
        }
        configuration.slotPlacement = settings.slotPlacement
        if let idlePollInterval = settings.idlePollInterval {
            configuration.idlePollInterval = idlePollInterval
        }
        configuration.logger = Self.logger("test.\(service)", settings)
        return configuration
    }

    /// A new broker instance of `service`; the fixture shuts it down at the end of the test.
    package func broker(_ service: String, configure: (inout BrokerConfiguration) -> Void = { _ in }) async throws
        -> RedisEventBroker
    {
        try await brokers.make(configuration(service), configure: configure)
    }

    /// Sends one command to `node` (of ``nodes``), logged in as the admin connection is.
    @discardableResult
    package func command(on node: RedisServerProcess, _ arguments: String...) async throws -> RedisReply {
        try await send(arguments, to: node)
    }

    /// The commands that act on a whole server, which on a cluster ``command(_:)`` sends to
    /// every node: what a test does to "the server" it does to all of them.
    private static let serverWideCommands: Set<String> = ["CLIENT", "CONFIG", "SCRIPT", "FLUSHALL", "FLUSHDB"]

    /// Sends one command on the admin connection; on a cluster, a command for a key of another
    /// master goes to that master, as its `MOVED` reply says, and a command that acts on a whole
    /// server (`CLIENT`, `CONFIG`, `SCRIPT`, `FLUSHALL`) goes to every node, answered by
    /// ``server``'s reply, or by every node's text joined when the replies are text (`CLIENT LIST`).
    @discardableResult
    package func command(_ arguments: String...) async throws -> RedisReply {
        if settings.cluster, let name = arguments.first?.uppercased(), Self.serverWideCommands.contains(name) {
            var replies: [RedisReply] = []
            for node in nodes {
                replies.append(try await send(arguments, to: node))
            }
            let texts = replies.compactMap { reply -> [UInt8]? in
                if case .bulk(let bytes) = reply { return bytes }
                return nil
            }
            if texts.count == replies.count { return .bulk(Array(texts.joined())) }
            return replies[nodes.firstIndex { $0 === server } ?? 0]
        }
        do {
            return try await send(arguments, to: server)
        } catch RedisError.server(let message) {
            guard case .moved(_, _, let port) = ClusterRedirection(errorMessage: message),
                let node = nodes.first(where: { $0.port == port })
            else { throw RedisError.server(message: message) }
            return try await send(arguments, to: node)
        }
    }

    private func send(_ arguments: [String], to node: RedisServerProcess) async throws -> RedisReply {
        let connection = nodeAdmins[nodes.firstIndex { $0 === node } ?? 0]
        return try await connection.send(arguments.map { Array($0.utf8) })
    }
}

/// Picks the next event of `broker` with a handler that succeeds and returns it; `nil` when the queue was empty.
package func nextEvent(_ broker: RedisEventBroker) async throws -> DeliveredEvent? {
    var picked: DeliveredEvent?
    try await broker.pick { picked = $0 }
    return picked
}
