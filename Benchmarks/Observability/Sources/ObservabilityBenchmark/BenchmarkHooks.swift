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

    private let registry: PrometheusCollectorRegistry?
    private let inMemoryTracer: InMemoryTracer?
    private let exporting: ExportingTracer?

    /// The observers the brokers get.
    var observers: [any BrokerObserver] {
        registry.map { [BrokerMetrics(factory: PrometheusMetricsFactory(registry: $0))] } ?? []
    }

    /// The tracer the brokers get, if any.
    var tracer: (any Tracer)? { exporting?.tracer ?? inMemoryTracer }

    /// The hooks of `variant`; an `otel` tracer exports to `receiver`, whose count starts afresh.
    static func start(_ variant: ObservabilityBenchmark.Variant, receiver: OTLPReceiver, logger: Logger) throws -> BenchmarkHooks {
        let registry = variant.recordsMetrics ? PrometheusCollectorRegistry() : nil
        switch variant.tracer {
        case nil:
            return BenchmarkHooks(registry: registry, inMemoryTracer: nil, exporting: nil)
        case .inMemory:
            // Injections and extractions are not kept: that is bookkeeping for tests, not what a tracer does.
            let tracer = InMemoryTracer(recordInjections: false, recordExtractions: false)
            return BenchmarkHooks(registry: registry, inMemoryTracer: tracer, exporting: nil)
        case .otel:
            _ = receiver.take()
            return BenchmarkHooks(
                registry: registry, inMemoryTracer: nil, exporting: try ExportingTracer(receiver: receiver, logger: logger))
        }
    }

    /// Stops the exporter, which sends the spans it still holds first, and returns what the
    /// collector received in the run; nil without an exporting tracer.
    func stop() async throws -> OTLPReceiver.Intake? {
        try await exporting?.stop()
    }

    /// Throws unless the registry counted `events` published and acknowledged events of `topic`
    /// and the tracer recorded (or the collector received, as `exported`) a producer and a
    /// consumer span per event.
    func verify(events: Int, topic: String, exported: OTLPReceiver.Intake?) throws {
        if let exported {
            guard exported.refused == 0 else {
                throw ObservabilityBenchmark.Failure(
                    description: "the collector refused \(exported.refused) export requests: \(exported.lastRefusal ?? "")")
            }
            try Self.check(
                producers: exported.spans.producer, consumers: exported.spans.consumer, events: events, holder: "the collector")
        }
        if let inMemoryTracer {
            let spans = inMemoryTracer.popFinishedSpans()
            try Self.check(
                producers: spans.count { $0.kind == .producer }, consumers: spans.count { $0.kind == .consumer },
                events: events, holder: "the in-memory tracer")
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

    private static func check(producers: Int, consumers: Int, events: Int, holder: String) throws {
        guard producers == events, consumers == events else {
            throw ObservabilityBenchmark.Failure(
                description: "\(holder) has \(producers) producer and \(consumers) consumer spans, not \(events) of each")
        }
    }
}

/// swift-otel's tracer with its batch span processor and OTLP/HTTP exporter, running in a
/// service group of its own, as `OTel.bootstrap` would run it but without touching the process's
/// global tracer.
private struct ExportingTracer {
    let tracer: any Tracer
    private let group: ServiceGroup
    private let running: Task<Void, any Error>
    private let receiver: OTLPReceiver

    init(receiver: OTLPReceiver, logger: Logger) throws {
        var configuration = OTel.Configuration.default
        configuration.serviceName = "observability-benchmark"
        configuration.diagnosticLogger = .custom(logger)
        configuration.metrics.enabled = false
        configuration.logs.enabled = false
        configuration.traces.sampler = .alwaysOn
        configuration.traces.batchSpanProcessor = BenchmarkHooks.batchSpanProcessor
        configuration.traces.exporter = .otlp
        configuration.traces.otlpExporter.protocol = .httpProtobuf
        configuration.traces.otlpExporter.endpoint = receiver.tracesEndpoint
        let backend = try OTel.makeTracingBackend(configuration: configuration)
        let group = ServiceGroup(configuration: .init(services: [backend.service], logger: logger))
        self.tracer = backend.factory
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
