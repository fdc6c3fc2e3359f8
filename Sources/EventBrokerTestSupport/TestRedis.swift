import EventBrokerCore
import Logging
import RedisEventBroker
import RedisServerProcess
import Synchronization

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

        /// Settings for brokers as a user gets them, with the lease checker, but polling every
        /// half second when idle so that tests wait less.
        package init(leaseChecker: Bool = true, idlePollInterval: Duration? = .milliseconds(500), logLevel: Logger.Level? = nil) {
            self.leaseChecker = leaseChecker
            self.idlePollInterval = idlePollInterval
            self.logLevel = logLevel
        }
    }

    /// The server.
    package let server: RedisServerProcess
    /// A connection to the server for the test's own commands, named `test-admin`.
    package let admin: RedisConnection
    /// How the brokers are set up.
    package let settings: BrokerSettings
    private let brokers = Mutex<[RedisEventBroker]>([])

    /// The server's URL.
    package var url: String { server.url }

    private init(server: RedisServerProcess, settings: BrokerSettings) throws {
        self.server = server
        self.settings = settings
        admin = RedisConnection(
            endpoint: try RedisEndpoint(url: server.url), clientName: "test-admin", logger: Self.logger("test-admin", settings))
    }

    /// Runs `body` with a fresh server started with `options` and brokers set up by `settings`,
    /// then shuts down every broker it made and stops the server.
    package static func with(
        _ options: RedisServerProcess.Options = .init(), brokers settings: BrokerSettings = .init(),
        _ body: (TestRedis) async throws -> Void
    ) async throws {
        let server = try await RedisServerProcess.start(options)
        let redis: TestRedis
        do {
            redis = try TestRedis(server: server, settings: settings)
        } catch {
            server.stop()
            throw error
        }
        do {
            try await body(redis)
        } catch {
            await redis.tearDown()
            throw error
        }
        await redis.tearDown()
    }

    private func tearDown() async {
        for broker in brokers.withLock({ $0 }) {
            try? await broker.shutdown()
        }
        await admin.close()
        server.stop()
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
            serviceName: service, redisURL: server.url, processingTimeout: processingTimeout, environment: [:])
        if !settings.leaseChecker {
            configuration.companions = []
        }
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
        var configuration = configuration(service)
        configure(&configuration)
        let broker = try await RedisEventBroker(configuration)
        brokers.withLock { $0.append(broker) }
        return broker
    }

    /// Sends one command on the admin connection.
    @discardableResult
    package func command(_ arguments: String...) async throws -> RedisReply {
        try await admin.send(arguments.map { Array($0.utf8) })
    }
}

/// Picks the next event of `broker` with a handler that succeeds and returns it; `nil` when the queue was empty.
package func nextEvent(_ broker: RedisEventBroker) async throws -> DeliveredEvent? {
    var picked: DeliveredEvent?
    try await broker.pick { picked = $0 }
    return picked
}
