import ArgumentParser
import Foundation
import Logging

/// `observability-benchmark`: delivered events per second end to end with no hooks, with
/// metrics, with an exporting tracer, with both and with an in-memory tracer, and what each costs.
@main
struct ObservabilityBenchmarkCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "observability-benchmark",
        abstract: "Measure what metrics and tracing cost in delivered events per second.",
        discussion: """
            Starts a minimal OTLP/HTTP collector on loopback. Each run starts a throwaway \
            redis-server, a publisher broker (shop) and a consumer broker (billing, \
            subscribed to orders), publishes --events orders of about 100 B from --concurrency tasks \
            while billing handles them with --concurrency handlers in flight, and times from the first \
            publish to the last event handled. Seven variants: none (no observer, no tracer), metrics \
            (BrokerMetrics on swift-prometheus), otel (swift-otel's tracer exporting every span over \
            OTLP/HTTP to the collector), both (metrics and otel), sampled (metrics and swift-otel's \
            tracer recording one trace in ten), hooks (metrics and a minimal tracer that records every \
            span and exports none) and memory (the in-memory tracer of the tests). After a \
            warm-up run, every round runs the variants in a rotating order; the table shows each \
            variant's median and its cost against none, by the medians and paired (the median of \
            each round's ratio to none, and from six rounds a range that holds it with 95% \
            confidence), and the CPU time per event of this process and of redis-server. Every \
            event must be handled exactly once, and \
            the hooks must have recorded each one (the collector must have received every span, or \
            about a tenth of them when sampling), or the command fails. Run it from a release build: \
            swift run -c release --package-path Benchmarks/Observability observability-benchmark
            """)

    /// Events per run.
    @Option(help: "Events each run publishes and handles.")
    var events = 20_000

    /// Rounds of the variants.
    @Option(help: "Rounds; each runs every variant once, in a rotating order.")
    var rounds = 5

    /// The variants to run besides none.
    @Option(
        help: "The variants to run, comma-separated, from metrics, otel, both, sampled, hooks and memory; none, the baseline, always runs.",
        transform: { try ObservabilityBenchmarkCommand.variants($0) })
    var variants: [ObservabilityBenchmark.Variant] = ObservabilityBenchmark.Variant.allCases

    /// Publishing tasks, and handlers in flight.
    @Option(help: "Publishing tasks, and handlers the consumer runs at once.")
    var concurrency = 16

    /// Whether to print one JSON object instead of a table.
    @Flag(help: "Print the results as one JSON object.")
    var json = false

    func validate() throws {
        guard events > 0 else { throw ValidationError("--events must be at least 1.") }
        guard rounds > 0 else { throw ValidationError("--rounds must be at least 1.") }
        guard concurrency > 0 else { throw ValidationError("--concurrency must be at least 1.") }
    }

    func run() async throws {
        var logger = Logger(label: "observability-benchmark") { StreamLogHandler.standardError(label: $0) }
        logger.logLevel = .warning
        let receiver = try await OTLPReceiver.start()
        let report: ObservabilityBenchmark.Report
        do {
            let settings = ObservabilityBenchmark.Settings(
                events: events, rounds: rounds, variants: variants, concurrency: concurrency, receiver: receiver,
                logger: logger)
            progress("OTLP collector at \(receiver.tracesEndpoint)")
            report = try await ObservabilityBenchmark(settings: settings).run(progress: progress)
        } catch {
            try await receiver.close()
            throw error
        }
        try await receiver.close()
        print(json ? try ObservabilityBenchmark.json(report) : ObservabilityBenchmark.table(report))
    }

    /// The variants a `--variants` list names, in the benchmark's order, none first.
    static func variants(_ list: String) throws -> [ObservabilityBenchmark.Variant] {
        let named = try list.split(separator: ",", omittingEmptySubsequences: false).map { name in
            guard let variant = ObservabilityBenchmark.Variant(rawValue: name.trimmingCharacters(in: .whitespaces)) else {
                let variants = ObservabilityBenchmark.Variant.allCases.filter { $0 != .none }.map(\.rawValue)
                throw ValidationError("--variants: '\(name)' is no variant; use \(variants.joined(separator: ", ")).")
            }
            return variant
        }
        return ObservabilityBenchmark.Variant.allCases.filter { $0 == .none || named.contains($0) }
    }

    /// Writes a line of progress to standard error.
    private func progress(_ line: String) {
        FileHandle.standardError.write(Data((line + "\n").utf8))
    }
}
