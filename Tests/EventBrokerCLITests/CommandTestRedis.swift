import EventBrokerCore
import EventBrokerTestSupport
import Foundation
import Logging
import RedisEventBroker
import RedisServerProcess
import Synchronization
import Testing

/// The built `event-broker`: SwiftPM puts it next to the test runner executable.
let eventBrokerExecutable = Bundle.main.executableURL!.deletingLastPathComponent().appending(path: "event-broker")

/// A Redis URL no server listens on: commands that must fail before connecting get it as
/// `REDIS_URL`, so that no test can ever reach a Redis of the machine.
let unreachableRedisURL = "unix:///nonexistent/redis-event-broker-tests.sock"

/// A throwaway redis-server for one command test, an admin connection to it, brokers on it, and
/// `event-broker` run against it.
final class CommandTestRedis: Sendable {
    let server: RedisServerProcess
    let admin: RedisConnection
    private let brokers = Mutex<[RedisEventBroker]>([])

    /// The server's URL.
    var url: String { server.url }

    private init(server: RedisServerProcess) throws {
        self.server = server
        var logger = Logger(label: "test-admin")
        logger.logLevel = .critical
        admin = RedisConnection(endpoint: try RedisEndpoint(url: server.url), clientName: "test-admin", logger: logger)
    }

    /// Runs `body` with a fresh server, then shuts down every broker it made and stops the server.
    static func with(_ body: (CommandTestRedis) async throws -> Void) async throws {
        let redis = try CommandTestRedis(server: try await RedisServerProcess.start())
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

    /// A new broker instance of `service` that runs no lease checker of its own, so that only
    /// the command under test sweeps; the fixture shuts it down at the end of the test.
    func broker(_ service: String, configure: (inout BrokerConfiguration) -> Void = { _ in }) async throws
        -> RedisEventBroker
    {
        var configuration = BrokerConfiguration(serviceName: service, redisURL: server.url, environment: [:])
        configuration.companions = []
        var logger = Logger(label: "test.\(service)")
        logger.logLevel = .critical
        configuration.logger = logger
        configure(&configuration)
        let broker = try await RedisEventBroker(configuration)
        brokers.withLock { $0.append(broker) }
        return broker
    }

    /// Sends one command on the admin connection.
    @discardableResult
    func command(_ arguments: String...) async throws -> RedisReply {
        try await admin.send(arguments.map { Array($0.utf8) })
    }

    /// Starts `event-broker` with `arguments` and `--redis-url` of this server.
    func start(_ arguments: [String]) throws -> ChildProcess {
        try ChildProcess(eventBrokerExecutable, arguments + ["--redis-url", server.url])
    }

    /// Runs `event-broker` with `arguments` and `--redis-url` of this server (and `environment`
    /// added to the test's), and returns its output once it exited.
    func run(_ arguments: [String], environment: [String: String] = [:]) async throws -> ProcessOutput {
        try await runEventBroker(arguments + ["--redis-url", server.url], environment: environment)
    }
}

/// Runs `event-broker` with `arguments` (and `environment` added to the test's), and returns
/// its output once it exited; records an issue and kills it if that takes over 30 seconds.
func runEventBroker(_ arguments: [String], environment: [String: String] = [:]) async throws -> ProcessOutput {
    let child = try ChildProcess(eventBrokerExecutable, arguments, environment: environment)
    try child.closeInput()
    return try #require(try await child.exit(within: .seconds(30)), "event-broker \(arguments) did not exit")
}

/// Waits until `condition` holds, checking every 20 ms; records an issue after `timeout`.
func eventually(
    _ what: String, timeout: Duration = .seconds(30), sourceLocation: SourceLocation = #_sourceLocation,
    _ condition: () async throws -> Bool
) async throws {
    let deadline = ContinuousClock.now + timeout
    while ContinuousClock.now < deadline {
        if try await condition() { return }
        try await Task.sleep(for: .milliseconds(20))
    }
    Issue.record("timed out waiting until \(what)", sourceLocation: sourceLocation)
}

/// Picks the next event of `broker` with a handler that succeeds; `nil` when the queue is empty.
func nextEvent(_ broker: RedisEventBroker) async throws -> DeliveredEvent? {
    var picked: DeliveredEvent?
    try await broker.pick { picked = $0 }
    return picked
}
