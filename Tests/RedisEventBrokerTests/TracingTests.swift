import EventBrokerTestSupport
import Foundation
import InMemoryTracing
import Synchronization
import Testing
import Tracing

@testable import EventBrokerCore
@testable import RedisEventBroker

/// Trace propagation from a publisher to a consumer in another broker instance, through a real
/// redis-server, with in-memory tracers injected into the configurations (nothing is bootstrapped).
@Suite(.timeLimit(.minutes(2))) struct TracingTests {
    struct HandlerFailure: Error {}

    /// An in-memory tracer whose trace and span ids start with `service`, as if each service
    /// were a process of its own: a consumer span can only find the producer's ids in the headers.
    static func tracer(_ service: String) -> InMemoryTracer {
        InMemoryTracer(
            idGenerator: .init(
                nextTraceID: { "\(service)-trace-\(UUID().uuidString.prefix(8))" },
                nextSpanID: { "\(service)-span-\(UUID().uuidString.prefix(8))" }))
    }

    /// The finished spans of `tracer` named `name`.
    static func spans(_ tracer: InMemoryTracer, named name: String) -> [FinishedInMemorySpan] {
        tracer.finishedSpans.filter { $0.operationName == name }
    }

    /// The context a link to `span` carries after a trip through the headers.
    static func linkContext(to span: FinishedInMemorySpan) -> InMemorySpanContext {
        InMemorySpanContext(traceID: span.traceID, spanID: span.spanID, parentSpanID: nil)
    }

    /// The attributes of the consumer span of `event` in service billing.
    static func processAttributes(eventId: String, streamId: String, deliveryCount: Int) -> SpanAttributes {
        var attributes: SpanAttributes = [
            "messaging.system": "redis_event_broker",
            "messaging.operation.type": "process",
            "messaging.destination.name": "orders",
            "messaging.message.id": .string(eventId),
            "messaging.message.conversation_id": .string(streamId),
            "messaging.consumer.group.name": "billing",
        ]
        attributes["messaging.redis_event_broker.delivery_count"] = deliveryCount
        return attributes
    }

    @Test func publishingInjectsTheProducerSpanIntoTheStoredHeadersAndKeepsTheUsersHeaders() async throws {
        try await TestRedis.with { redis in
            let shopTracer = Self.tracer("shop")
            let shop = try await redis.broker("shop") { $0.tracer = shopTracer }
            let billing = try await redis.broker("billing")
            try await billing.subscribe("orders")

            let checkout = shopTracer.startSpan("checkout")
            let id = try await ServiceContext.$current.withValue(checkout.context) {
                try await shop.publishEvent(
                    Event(streamId: "order-15", topic: "orders", headers: ["tenant": "acme", "locale": "de"]))
            }
            checkout.end()

            let producer = try #require(Self.spans(shopTracer, named: "orders publish").first)
            #expect(producer.kind == .producer)
            #expect(producer.traceID == checkout.traceID)
            #expect(producer.parentSpanID == checkout.spanID)
            #expect(
                producer.attributes == [
                    "messaging.system": "redis_event_broker",
                    "messaging.operation.type": "publish",
                    "messaging.destination.name": "orders",
                    "messaging.message.id": .string(id),
                    "messaging.message.conversation_id": "order-15",
                ])
            #expect(producer.errors.isEmpty)
            #expect(producer.status == nil)

            let stored = try #require(try await redis.command("HGET", billing.serviceKeys.events, id).bytes)
            #expect(
                try JSONCodec().decodeEnvelope(stored).headers == [
                    "tenant": "acme", "locale": "de",
                    InMemoryTracer.traceIDKey: producer.traceID, InMemoryTracer.spanIDKey: producer.spanID,
                ])
        }
    }

    @Test func pickRunsTheHandlerInAConsumerSpanLinkedToTheProducerSpan() async throws {
        try await TestRedis.with { redis in
            let shopTracer = Self.tracer("shop")
            let billingTracer = Self.tracer("billing")
            let shop = try await redis.broker("shop") { $0.tracer = shopTracer }
            let billing = try await redis.broker("billing") { $0.tracer = billingTracer }
            try await billing.subscribe("orders")
            let id = try await shop.publishEvent(Event(streamId: "order-15", topic: "orders"))
            let producer = try #require(Self.spans(shopTracer, named: "orders publish").first)

            // pick runs its handler as part of its caller's work: the consumer span is a child of the caller's span.
            let batch = billingTracer.startSpan("nightly billing")
            var handlerContext: InMemorySpanContext?
            let handled = try await ServiceContext.$current.withValue(batch.context) {
                try await billing.pick { _ in
                    handlerContext = ServiceContext.current?.inMemorySpanContext
                    billingTracer.startSpan("charge card").end()
                }
            }
            batch.end()
            #expect(handled)

            let process = try #require(Self.spans(billingTracer, named: "orders process").first)
            #expect(process.kind == .consumer)
            #expect(process.traceID == batch.traceID)
            #expect(process.parentSpanID == batch.spanID)
            #expect(process.links.map(\.context.inMemorySpanContext) == [Self.linkContext(to: producer)])
            #expect(process.attributes == Self.processAttributes(eventId: id, streamId: "order-15", deliveryCount: 1))
            #expect(process.errors.isEmpty)
            #expect(process.status == nil)
            #expect(handlerContext == process.spanContext, "the consumer span is current while the handler runs")
            let charge = try #require(Self.spans(billingTracer, named: "charge card").first)
            #expect(charge.parentSpanID == process.spanID, "the handler's own spans are children of the consumer span")
        }
    }

    @Test func consumeRunsEachHandlerInANewTraceLinkedToItsProducerSpan() async throws {
        try await TestRedis.with { redis in
            let shopTracer = Self.tracer("shop")
            let billingTracer = Self.tracer("billing")
            let shop = try await redis.broker("shop") { $0.tracer = shopTracer }
            let billing = try await redis.broker("billing") { $0.tracer = billingTracer }
            try await billing.subscribe("orders")

            let handlerContexts = Mutex<[String: InMemorySpanContext]>([:])
            let startup = billingTracer.startSpan("startup")
            let consuming = Task {
                // The loop's handlers are no part of the work that started it: their spans start new traces.
                try await ServiceContext.$current.withValue(startup.context) {
                    try await billing.consume(concurrency: 2) { event in
                        let context = ServiceContext.current?.inMemorySpanContext
                        handlerContexts.withLock { $0[event.id] = context }
                    }
                }
            }
            var streams: [String: String] = [:]
            for number in 1...2 {
                let checkout = shopTracer.startSpan("checkout \(number)")
                let id = try await ServiceContext.$current.withValue(checkout.context) {
                    try await shop.publishEvent(Event(streamId: "order-\(number)", topic: "orders"))
                }
                checkout.end()
                streams[id] = "order-\(number)"
            }
            try await eventually("both events were handled") {
                Self.spans(billingTracer, named: "orders process").count == 2
            }
            consuming.cancel()
            try await consuming.value
            startup.end()

            let producers = Self.spans(shopTracer, named: "orders publish")
            for process in Self.spans(billingTracer, named: "orders process") {
                guard case .string(let id) = process.attributes.get("messaging.message.id") else {
                    Issue.record("a consumer span without a message id")
                    continue
                }
                let producer = try #require(producers.first { $0.attributes.get("messaging.message.id") == .string(id) })
                let stream = try #require(streams[id])
                #expect(process.kind == .consumer)
                #expect(process.parentSpanID == nil)
                #expect(process.traceID != startup.traceID)
                #expect(process.links.map(\.context.inMemorySpanContext) == [Self.linkContext(to: producer)])
                #expect(process.attributes == Self.processAttributes(eventId: id, streamId: stream, deliveryCount: 1))
                #expect(handlerContexts.withLock { $0[id] } == process.spanContext)
            }
        }
    }

    @Test func aThrowingHandlerRecordsItsErrorOnTheConsumerSpan() async throws {
        try await TestRedis.with { redis in
            let shopTracer = Self.tracer("shop")
            let billingTracer = Self.tracer("billing")
            let shop = try await redis.broker("shop") { $0.tracer = shopTracer }
            let billing = try await redis.broker("billing") { $0.tracer = billingTracer }
            try await billing.subscribe("orders")
            let id = try await shop.publishEvent(Event(streamId: "order-15", topic: "orders"))
            let producer = try #require(Self.spans(shopTracer, named: "orders publish").first)

            // The first delivery fails in pick, the second in the consumer loop, the third succeeds there.
            await #expect(throws: HandlerFailure.self) { try await billing.pick { _ in throw HandlerFailure() } }
            let consuming = Task {
                try await billing.consume { event in
                    if event.deliveryCount == 2 { throw HandlerFailure() }
                }
            }
            try await eventually("the third delivery was handled") {
                Self.spans(billingTracer, named: "orders process").count == 3
            }
            consuming.cancel()
            try await consuming.value

            let processes = Self.spans(billingTracer, named: "orders process")
            #expect(
                processes.map(\.attributes) == (1...3).map {
                    Self.processAttributes(eventId: id, streamId: "order-15", deliveryCount: $0)
                })
            #expect(processes.map { $0.errors.map { $0.error is HandlerFailure } } == [[true], [true], []])
            #expect(processes.map(\.status) == [SpanStatus(code: .error), SpanStatus(code: .error), nil])
            #expect(processes.allSatisfy { $0.links.map(\.context.inMemorySpanContext) == [Self.linkContext(to: producer)] })
        }
    }

    @Test func aFailedPublishRecordsItsErrorOnTheProducerSpan() async throws {
        struct Unencodable: Encodable, Sendable {
            struct Refused: Error {}
            func encode(to encoder: any Encoder) throws { throw Refused() }
        }
        try await TestRedis.with { redis in
            let shopTracer = Self.tracer("shop")
            let shop = try await redis.broker("shop") { $0.tracer = shopTracer }
            await #expect(throws: BrokerError.self) {
                try await shop.publishEvent(Event(streamId: "order-15", topic: "orders", payload: Unencodable()))
            }
            let producer = try #require(Self.spans(shopTracer, named: "orders publish").first)
            #expect(producer.errors.map { $0.error is BrokerError } == [true])
            #expect(producer.status == SpanStatus(code: .error))
            #expect(shopTracer.activeSpans.isEmpty, "the span ended")
        }
    }

    @Test func withoutATracerNoSpanStartsAndNoHeaderIsAdded() async throws {
        try #require(InstrumentationSystem.tracer is NoOpTracer, "no test bootstraps a tracer")
        try await TestRedis.with { redis in
            let shop = try await redis.broker("shop")
            let billing = try await redis.broker("billing")
            try await billing.subscribe("orders")
            let id = try await shop.publishEvent(Event(streamId: "order-15", topic: "orders", headers: ["tenant": "acme"]))
            let stored = try #require(try await redis.command("HGET", billing.serviceKeys.events, id).bytes)
            #expect(try JSONCodec().decodeEnvelope(stored).headers == ["tenant": "acme"])
            var handlerHadContext: Bool?
            try await billing.pick { event in
                #expect(event.headers == ["tenant": "acme"])
                handlerHadContext = ServiceContext.current != nil
            }
            #expect(handlerHadContext == false, "no span, not even a no-op one, was made current")
        }
    }

    @Test func withoutAConfiguredTracerTheInstrumentationSystemsTracerIsUsed() async throws {
        try await TestRedis.with { redis in
            let shop = try await redis.broker("shop")
            let billing = try await redis.broker("billing")
            try await billing.subscribe("orders")
            let tracer = Self.tracer("bound")
            try await withTracer(tracer) {
                try await shop.publishEvent(Event(streamId: "order-15", topic: "orders"))
                try await billing.pick { _ in }
            }
            let producer = try #require(Self.spans(tracer, named: "orders publish").first)
            let process = try #require(Self.spans(tracer, named: "orders process").first)
            #expect(process.links.map(\.context.inMemorySpanContext) == [Self.linkContext(to: producer)])
        }
    }

    @Test func attributesTheTracerSetAtTheStartOfASpanAreKept() async throws {
        try await TestRedis.with { redis in
            let tracer = StartAttributesTracer()
            let shop = try await redis.broker("shop") { $0.tracer = tracer }
            let billing = try await redis.broker("billing") { $0.tracer = tracer }
            try await billing.subscribe("orders")
            let id = try await shop.publishEvent(Event(streamId: "order-15", topic: "orders"))
            #expect(try await billing.pick { _ in })

            let (name, value) = StartAttributesTracer.attribute
            let producer = try #require(Self.spans(tracer.recorder, named: "orders publish").first)
            #expect(producer.attributes.get(name) == .string(value))
            #expect(producer.attributes.get("messaging.message.id") == .string(id))
            #expect(producer.attributes.count == 6)
            let process = try #require(Self.spans(tracer.recorder, named: "orders process").first)
            var expected = Self.processAttributes(eventId: id, streamId: "order-15", deliveryCount: 1)
            expected[name] = value
            #expect(process.attributes == expected)
        }
    }

    @Test func spansSampledOutStillCarryTheirContextButAreGivenNothing() async throws {
        try await TestRedis.with { redis in
            let tracer = SampledOutTracer()
            let shop = try await redis.broker("shop") { $0.tracer = tracer }
            let billing = try await redis.broker("billing") { $0.tracer = tracer }
            try await billing.subscribe("orders")
            let id = try await shop.publishEvent(Event(streamId: "order-15", topic: "orders", headers: ["tenant": "acme"]))
            let stored = try #require(try await redis.command("HGET", billing.serviceKeys.events, id).bytes)
            var handled: (headers: [String: String], context: InMemorySpanContext?)?
            #expect(
                try await billing.pick { event in
                    handled = (event.headers, ServiceContext.current?.inMemorySpanContext)
                })

            let spans = tracer.spans
            try #require(spans.count == 2)
            let (producer, process) = (spans[0], spans[1])
            #expect(producer.operationName == "orders publish" && producer.kind == .producer)
            #expect(process.operationName == "orders process" && process.kind == .consumer)
            let producerContext = try #require(producer.context.inMemorySpanContext)
            let injected = [
                "tenant": "acme",
                InMemoryTracer.traceIDKey: producerContext.traceID, InMemoryTracer.spanIDKey: producerContext.spanID,
            ]
            #expect(try JSONCodec().decodeEnvelope(stored).headers == injected, "the decision travels with the event")
            #expect(handled?.headers == injected)
            #expect(handled?.context == process.context.inMemorySpanContext, "the consumer span is current all the same")
            for span in spans {
                #expect(span.ended)
                #expect(span.attributes.isEmpty)
                #expect(span.links.isEmpty)
            }
            #expect(tracer.extractions == 0, "no link to make, so nothing to read from the headers")
        }
    }

    @Test func configurationsWithAndWithoutATracerDoNotShareAnInstance() async throws {
        try await TestRedis.with { redis in
            let plain = redis.configuration("billing")
            var traced = plain
            traced.tracer = InMemoryTracer()
            var tracedAgain = plain
            tracedAgain.tracer = InMemoryTracer()
            let untracedBroker = try await RedisEventBroker.shared(plain)
            let tracedBroker = try await RedisEventBroker.shared(traced)
            #expect(untracedBroker !== tracedBroker)
            #expect(try await RedisEventBroker.shared(tracedAgain) === tracedBroker, "tracers of one type count as equal")
            try await untracedBroker.shutdown()
            try await tracedBroker.shutdown()
        }
    }
}
