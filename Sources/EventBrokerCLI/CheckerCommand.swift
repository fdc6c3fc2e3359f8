import ArgumentParser
import EventBrokerChecker
import EventBrokerCore
import Logging
import ServiceLifecycle
import UnixSignals

/// `event-broker checker`: the lease checker as a process of its own, sweeping every service of
/// a key prefix until SIGTERM or SIGINT.
struct CheckerCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "checker",
        abstract: "Run the lease checker for every service of a key prefix, until SIGTERM or SIGINT.",
        discussion: """
            Once per interval, sweeps the queue of every service that ever subscribed under the key \
            prefix: deliveries whose lease expired (their instance crashed or hung) go back to the \
            front of the queue, retries whose delay passed come back, and events whose deliveries \
            are used up go to the service's dead letters. Broker instances run the same sweep beside \
            themselves and share a guard with this process, so running both does no work twice. \
            Logs to standard error; SIGTERM or SIGINT stops it after the sweep in progress, with \
            exit status 0.
            """)

    /// Which Redis, and which key prefix.
    @OptionGroup var redis: RedisOptions

    /// How often every service is swept.
    @Option(
        help: "How often every service is swept: \(DurationArgument.forms). (default: 1s)",
        transform: DurationArgument.parse)
    var interval: Duration = .seconds(1)

    /// The most deliveries an event gets; the services' own TimeoutPolicy.maxDeliveries.
    @Option(
        help: "The most deliveries an event gets before an expired lease dead-letters it; use the services' TimeoutPolicy.maxDeliveries.")
    var maxDeliveries = StandardTimeoutPolicy().maxDeliveries

    /// The most dead letters a service keeps.
    @Option(help: "The most dead letters a service keeps; the oldest beyond it are deleted.")
    var deadLetterLimit = 10_000

    /// How much the checker logs.
    @Option(
        help: "The least severe level logged to standard error: \(Logger.levelNames). (default: info)",
        transform: Logger.parseLevel)
    var logLevel: Logger.Level = .info

    func validate() throws {
        guard interval > .zero else { throw ValidationError("--interval must be longer than zero") }
        guard maxDeliveries >= 1 else { throw ValidationError("--max-deliveries must be at least 1") }
        guard deadLetterLimit >= 1 else { throw ValidationError("--dead-letter-limit must be at least 1") }
    }

    func run() async throws {
        let logger = Logger.standardError(label: "event-broker.checker", level: logLevel)
        let checker = try StandaloneChecker(
            redisURL: redis.url, keyPrefix: redis.prefix, interval: interval, maxDeliveries: maxDeliveries,
            deadLetterLimit: deadLetterLimit, logger: logger)
        let group = ServiceGroup(services: [checker], gracefulShutdownSignals: [.sigterm, .sigint], logger: logger)
        try await group.run()
    }
}
