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

    /// The Redis to use instead of a throwaway one.
    @Option(help: "The Redis to use (redis:// or unix:// URL), which is flushed; default: REDIS_URL, else a throwaway redis-server.")
    var redisURL: String?

    /// Whether a Redis elsewhere than on loopback may be used.
    @Flag(help: "Accept a --redis-url or REDIS_URL that is not on loopback or a unix socket.")
    var allowRemote = false

    /// Whether to print one JSON object instead of a table.
    @Flag(help: "Print the results as one JSON object.")
    var json = false

    func validate() throws {
        guard events > 0 else { throw ValidationError("--events must be at least 1.") }
        guard rounds > 0 else { throw ValidationError("--rounds must be at least 1.") }
        guard concurrency > 0 else { throw ValidationError("--concurrency must be at least 1.") }
        if let url = givenURL, !allowRemote {
            let endpoint = try RedisEndpoint(url: url)
            guard Self.isLocal(endpoint) else {
                throw ValidationError(
                    "\(endpoint) is not on loopback, and the benchmark flushes its data; pass --allow-remote to use it anyway.")
            }
        }
    }

    func run() async throws {
        let server: RedisServerProcess?
        let url: String
        if let givenURL {
            server = nil
            url = givenURL
        } else {
            let started = try await RedisServerProcess.start()
            server = started
            url = started.url
        }
        defer { server?.stop() }
        let settings = ObservabilityBenchmark.Settings(
            events: events, rounds: rounds, concurrency: concurrency, redisURL: url,
            logger: .standardError(label: "bench", level: .warning))
        progress(server.map { "Started a throwaway redis-server at \($0.url)" } ?? "Using the Redis at \(url)")
        let report = try await ObservabilityBenchmark(settings: settings).run(progress: progress)
        print(json ? try ObservabilityBenchmark.json(report) : ObservabilityBenchmark.table(report))
    }

    /// --redis-url, else a non-empty REDIS_URL.
    private var givenURL: String? {
        redisURL ?? ProcessInfo.processInfo.environment["REDIS_URL"].flatMap { $0.isEmpty ? nil : $0 }
    }

    /// Writes a progress line to standard error, so that standard output carries only the results.
    private func progress(_ line: String) {
        FileHandle.standardError.write(Data((line + "\n").utf8))
    }

    /// Whether `endpoint` is a unix socket or a loopback address.
    static func isLocal(_ endpoint: RedisEndpoint) -> Bool {
        switch endpoint.address {
        case .unix:
            return true
        case .tcp(let host, _):
            let host = host.lowercased()
            let octets = host.split(separator: ".", omittingEmptySubsequences: false)
            let isIPv4Loopback = octets.count == 4 && octets[0] == "127" && octets.allSatisfy { UInt8($0) != nil }
            return host == "localhost" || host == "::1" || isIPv4Loopback
        }
    }
}
