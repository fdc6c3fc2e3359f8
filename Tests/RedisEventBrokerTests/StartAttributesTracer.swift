import InMemoryTracing
import Tracing

/// An in-memory tracer that sets an attribute on every span as it starts it, as a tracer's
/// sampler may: the broker must add its attributes to that one, not replace it.
struct StartAttributesTracer: Tracer {
    /// The attribute every span starts with.
    static let attribute = ("sampling.rule", "everything")

    /// The tracer that records the spans.
    let recorder = InMemoryTracer()

    func startSpan<Instant: TracerInstant>(
        _ operationName: String, context: @autoclosure () -> ServiceContext, ofKind kind: SpanKind,
        at instant: @autoclosure () -> Instant, function: String, file fileID: String, line: UInt
    ) -> InMemorySpan {
        let span = recorder.startSpan(
            operationName, context: context(), ofKind: kind, at: instant(), function: function, file: fileID, line: line)
        span.attributes[Self.attribute.0] = Self.attribute.1
        return span
    }

    func forceFlush() {
        recorder.forceFlush()
    }

    func inject<Carrier, Inject: Injector>(_ context: ServiceContext, into carrier: inout Carrier, using injector: Inject)
    where Inject.Carrier == Carrier {
        recorder.inject(context, into: &carrier, using: injector)
    }

    func extract<Carrier, Extract: Extractor>(_ carrier: Carrier, into context: inout ServiceContext, using extractor: Extract)
    where Extract.Carrier == Carrier {
        recorder.extract(carrier, into: &context, using: extractor)
    }
}
