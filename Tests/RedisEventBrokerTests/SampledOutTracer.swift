import InMemoryTracing
import Synchronization
import Tracing

/// A tracer whose sampler records no span, as a ratio sampler does for most traces: every span
/// it starts is not recording, but has ids of its own (a child of the context's span, or the
/// root of a new trace), and its context is injected into what is sent, so the decision reaches
/// the next service. It keeps what the broker did to its spans, and counts the extractions
/// asked of it.
final class SampledOutTracer: Tracer {
    /// The tracer whose propagation this one uses.
    private let propagation = InMemoryTracer()
    private let started = Mutex<[SampledOutSpan]>([])
    private let extractionCount = Atomic<Int>(0)

    /// The spans started so far, in order.
    var spans: [SampledOutSpan] { started.withLock { $0 } }
    /// How many times something was extracted from a carrier.
    var extractions: Int { extractionCount.load(ordering: .relaxed) }

    func startSpan<Instant: TracerInstant>(
        _ operationName: String, context: @autoclosure () -> ServiceContext, ofKind kind: SpanKind,
        at instant: @autoclosure () -> Instant, function: String, file fileID: String, line: UInt
    ) -> SampledOutSpan {
        var context = context()
        let parent = context.inMemorySpanContext
        return started.withLock { started in
            let number = started.count + 1
            context.inMemorySpanContext = InMemorySpanContext(
                traceID: parent?.traceID ?? "sampled-out-trace-\(number)", spanID: "sampled-out-span-\(number)",
                parentSpanID: parent?.spanID)
            let span = SampledOutSpan(operationName: operationName, kind: kind, context: context)
            started.append(span)
            return span
        }
    }

    func forceFlush() {}

    func inject<Carrier, Inject: Injector>(_ context: ServiceContext, into carrier: inout Carrier, using injector: Inject)
    where Inject.Carrier == Carrier {
        propagation.inject(context, into: &carrier, using: injector)
    }

    func extract<Carrier, Extract: Extractor>(_ carrier: Carrier, into context: inout ServiceContext, using extractor: Extract)
    where Extract.Carrier == Carrier {
        extractionCount.add(1, ordering: .relaxed)
        propagation.extract(carrier, into: &context, using: extractor)
    }
}

/// A span that is not recording: it keeps the context it was started in, and what was set on it.
final class SampledOutSpan: Span {
    private struct Recorded {
        var operationName: String
        var attributes: SpanAttributes = [:]
        var links: [SpanLink] = []
        var ended = false
    }

    /// The span's kind.
    let kind: SpanKind
    let context: ServiceContext
    private let recorded: Mutex<Recorded>

    init(operationName: String, kind: SpanKind, context: ServiceContext) {
        self.kind = kind
        self.context = context
        recorded = Mutex(Recorded(operationName: operationName))
    }

    var operationName: String {
        get { recorded.withLock { $0.operationName } }
        set { recorded.withLock { $0.operationName = newValue } }
    }

    var attributes: SpanAttributes {
        get { recorded.withLock { $0.attributes } }
        set { recorded.withLock { $0.attributes = newValue } }
    }

    /// The links added to it.
    var links: [SpanLink] { recorded.withLock { $0.links } }
    /// Whether it ended.
    var ended: Bool { recorded.withLock { $0.ended } }
    var isRecording: Bool { false }

    func setStatus(_ status: SpanStatus) {}

    func addEvent(_ event: SpanEvent) {}

    func recordError<Instant: TracerInstant>(
        _ error: any Error, attributes: SpanAttributes, at instant: @autoclosure () -> Instant
    ) {}

    func addLink(_ link: SpanLink) {
        recorded.withLock { $0.links.append(link) }
    }

    func end<Instant: TracerInstant>(at instant: @autoclosure () -> Instant) {
        recorded.withLock { $0.ended = true }
    }
}
