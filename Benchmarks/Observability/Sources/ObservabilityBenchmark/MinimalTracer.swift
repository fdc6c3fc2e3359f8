import Synchronization
import Tracing

/// A tracer that does what every tracer does for each span and nothing more: a unique span id
/// (and trace id for a root span), the W3C `traceparent` header injected and extracted, the
/// name, attributes, links and status kept until the span ends; then it counts the span by kind
/// and drops it. It exports nothing, so a run with it measures the broker's tracing hooks, not
/// a tracer's export pipeline (the `otel` variants measure that).
final class MinimalTracer: Tracer {
    /// The spans that ended, by kind.
    private let ended = Mutex((producer: 0, consumer: 0))

    /// How many producer and consumer spans ended so far.
    var endedSpans: (producer: Int, consumer: Int) { ended.withLock { $0 } }

    /// Counts a span of `kind` that ended.
    fileprivate func countEnded(_ kind: SpanKind) {
        switch kind {
        case .producer: ended.withLock { $0.producer += 1 }
        case .consumer: ended.withLock { $0.consumer += 1 }
        default: break
        }
    }
    /// Numbers the ids; each is this number mixed (splitmix64), so ids are unique and spread
    /// without a system call per span.
    private let counter = Atomic<UInt64>(UInt64.random(in: .min ... .max))

    /// A new id, never 0 (W3C reserves an all-zero id).
    fileprivate func nextID() -> UInt64 {
        var value = counter.wrappingAdd(0x9E37_79B9_7F4A_7C15, ordering: .relaxed).newValue
        value = (value ^ (value >> 30)) &* 0xBF58_476D_1CE4_E5B9
        value = (value ^ (value >> 27)) &* 0x94D0_49BB_1331_11EB
        value ^= value >> 31
        return value == 0 ? 1 : value
    }

    func startSpan<Instant: TracerInstant>(
        _ operationName: String, context: @autoclosure () -> ServiceContext, ofKind kind: SpanKind,
        at instant: @autoclosure () -> Instant, function: String, file fileID: String, line: UInt
    ) -> MinimalSpan {
        var context = context()
        let parent = context.minimalSpanContext
        context.minimalSpanContext = MinimalSpanContext(
            traceHigh: parent?.traceHigh ?? nextID(), traceLow: parent?.traceLow ?? nextID(), spanID: nextID())
        return MinimalSpan(operationName: operationName, kind: kind, context: context, tracer: self)
    }

    func forceFlush() {}

    func inject<Carrier, Inject: Injector>(_ context: ServiceContext, into carrier: inout Carrier, using injector: Inject)
    where Inject.Carrier == Carrier {
        guard let span = context.minimalSpanContext else { return }
        injector.inject(span.traceparent, forKey: "traceparent", into: &carrier)
    }

    func extract<Carrier, Extract: Extractor>(_ carrier: Carrier, into context: inout ServiceContext, using extractor: Extract)
    where Extract.Carrier == Carrier {
        guard let header = extractor.extract(key: "traceparent", from: carrier),
            let span = MinimalSpanContext(traceparent: header)
        else { return }
        context.minimalSpanContext = span
    }
}

/// The ids of a span, as the `traceparent` header carries them. The header is written and read
/// byte by byte, as a tracer's W3C propagator does (swift-otel's reads the header's UTF-8 bytes
/// the same way): no intermediate strings, arrays or character counting.
struct MinimalSpanContext: Sendable {
    let traceHigh: UInt64
    let traceLow: UInt64
    let spanID: UInt64

    /// The length of a version-00 header: `00-` + 32 + `-` + 16 + `-` + 2.
    private static let headerLength = 55
    /// Where the trace id's two halves, the span id and the flags start in the header.
    private static let (traceHighOffset, traceLowOffset, spanOffset, flagsOffset) = (3, 19, 36, 53)

    /// `00-<trace id>-<span id>-01`.
    var traceparent: String {
        String(unsafeUninitializedCapacity: Self.headerLength) { header in
            let (zero, one, dash) = (UInt8(ascii: "0"), UInt8(ascii: "1"), UInt8(ascii: "-"))
            (header[0], header[1], header[2]) = (zero, zero, dash)
            (header[Self.traceLowOffset + 16], header[Self.spanOffset + 16]) = (dash, dash)
            (header[Self.flagsOffset], header[Self.flagsOffset + 1]) = (zero, one)
            Self.writeHex(traceHigh, into: header, at: Self.traceHighOffset)
            Self.writeHex(traceLow, into: header, at: Self.traceLowOffset)
            Self.writeHex(spanID, into: header, at: Self.spanOffset)
            return Self.headerLength
        }
    }

    init(traceHigh: UInt64, traceLow: UInt64, spanID: UInt64) {
        self.traceHigh = traceHigh
        self.traceLow = traceLow
        self.spanID = spanID
    }

    /// The ids of a version-00 `traceparent` header (lowercase hex, as W3C requires); nil for
    /// anything else.
    init?(traceparent: String) {
        var header = traceparent
        let ids: (UInt64, UInt64, UInt64)? = header.withUTF8 { bytes in
            guard bytes.count == Self.headerLength, bytes[0] == UInt8(ascii: "0"), bytes[1] == UInt8(ascii: "0"),
                bytes[2] == UInt8(ascii: "-"), bytes[Self.traceLowOffset + 16] == UInt8(ascii: "-"),
                bytes[Self.spanOffset + 16] == UInt8(ascii: "-"),
                Self.readHex(bytes, at: Self.flagsOffset, digits: 2) != nil,
                let high = Self.readHex(bytes, at: Self.traceHighOffset, digits: 16),
                let low = Self.readHex(bytes, at: Self.traceLowOffset, digits: 16),
                let span = Self.readHex(bytes, at: Self.spanOffset, digits: 16)
            else { return nil }
            return (high, low, span)
        }
        guard let (high, low, span) = ids else { return nil }
        self.init(traceHigh: high, traceLow: low, spanID: span)
    }

    /// Writes `value` as 16 lowercase hex digits at `offset`.
    private static func writeHex(_ value: UInt64, into buffer: UnsafeMutableBufferPointer<UInt8>, at offset: Int) {
        for index in 0..<16 {
            let nibble = UInt8(truncatingIfNeeded: value >> (60 - 4 * index)) & 0xF
            buffer[offset + index] = nibble < 10 ? UInt8(ascii: "0") + nibble : UInt8(ascii: "a") + nibble - 10
        }
    }

    /// The value of `digits` lowercase hex digits at `offset`; nil when one is not such a digit.
    private static func readHex(_ bytes: UnsafeBufferPointer<UInt8>, at offset: Int, digits: Int) -> UInt64? {
        var value: UInt64 = 0
        for byte in bytes[offset..<offset + digits] {
            let nibble: UInt8
            switch byte {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): nibble = byte - UInt8(ascii: "0")
            case UInt8(ascii: "a")...UInt8(ascii: "f"): nibble = byte - UInt8(ascii: "a") + 10
            default: return nil
            }
            value = value << 4 | UInt64(nibble)
        }
        return value
    }
}

private enum MinimalSpanContextKey: ServiceContextKey {
    typealias Value = MinimalSpanContext
}

extension ServiceContext {
    /// The span ids ``MinimalTracer`` keeps in a context.
    fileprivate var minimalSpanContext: MinimalSpanContext? {
        get { self[MinimalSpanContextKey.self] }
        set { self[MinimalSpanContextKey.self] = newValue }
    }
}

/// A span of ``MinimalTracer``: what it records is kept under a lock until it ends.
final class MinimalSpan: Span {
    private struct Recorded {
        var operationName: String
        var attributes: SpanAttributes = [:]
        var links: [SpanLink] = []
        var events: [SpanEvent] = []
        var status: SpanStatus?
        var ended = false
    }

    let context: ServiceContext
    private let kind: SpanKind
    private let tracer: MinimalTracer
    private let recorded: Mutex<Recorded>

    fileprivate init(operationName: String, kind: SpanKind, context: ServiceContext, tracer: MinimalTracer) {
        self.context = context
        self.kind = kind
        self.tracer = tracer
        self.recorded = Mutex(Recorded(operationName: operationName))
    }

    var operationName: String {
        get { recorded.withLock { $0.operationName } }
        set { recorded.withLock { $0.operationName = newValue } }
    }

    var attributes: SpanAttributes {
        get { recorded.withLock { $0.attributes } }
        set { recorded.withLock { $0.attributes = newValue } }
    }

    var isRecording: Bool { recorded.withLock { !$0.ended } }

    func setStatus(_ status: SpanStatus) {
        recorded.withLock { $0.status = status }
    }

    func addEvent(_ event: SpanEvent) {
        recorded.withLock { $0.events.append(event) }
    }

    func recordError<Instant: TracerInstant>(
        _ error: any Error, attributes: SpanAttributes, at instant: @autoclosure () -> Instant
    ) {
        addEvent(SpanEvent(name: "exception", at: instant(), attributes: attributes))
    }

    func addLink(_ link: SpanLink) {
        recorded.withLock { $0.links.append(link) }
    }

    func end<Instant: TracerInstant>(at instant: @autoclosure () -> Instant) {
        let first = recorded.withLock { recorded in
            defer { recorded.ended = true }
            return !recorded.ended
        }
        if first { tracer.countEnded(kind) }
    }
}
