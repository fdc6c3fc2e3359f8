import EventBrokerMetrics
import InMemoryTracing
import Logging
import OTel
import Prometheus
import RedisEventBroker
import ServiceLifecycle
import Tracing

/// The observers and tracer of one run, fresh for it: started before the brokers, stopped after
/// them, when they must have recorded every event.
struct BenchmarkHooks {
    /// The batch span processor's settings for the `otel` variants. OpenTelemetry's defaults
    /// (a batch of at most 512 spans every 5 seconds, at most 2,048 waiting) export about 100
    /// spans a second and drop the rest at these rates; a service publishing thousands of events
    /// a second is tuned like this.
    static var batchSpanProcessor: OTel.Configuration.TracesConfiguration.BatchSpanProcessorConfiguration {
        var configuration = OTel.Configuration.default.traces.batchSpanProcessor
        configuration.scheduleDelay = .milliseconds(100)
        configuration.maxExportBatchSize = 2_048
        configuration.maxQueueSize = 16_384
        return configuration
    }

    /// The share of traces the `sampled` variant records: one in ten, a usual rate for a service
    /// handling thousands of requests a second.
    static let samplingRatio = 0.1

    private let registry: PrometheusCollectorRegistry?
    private let inMemoryTracer: InMemoryTracer?
    private let minimalTracer: MinimalTracer?
    private let exporting: ExportingTracer?

    /// The observers the brokers get.
    var observers: [any BrokerObserver] {
        registry.map { [BrokerMetrics(factory: PrometheusMetricsFactory(registry: $0))] } ?? []
    }

    /// The tracer the brokers get, if any.
    var tracer: (any Tracer)? { exporting?.tracer ?? inMemoryTracer ?? minimalTracer }

    /// The hooks of `variant`; an `otel` tracer exports to `receiver`, whose count starts afresh.
    static func start(_ variant: ObservabilityBenchmark.Variant, receiver: OTLPReceiver, logger: Logger) throws -> BenchmarkHooks {
        let registry = variant.recordsMetrics ? PrometheusCollectorRegistry() : nil
        switch variant.tracer {
        case nil:
            return BenchmarkHooks(registry: registry, inMemoryTracer: nil, minimalTracer: nil, exporting: nil)
        case .inMemory:
            // Injections and extractions are not kept: that is bookkeeping for tests, not what a tracer does.
            let tracer = InMemoryTracer(recordInjections: false, recordExtractions: false)
            return BenchmarkHooks(registry: registry, inMemoryTracer: tracer, minimalTracer: nil, exporting: nil)
        case .minimal:
            return BenchmarkHooks(registry: registry, inMemoryTracer: nil, minimalTracer: MinimalTracer(), exporting: nil)
        case .otel, .sampledOTel:
            _ = receiver.take()
            let ratio = variant.tracer == .sampledOTel ? samplingRatio : nil
            let exporting = try ExportingTracer(receiver: receiver, samplingRatio: ratio, logger: logger)
            return BenchmarkHooks(registry: registry, inMemoryTracer: nil, minimalTracer: nil, exporting: exporting)
        }
    }

    /// Stops the exporter, which sends the spans it still holds first, and returns what the
    /// collector received in the run; nil without an exporting tracer.
    func stop() async throws -> OTLPReceiver.Intake? {
        try await exporting?.stop()
    }

    /// Throws unless the registry counted `events` published and acknowledged events of `topic`
    /// and the tracer recorded (or the collector received, as `exported`) a producer and a
    /// consumer span per event, or, when it samples, about ``samplingRatio`` of them.
    func verify(events: Int, topic: String, exported: OTLPReceiver.Intake?) throws {
        if let exported {
            guard exported.refused == 0 else {
                throw ObservabilityBenchmark.Failure(
                    description: "the collector refused \(exported.refused) export requests: \(exported.lastRefusal ?? "")")
            }
            let expected = exporting?.samples == true ? Self.sampledRange(of: events) : events...events
            try Self.check(
                producers: exported.spans.producer, consumers: exported.spans.consumer, expected: expected,
                holder: "the collector")
        }
        if let inMemoryTracer {
            let spans = inMemoryTracer.popFinishedSpans()
            try Self.check(
                producers: spans.count { $0.kind == .producer }, consumers: spans.count { $0.kind == .consumer },
                expected: events...events, holder: "the in-memory tracer")
        }
        if let minimalTracer {
            let ended = minimalTracer.endedSpans
            try Self.check(
                producers: ended.producer, consumers: ended.consumer, expected: events...events, holder: "the minimal tracer")
        }
        if let registry {
            let exposition = registry.emitToString()
            for (metric, service) in [("reb_events_published_total", "shop"), ("reb_events_acked_total", "billing")] {
                let prefix = "\(metric){service=\"\(service)\",topic=\"\(topic)\"} "
                let value = exposition.split(separator: "\n").first { $0.hasPrefix(prefix) }?.dropFirst(prefix.count)
                guard value.flatMap({ Int($0) }) == events else {
                    throw ObservabilityBenchmark.Failure(description: "\(metric) of \(service) is \(value ?? "missing"), not \(events)")
                }
            }
        }
    }

    /// The spans of one kind a sampling tracer records of `events` traces: ``samplingRatio`` of
    /// them, give or take six standard deviations of the binomial distribution (a false alarm
    /// about once in 500 million runs).
    static func sampledRange(of events: Int) -> ClosedRange<Int> {
        let mean = Double(events) * samplingRatio
        let spread = 6 * (mean * (1 - samplingRatio)).squareRoot()
        return max(0, Int((mean - spread).rounded(.down)))...Int((mean + spread).rounded(.up))
    }

    private static func check(producers: Int, consumers: Int, expected: ClosedRange<Int>, holder: String) throws {
        guard expected.contains(producers), expected.contains(consumers) else {
            let what = expected.count == 1 ? "\(expected.lowerBound)" : "\(expected.lowerBound) to \(expected.upperBound)"
            throw ObservabilityBenchmark.Failure(
                description: "\(holder) has \(producers) producer and \(consumers) consumer spans, not \(what) of each")
        }
    }
}

/// swift-otel's tracer with its batch span processor and OTLP/HTTP exporter, running in a
/// service group of its own, as `OTel.bootstrap` would run it but without touching the process's
/// global tracer.
private struct ExportingTracer {
    let tracer: any Tracer
    /// Whether the tracer records only some traces.
    let samples: Bool
    private let group: ServiceGroup
    private let running: Task<Void, any Error>
    private let receiver: OTLPReceiver

    /// A tracer exporting to `receiver` that records every trace, or the share `samplingRatio` of
    /// them (parent-based: a span with a sampled parent is recorded, a root one by its trace ID).
    init(receiver: OTLPReceiver, samplingRatio: Double?, logger: Logger) throws {
        var configuration = OTel.Configuration.default
        configuration.serviceName = "observability-benchmark"
        configuration.diagnosticLogger = .custom(logger)
        configuration.metrics.enabled = false
        configuration.logs.enabled = false
        configuration.traces.sampler = .alwaysOn
        if let samplingRatio {
            guard let sampler = OTel.Configuration.TracesConfiguration.SamplerConfiguration.parentBasedTraceIDRatio(
                ratio: samplingRatio)
            else {
                throw ObservabilityBenchmark.Failure(description: "\(samplingRatio) is no sampling ratio")
            }
            configuration.traces.sampler = sampler
        }
        configuration.traces.batchSpanProcessor = BenchmarkHooks.batchSpanProcessor
        configuration.traces.exporter = .otlp
        configuration.traces.otlpExporter.protocol = .httpProtobuf
        configuration.traces.otlpExporter.endpoint = receiver.tracesEndpoint
        let backend = try OTel.makeTracingBackend(configuration: configuration)
        let group = ServiceGroup(configuration: .init(services: [backend.service], logger: logger))
        self.tracer = backend.factory
        self.samples = samplingRatio != nil
        self.group = group
        self.receiver = receiver
        self.running = Task { try await group.run() }
    }

    /// Shuts the exporter down, which flushes what it holds, and returns what the receiver took in.
    func stop() async throws -> OTLPReceiver.Intake {
        await group.triggerGracefulShutdown()
        try await running.value
        return receiver.take()
    }
}
