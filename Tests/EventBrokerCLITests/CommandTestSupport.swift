import EventBrokerCore
import EventBrokerTestSupport
import Foundation
import Logging
import Testing

/// The built `event-broker`: SwiftPM puts it next to the test runner executable.
let eventBrokerExecutable = Bundle.main.executableURL!.deletingLastPathComponent().appending(path: "event-broker")

/// A Redis URL no server listens on: commands that must fail before connecting get it as
/// `REDIS_URL`, so that no test can ever reach a Redis of the machine.
let unreachableRedisURL = "unix:///nonexistent/redis-event-broker-tests.sock"

extension TestRedis.BrokerSettings {
    /// For command tests: brokers run no lease checker of their own, so that only the command
    /// under test sweeps; the configuration's idle poll interval; only critical log messages.
    static let commandTests = Self(leaseChecker: false, idlePollInterval: nil, logLevel: .critical)
}

extension TestRedis {
    /// Starts `event-broker` with `arguments`, `--redis-url` of this server and the brokers' slot placement.
    func start(_ arguments: [String]) throws -> ChildProcess {
        try ChildProcess(eventBrokerExecutable, arguments + redisArguments)
    }

    /// Runs `event-broker` with `arguments`, `--redis-url` of this server and the brokers' slot
    /// placement (and `environment` added to the test's), and returns its output once it exited.
    func run(_ arguments: [String], environment: [String: String] = [:]) async throws -> ProcessOutput {
        try await runEventBroker(arguments + redisArguments, environment: environment)
    }

    private var redisArguments: [String] {
        ["--redis-url", url, "--slot-placement", settings.slotPlacement.rawValue]
    }
}

/// Runs `event-broker` with `arguments` (and `environment` added to the test's), and returns
/// its output once it exited; records an issue and kills it if that takes longer than `timeout`.
func runEventBroker(
    _ arguments: [String], environment: [String: String] = [:], within timeout: Duration = .seconds(30)
) async throws -> ProcessOutput {
    let child = try ChildProcess(eventBrokerExecutable, arguments, environment: environment)
    try child.closeInput()
    return try #require(try await child.exit(within: timeout), "event-broker \(arguments) did not exit")
}

