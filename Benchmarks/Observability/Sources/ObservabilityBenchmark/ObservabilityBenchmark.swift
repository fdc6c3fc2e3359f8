import EventBrokerCodecJSON
import EventBrokerCore
import EventBrokerTestSupport
import Foundation
import Logging
import RedisEventBroker
import RedisServerProcess

/// Measures what the observability hooks cost: delivered events per second, end to end through
/// Redis, with no observer and no tracer, with `BrokerMetrics` on Prometheus, with swift-otel's
/// tracer exporting every span over OTLP/HTTP, with both, and with an in-memory recording tracer.
///
/// Each run starts a redis-server of its own, a publisher broker (`shop`) and a consumer broker (`billing`,
/// subscribed to `orders`) with the variant's hooks, publishes the run's events from
/// ``Settings/concurrency`` tasks while the consumer handles them with as many handlers in
/// flight, and times from the first publish to the moment the last event was first handled (and
/// reads the CPU time the process used meanwhile). Every event must be handled exactly once, and
/// the hooks must have recorded every event (the collector must have received every span);
/// otherwise the benchmark throws. The variants run interleaved, in rounds, in a rotating order.
struct ObservabilityBenchmark {
    /// Which hooks a run has.
    enum Variant: String, CaseIterable, Codable, Sendable {
        /// No observer and no tracer: the broker as configured by default, nothing bootstrapped.
        case none
        /// `BrokerMetrics` recording into a `PrometheusMetricsFactory` with a registry of its own.
        case metrics
        /// swift-otel's tracer in `BrokerConfiguration.tracer`, sampling every span, exporting
        /// them in batches over OTLP/HTTP (protobuf) to a collector on loopback.
        case otel
        /// `metrics` and `otel` together.
        case both
        /// `metrics` and swift-otel's tracer sampling about one trace in ten (a parent-based
        /// trace-ID ratio of ``BenchmarkHooks/samplingRatio``): what a busy production service runs.
        case sampled
        /// `metrics` and ``MinimalTracer``, which records every span and exports none: the cost
        /// of the broker's metrics and tracing hooks without a tracer's export pipeline.
        case hooks
        /// swift-distributed-tracing's `InMemoryTracer`, the tracer of the tests, keeping every span.
        case memory

        /// The tracers a variant can have.
        enum TracerKind {
            case inMemory
            /// swift-otel's, recording every span.
            case otel
            /// swift-otel's, recording the spans of about ``BenchmarkHooks/samplingRatio`` of the traces.
            case sampledOTel
            /// ``MinimalTracer``.
            case minimal
        }

        var recordsMetrics: Bool { self == .metrics || self == .both || self == .sampled || self == .hooks }

        var tracer: TracerKind? {
            switch self {
            case .none, .metrics: nil
            case .otel, .both: .otel
            case .sampled: .sampledOTel
            case .hooks: .minimal
            case .memory: .inMemory
            }
        }
    }

    /// How much to measure, and where.
    struct Settings {
        /// Events each run publishes and handles.
        var events: Int
        /// Rounds of the variants.
        var rounds: Int
        /// The variants each round runs; ``Variant/none``, the baseline, among them.
        var variants: [Variant]
        /// Publishing tasks, and handlers the consumer runs at once.
        var concurrency: Int
        /// The collector the `otel` variants export to.
        var receiver: OTLPReceiver
        /// Where the brokers log.
        var logger: Logger
    }

    /// The figures of one timed run.
    struct Run: Codable {
        /// The round, from 1.
        let round: Int
        /// The run's place in its round, from 1.
        let position: Int
        /// From the first publish to the last event's first handling.
        let seconds: Double
        /// Events divided by ``seconds``.
        let eventsPerSecond: Double
        /// The CPU time this process (publisher and consumer, not redis-server) used per event
        /// over the same interval, in microseconds: less sensitive than ``eventsPerSecond`` to
        /// other processes competing for the cores.
        let cpuMicrosecondsPerEvent: Double
        /// The context switches of this process's threads per event over the same interval,
        /// voluntary (a thread waited: a lock, a semaphore, a socket) and involuntary (preempted).
        let contextSwitchesPerEvent: Double
        /// The CPU time redis-server used per event over the same interval, in microseconds;
        /// nil where its CPU time cannot be read (no `/proc`).
        let redisCPUMicrosecondsPerEvent: Double?
        /// What the handlers did.
        let ledger: BenchLedger.Tally
    }

    /// One variant's runs and how it compares with ``Variant/none``.
    struct VariantResult: Codable {
        let variant: Variant
        /// The median of the runs' delivered events per second.
        let medianEventsPerSecond: Double
        let minimumEventsPerSecond: Double
        let maximumEventsPerSecond: Double
        /// How much lower the median is than the median without hooks, in percent (negative: higher).
        let costPercent: Double
        /// The median over the rounds of how much lower this variant's rate was than none's in
        /// the same round, in percent: the runs of one round are about a minute apart at most,
        /// so the machine's slower and faster spells, which move both, cancel out of each
        /// round's ratio.
        let pairedCostPercent: Double
        /// A range that holds the true paired cost with at least 95% confidence, whatever the
        /// distribution of the rounds' costs (``MedianConfidenceInterval``); nil with fewer than
        /// six rounds.
        let pairedCostInterval: MedianConfidenceInterval?
        /// The median of the runs' CPU time per event.
        let medianCPUMicrosecondsPerEvent: Double
        /// How much more CPU time per event the median takes than without hooks, in percent.
        let cpuCostPercent: Double
        /// The median of the runs' redis-server CPU time per event, when it could be read.
        let medianRedisCPUMicrosecondsPerEvent: Double?
        let runs: [Run]
    }

    /// Everything a benchmark measured.
    struct Report: Codable {
        let events: Int
        let rounds: Int
        let concurrency: Int
        /// The size of one event's payload as the JSON codec stores it.
        let payloadBytes: Int
        /// Whether this was a debug build, whose figures say little.
        let debugBuild: Bool
        let variants: [VariantResult]
    }

    /// Why the benchmark stopped.
    struct Failure: Error, CustomStringConvertible {
        let description: String
    }

    /// The topic of the benchmark's events.
    static let topic = "orders"
    /// How long a run may go without a newly handled event before it counts as stalled.
    static let stallTimeout = Duration.seconds(30)

    let settings: Settings

    /// The order each event carries, its `orderId` replaced by the event's number: about 100 bytes of JSON.
    private static let order = BenchOrder.make(lineCount: 0, signatureBytes: 0, seed: 1)

    /// Runs a warm-up run (with the most hooks among the variants), then ``Settings/rounds``
    /// rounds of the variants, the order rotating by one variant each round; `progress` is told
    /// of each run.
    func run(progress: (String) -> Void) async throws -> Report {
        let variants = settings.variants
        let warmUpEvents = min(settings.events, 2_000)
        let warmUp = variants.contains(.both) ? .both : variants.last { $0 != .none } ?? .none
        _ = try await measure(warmUp, events: warmUpEvents)
        progress("warm-up: \(warmUpEvents) events, \(warmUp.rawValue)")

        var runs: [Variant: [Run]] = [:]
        for round in 1...settings.rounds {
            let shift = (round - 1) % variants.count
            for (index, variant) in (variants[shift...] + variants[..<shift]).enumerated() {
                let measured = try await measure(variant, events: settings.events)
                let run = Run(
                    round: round, position: index + 1, seconds: measured.seconds,
                    eventsPerSecond: Double(settings.events) / measured.seconds,
                    cpuMicrosecondsPerEvent: measured.usage.cpuSeconds * 1e6 / Double(settings.events),
                    contextSwitchesPerEvent: Double(measured.usage.contextSwitches) / Double(settings.events),
                    redisCPUMicrosecondsPerEvent: measured.redisCPUSeconds.map { $0 * 1e6 / Double(settings.events) },
                    ledger: measured.tally)
                runs[variant, default: []].append(run)
                progress(
                    "round \(round)/\(settings.rounds): \(variant.rawValue) "
                        + "\(Self.grouped(run.eventsPerSecond)) events/s (\(String(format: "%.2f", run.seconds)) s), "
                        + "\(String(format: "%.1f", run.cpuMicrosecondsPerEvent)) µs CPU"
                        + (run.redisCPUMicrosecondsPerEvent.map { " (redis-server \(String(format: "%.1f", $0)))" } ?? "")
                        + " and \(String(format: "%.2f", run.contextSwitchesPerEvent)) context switches per event")
            }
        }

        let baseline = Self.median(runs[.none, default: []].map(\.eventsPerSecond))
        let cpuBaseline = Self.median(runs[.none, default: []].map(\.cpuMicrosecondsPerEvent))
        let results = variants.map { variant in
            let variantRuns = runs[variant, default: []]
            let rates = variantRuns.map(\.eventsPerSecond)
            let median = Self.median(rates)
            let cpu = Self.median(variantRuns.map(\.cpuMicrosecondsPerEvent))
            let redisCPU = variantRuns.map(\.redisCPUMicrosecondsPerEvent)
            let pairedCosts = Self.pairedCosts(of: variantRuns, against: runs[.none, default: []])
            return VariantResult(
                variant: variant, medianEventsPerSecond: median, minimumEventsPerSecond: rates.min() ?? 0,
                maximumEventsPerSecond: rates.max() ?? 0, costPercent: (1 - median / baseline) * 100,
                pairedCostPercent: Self.median(pairedCosts), pairedCostInterval: MedianConfidenceInterval(of: pairedCosts),
                medianCPUMicrosecondsPerEvent: cpu, cpuCostPercent: (cpu / cpuBaseline - 1) * 100,
                medianRedisCPUMicrosecondsPerEvent: redisCPU.contains(nil) ? nil : Self.median(redisCPU.compactMap { $0 }),
                runs: variantRuns)
        }
        #if DEBUG
            let debugBuild = true
        #else
            let debugBuild = false
        #endif
        return Report(
            events: settings.events, rounds: settings.rounds, concurrency: settings.concurrency,
            payloadBytes: try JSONCodec().encodePayload(Self.order).count, debugBuild: debugBuild, variants: results)
    }

    /// What one run measured.
    private struct Measurement {
        /// Wall-clock seconds from the first publish to the last event's first handling.
        let seconds: Double
        /// What this process used over about the same interval.
        let usage: ProcessUsage
        /// The CPU time redis-server used over about the same interval, when it could be read.
        let redisCPUSeconds: Double?
        let tally: BenchLedger.Tally
    }

    /// One run of `variant` with `events` events on a redis-server of its own, or an error when
    /// an event was lost or handled twice, or the hooks missed events.
    private func measure(_ variant: Variant, events: Int) async throws -> Measurement {
        let server = try await RedisServerProcess.start()
        defer { server.stop() }
        let hooks = try BenchmarkHooks.start(variant, receiver: settings.receiver, logger: settings.logger)
        let measured: Result<Measurement, any Error>
        do {
            measured = .success(try await measure(variant, events: events, server: server, hooks: hooks))
        } catch {
            measured = .failure(error)
        }
        let exported = try await hooks.stop()
        let measurement = try measured.get()
        try hooks.verify(events: events, topic: Self.topic, exported: exported)
        return measurement
    }

    /// ``measure(_:events:)`` with the run's Redis and hooks started.
    private func measure(
        _ variant: Variant, events: Int, server: RedisServerProcess, hooks: BenchmarkHooks
    ) async throws -> Measurement {
        let ledger = BenchLedger(events: events)
        let billing = try await RedisEventBroker(configuration("billing", server.url, hooks))
        let shop: RedisEventBroker
        do {
            try await billing.subscribe(Self.topic)
            shop = try await RedisEventBroker(configuration("shop", server.url, hooks))
        } catch {
            try? await billing.shutdown()
            throw error
        }
        let consumer = Task {
            try await billing.consume(concurrency: settings.concurrency) { event in
                ledger.handled(Int(try event.payload(as: BenchOrder.self).orderId))
            }
        }

        let redisCPUStart = server.cpuSeconds()
        let start = ContinuousClock.now
        let usageStart = ProcessUsage.now()
        let outcome: Result<(ContinuousClock.Instant, ProcessUsage, Double?), any Error>
        do {
            try await publish(events, from: shop)
            let end = try await completion(of: ledger, events: events)
            outcome = .success((end, ProcessUsage.now(), server.cpuSeconds()))
        } catch {
            outcome = .failure(error)
        }
        try await shop.shutdown()
        try await billing.shutdown()
        try await consumer.value

        let (end, usageEnd, redisCPUEnd) = try outcome.get()
        let tally = ledger.tally()
        guard tally.isExact else {
            throw Failure(
                description: "\(variant.rawValue): of \(events) events, \(tally.lost) were never handled, "
                    + "\(tally.duplicates) handler runs were duplicates and \(tally.unknown) were of unknown events")
        }
        let redisCPU = redisCPUStart.flatMap { start in redisCPUEnd.map { $0 - start } }
        return Measurement(
            seconds: Self.seconds(end - start), usage: usageEnd - usageStart, redisCPUSeconds: redisCPU, tally: tally)
    }

    /// `duration` in seconds.
    private static func seconds(_ duration: Duration) -> Double {
        Double(duration.components.seconds) + Double(duration.components.attoseconds) / 1e18
    }

    /// Publishes events `0..<events` from ``Settings/concurrency`` tasks, each publishing every
    /// `concurrency`-th event in turn.
    private func publish(_ events: Int, from shop: RedisEventBroker) async throws {
        let tasks = settings.concurrency
        try await withThrowingTaskGroup(of: Void.self) { group in
            for first in 0..<min(tasks, events) {
                group.addTask {
                    for number in stride(from: first, to: events, by: tasks) {
                        var order = Self.order
                        order.orderId = Int64(number)
                        try await shop.publishEvent(
                            Event(streamId: "order-\(number)", topic: Self.topic, message: "OrderPlaced", payload: order))
                    }
                }
            }
            try await group.waitForAll()
        }
    }

    /// Waits until every event was handled once and returns when the last one was; throws if no
    /// new event is handled for ``stallTimeout``.
    private func completion(of ledger: BenchLedger, events: Int) async throws -> ContinuousClock.Instant {
        var lastCount = -1
        var lastChange = ContinuousClock.now
        while true {
            let (handled, completedAt) = ledger.progress
            if let completedAt { return completedAt }
            if handled != lastCount {
                lastCount = handled
                lastChange = .now
            } else if ContinuousClock.now - lastChange > Self.stallTimeout {
                throw Failure(
                    description: "only \(handled) of \(events) events were handled, none in the last \(Self.stallTimeout)")
            }
            try await Task.sleep(for: .milliseconds(5))
        }
    }

    /// A broker configuration of `service` on the Redis at `redisURL`, with `hooks`.
    private func configuration(_ service: String, _ redisURL: String, _ hooks: BenchmarkHooks) -> BrokerConfiguration {
        var configuration = BrokerConfiguration(serviceName: service, redisURL: redisURL)
        configuration.logger = settings.logger
        configuration.observers = hooks.observers
        configuration.tracer = hooks.tracer
        return configuration
    }

    // MARK: Output

    /// The results as a table, and the cost of each variant.
    static func table(_ report: Report) -> String {
        var lines: [String] = []
        if report.debugBuild {
            lines.append("Warning: a debug build; run with -c release for representative figures.")
        }
        lines.append(
            "\(grouped(Double(report.events))) events of \(report.payloadBytes) B per run, \(report.rounds) round\(report.rounds == 1 ? "" : "s"), "
                + "\(report.concurrency) publishing tasks and \(report.concurrency) handlers in flight")
        lines.append(
            pad("variant", 10) + pad("median ev/s", 13, right: true) + pad("min ev/s", 11, right: true)
                + pad("max ev/s", 11, right: true) + pad("cost vs none", 14, right: true)
                + pad("paired cost", 13, right: true) + pad("its 95% range", 17, right: true)
                + pad("CPU µs/event", 14, right: true)
                + pad("CPU vs none", 13, right: true) + pad("Redis µs/event", 16, right: true))
        for result in report.variants {
            let isBaseline = result.variant == .none
            lines.append(
                pad(result.variant.rawValue, 10) + pad(grouped(result.medianEventsPerSecond), 13, right: true)
                    + pad(grouped(result.minimumEventsPerSecond), 11, right: true)
                    + pad(grouped(result.maximumEventsPerSecond), 11, right: true)
                    + pad(isBaseline ? "-" : String(format: "%.1f%%", result.costPercent), 14, right: true)
                    + pad(isBaseline ? "-" : String(format: "%.1f%%", result.pairedCostPercent), 13, right: true)
                    + pad(isBaseline ? "-" : range(result.pairedCostInterval), 17, right: true)
                    + pad(String(format: "%.1f", result.medianCPUMicrosecondsPerEvent), 14, right: true)
                    + pad(isBaseline ? "-" : String(format: "%+.1f%%", result.cpuCostPercent), 13, right: true)
                    + pad(result.medianRedisCPUMicrosecondsPerEvent.map { String(format: "%.1f", $0) } ?? "-", 16, right: true))
        }
        let runs = report.variants.reduce(0) { $0 + $1.runs.count }
        lines.append("Every event of the \(runs) runs was handled exactly once; lost: 0, duplicates: 0.")
        return lines.joined(separator: "\n")
    }

    /// The results as one JSON object.
    static func json(_ report: Report) throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        return String(decoding: try encoder.encode(report), as: UTF8.self)
    }

    /// For each round, how much lower the rate of `runs` was than that of the `baseline` run of
    /// the same round, in percent; rounds without a baseline run are left out.
    static func pairedCosts(of runs: [Run], against baseline: [Run]) -> [Double] {
        let baselineRates = Dictionary(uniqueKeysWithValues: baseline.map { ($0.round, $0.eventsPerSecond) })
        return runs.compactMap { run in baselineRates[run.round].map { (1 - run.eventsPerSecond / $0) * 100 } }
    }

    /// `interval` as `-1.2 to 4.5%`, or `-` without one.
    private static func range(_ interval: MedianConfidenceInterval?) -> String {
        interval.map { String(format: "%.1f to %.1f%%", $0.lower, $0.upper) } ?? "-"
    }

    /// The median of `values` (the mean of the middle two for an even count); 0 for none.
    static func median(_ values: [Double]) -> Double {
        let sorted = values.sorted()
        guard !sorted.isEmpty else { return 0 }
        let middle = sorted.count / 2
        return sorted.count % 2 == 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2
    }

    /// `value` rounded, with thousands separated by commas: `12,345`.
    private static func grouped(_ value: Double) -> String {
        let digits = String(Int(value.rounded()))
        var result = ""
        for (index, digit) in digits.enumerated() {
            if index > 0, (digits.count - index) % 3 == 0 { result.append(",") }
            result.append(digit)
        }
        return result
    }

    private static func pad(_ text: String, _ width: Int, right: Bool = false) -> String {
        let padding = String(repeating: " ", count: max(0, width - text.count))
        return right ? padding + text : text + padding
    }
}
