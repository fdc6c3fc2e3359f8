import ArgumentParser
import EventBrokerCore
import Foundation
import Logging
import RedisServerProcess

/// `event-broker bench observability`: delivered events per second end to end with no hooks,
/// with metrics, with tracing and with both, and what the hooks cost.
struct BenchObservabilityCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "observability",
        abstract: "Measure what metrics and tracing cost in delivered events per second.",
        discussion: """
            Each run flushes Redis (FLUSHALL), starts a publisher broker (shop) and a consumer broker \
            (billing, subscribed to orders), publishes --events orders of about 100 B from --concurrency \
            tasks while billing handles them with --concurrency handlers in flight, and times from the \
            first publish to the last event handled. Four variants: none (no observer, no tracer), \
            metrics (BrokerMetrics on swift-prometheus, a registry of its own), tracing (an in-memory \
            recording tracer in BrokerConfiguration.tracer) and both. After a warm-up run, every round \
            runs the four in a rotating order; the table shows each variant's median and its cost \
            against none. Every event must be handled exactly once, and the hooks must have recorded \
            each one, or the command fails. It starts a throwaway redis-server unless --redis-url or \
            REDIS_URL names one, which must be on loopback (or a unix socket) unless --allow-remote: \
            its data is flushed. Run it from a release build: \
            swift build -c release --scratch-path .build-release --product event-broker && \
            .build-release/release/event-broker bench observability
            """)

    /// Events per run.
    @Option(help: "Events each run publishes and handles.")
    var events = 20_000

    /// Rounds of the four variants.
    @Option(help: "Rounds; each runs the four variants once, in a rotating order.")
    var rounds = 5

    /// Publishing tasks, and handlers in flight.
    @Option(help: "Publishing tasks, and handlers the consumer runs at once.")
    var concurrency = 16

    @OptionGroup var redis: BenchRedisOptions

    /// Whether to print one JSON object instead of a table.
    @Flag(help: "Print the results as one JSON object.")
    var json = false

    func validate() throws {
        guard events > 0 else { throw ValidationError("--events must be at least 1.") }
        guard rounds > 0 else { throw ValidationError("--rounds must be at least 1.") }
        guard concurrency > 0 else { throw ValidationError("--concurrency must be at least 1.") }
    }

    func run() async throws {
        let (server, url, line) = try await redis.redis()
        defer { server?.stop() }
        let settings = ObservabilityBenchmark.Settings(
            events: events, rounds: rounds, concurrency: concurrency, redisURL: url,
            logger: .standardError(label: "bench", level: .warning))
        benchProgress(line)
        let report = try await ObservabilityBenchmark(settings: settings).run(progress: benchProgress)
        print(json ? try ObservabilityBenchmark.json(report) : ObservabilityBenchmark.table(report))
    }
}
