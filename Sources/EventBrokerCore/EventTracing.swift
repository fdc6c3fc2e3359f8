import Tracing

/// Traces a broker instance's events with swift-distributed-tracing, following OpenTelemetry's
/// messaging conventions: a producer span per publish, whose context travels in the event's
/// headers, and a consumer span per handler run, linked to it (docs/OBSERVABILITY.md, Tracing).
///
/// Without a tracer (the effective one is a `NoOpTracer`), every method runs its work as it is:
/// no span, no header, no allocation.
struct EventTracing: Sendable {
    /// The value of `messaging.system`.
    static let system = "redis_event_broker"

    /// The configured tracer, `nil` when it is a `NoOpTracer` or none was configured.
    private let configuredTracer: (any Tracer)?
    /// Whether no tracer was configured, so that `InstrumentationSystem` is asked at each call.
    private let followsInstrumentationSystem: Bool
    /// The attributes every producer span of this instance carries, with room for the event's.
    private let publishAttributes: SpanAttributes
    /// The attributes every consumer span of this instance carries (the service is the
    /// consumer group), with room for the event's.
    private let processAttributes: SpanAttributes

    /// Traces with `tracer`, or with `InstrumentationSystem`'s tracer when it is `nil`.
    init(tracer: (any Tracer)?, serviceName: String) {
        configuredTracer = tracer is NoOpTracer ? nil : tracer
        followsInstrumentationSystem = tracer == nil
        publishAttributes = Self.attributes(operation: "publish", capacity: 5, serviceName: nil)
        processAttributes = Self.attributes(operation: "process", capacity: 7, serviceName: serviceName)
    }

    /// The tracer of one operation, `nil` when it would record nothing (a `NoOpTracer`).
    /// `InstrumentationSystem` is asked each time, so a tracer bootstrapped after the broker was
    /// created, or bound with `withTracer`, is used. When nothing is bootstrapped, its instrument
    /// is a `NoOpInstrument`: that answers at the cost of a task-local read and a read lock,
    /// without the search for a tracer among the instruments (a few existential casts): the
    /// instrument's type is compared, no cast. A configured tracer was checked once, when the
    /// broker was created.
    private var tracer: (any Tracer)? {
        guard followsInstrumentationSystem else { return configuredTracer }
        if type(of: InstrumentationSystem.instrument) == NoOpInstrument.self {
            return nil
        }
        let tracer = InstrumentationSystem.tracer
        return tracer is NoOpTracer ? nil : tracer
    }

    /// Runs `publish` in a producer span `<topic> publish`, with the span's context injected into
    /// the headers of the event it is given (a header of the same name the caller set is
    /// replaced; the others are kept). An error is recorded on the span, which ends with `publish`.
    func publishing<Result>(
        _ event: Event, id: String, _ publish: (Event) async throws -> Result
    ) async throws -> Result {
        guard let tracer else { return try await publish(event) }
        let span = tracer.startSpan(
            "\(event.topic) publish", context: ServiceContext.current ?? .topLevel, ofKind: .producer)
        defer { span.end() }
        if span.isRecording {
            Self.add(
                Self.attributes(publishAttributes, topic: event.topic, id: id, streamId: event.streamId), to: span)
        }
        var traced = event
        tracer.inject(span.context, into: &traced.headers, using: HeaderInjector())
        do {
            return try await ServiceContext.$current.withValue(span.context) { try await publish(traced) }
        } catch {
            span.recordError(error)
            span.setStatus(SpanStatus(code: .error))
            throw error
        }
    }

    /// Where a consumer span starts.
    enum ConsumerParent {
        /// Under the caller's current span: ``RedisEventBroker/pick(_:)`` runs the handler as
        /// part of what its caller does.
        case caller
        /// At the root of a new trace: a consumer loop's handlers are part of no caller's work.
        case newTrace
    }

    /// Runs `handler` on `event` in a consumer span `<topic> process`, the current context while
    /// it runs, linked to the producer span whose context the event's headers carry (no link
    /// when they carry none). A thrown error is recorded on the span and sets its status to
    /// error; the span ends when the handler returns or throws, before the ack or nack.
    func processing(
        _ event: DeliveredEvent, parent: ConsumerParent, _ handler: (DeliveredEvent) async throws -> Void
    ) async throws {
        guard let tracer else { return try await handler(event) }
        let context: ServiceContext =
            switch parent {
            case .caller: ServiceContext.current ?? .topLevel
            case .newTrace: .topLevel
            }
        let span = tracer.startSpan("\(event.topic) process", context: context, ofKind: .consumer)
        defer { span.end() }
        if span.isRecording {
            // The producer's context is only the link's, never the span's parent, so a span
            // sampled out (most of them, with a ratio sampler) needs no extraction.
            var producer = ServiceContext.topLevel
            tracer.extract(event.headers, into: &producer, using: HeaderExtractor())
            if !producer.isEmpty {
                span.addLink(SpanLink(context: producer, attributes: [:]))
            }
            var attributes = Self.attributes(
                processAttributes, topic: event.topic, id: event.id, streamId: event.streamId)
            attributes.set("messaging.redis_event_broker.delivery_count", value: .int64(Int64(event.deliveryCount)))
            Self.add(attributes, to: span)
        }
        do {
            try await ServiceContext.$current.withValue(span.context) { try await handler(event) }
        } catch {
            span.recordError(error)
            span.setStatus(SpanStatus(code: .error))
            throw error
        }
    }
}

extension EventTracing {
    /// The attributes of every span of one operation (and, for a consumer span, the consumer
    /// group), in a dictionary of `capacity` attributes: a span's copy takes the event's without
    /// growing, and these are hashed once per instance instead of once per event.
    private static func attributes(operation: String, capacity: Int, serviceName: String?) -> SpanAttributes {
        var attributes = SpanAttributes()
        attributes.reserveCapacity(capacity)
        attributes.set("messaging.system", value: .string(system))
        attributes.set("messaging.operation.type", value: .string(operation))
        if let serviceName {
            attributes.set("messaging.consumer.group.name", value: .string(serviceName))
        }
        return attributes
    }

    /// `template` with the attributes of one event: its topic, id and stream.
    private static func attributes(
        _ template: SpanAttributes, topic: String, id: String, streamId: String
    ) -> SpanAttributes {
        var attributes = template
        attributes.set("messaging.destination.name", value: .string(topic))
        attributes.set("messaging.message.id", value: .string(id))
        attributes.set("messaging.message.conversation_id", value: .string(streamId))
        return attributes
    }

    /// Adds `attributes` to `span`: assigned as they are when the tracer set none at the span's
    /// start (the usual case), merged into the tracer's otherwise.
    private static func add(_ attributes: SpanAttributes, to span: any Span) {
        if span.attributes.isEmpty {
            span.attributes = attributes
        } else {
            span.updateAttributes { $0.merge(attributes) }
        }
    }
}

/// Writes a tracer's propagation fields into an event's headers.
private struct HeaderInjector: Injector {
    func inject(_ value: String, forKey key: String, into headers: inout [String: String]) {
        headers[key] = value
    }
}

/// Reads a tracer's propagation fields from an event's headers.
private struct HeaderExtractor: Extractor {
    func extract(key: String, from headers: [String: String]) -> String? {
        headers[key]
    }
}
