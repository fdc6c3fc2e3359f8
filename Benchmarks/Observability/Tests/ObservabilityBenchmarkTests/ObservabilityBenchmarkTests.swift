import ArgumentParser
import EventBrokerTestSupport
import Foundation
import Logging
import Testing

@testable import ObservabilityBenchmark

#if canImport(FoundationNetworking)
    import FoundationNetworking
#endif

/// The benchmark with a tiny workload, throwaway redis-servers and the loopback collector: every
/// variant runs, nothing is lost, every span reaches the collector. Timings are not checked.
@Suite(.timeLimit(.minutes(3))) struct ObservabilityBenchmarkTests {
    @Test func everyVariantRunsAndEveryEventAndSpanIsAccountedFor() async throws {
        let receiver = try await OTLPReceiver.start()
        var logger = Logger(label: "test") { StreamLogHandler.standardError(label: $0) }
        logger.logLevel = .warning
        let settings = ObservabilityBenchmark.Settings(
            events: 200, rounds: 1, variants: ObservabilityBenchmark.Variant.allCases, concurrency: 4, receiver: receiver,
            logger: logger)
        let outcome: Result<ObservabilityBenchmark.Report, any Error>
        do {
            outcome = .success(try await ObservabilityBenchmark(settings: settings).run { _ in })
        } catch {
            outcome = .failure(error)
        }
        try await receiver.close()
        let report = try outcome.get()

        #expect(report.events == 200)
        #expect(report.variants.map(\.variant) == [.none, .metrics, .otel, .both, .sampled, .hooks, .memory])
        for result in report.variants {
            #expect(result.runs.count == 1)
            for run in result.runs {
                #expect(run.ledger == BenchLedger.Tally(handled: 200, duplicates: 0, lost: 0, unknown: 0))
                #expect(run.eventsPerSecond > 0)
                #if os(Linux)
                    #expect(run.redisCPUMicrosecondsPerEvent != nil, "redis-server's CPU time is read from /proc")
                #endif
            }
        }
        #expect(report.variants.first?.costPercent == 0)
        #expect(report.variants.first?.pairedCostPercent == 0)
        let table = ObservabilityBenchmark.table(report)
        for variant in ["none", "metrics", "otel", "both", "sampled", "hooks", "memory"] {
            #expect(table.contains("\n\(variant) "), "\(table)")
        }
        #expect(table.contains("handled exactly once; lost: 0, duplicates: 0"))
    }

    @Test func thePairedCostComparesRunsOfTheSameRound() {
        func run(_ round: Int, _ rate: Double) -> ObservabilityBenchmark.Run {
            ObservabilityBenchmark.Run(
                round: round, position: 1, seconds: 1, eventsPerSecond: rate, cpuMicrosecondsPerEvent: 1,
                contextSwitchesPerEvent: 1, redisCPUMicrosecondsPerEvent: 1,
                ledger: BenchLedger.Tally(handled: 1, duplicates: 0, lost: 0, unknown: 0))
        }
        // The machine is twice as fast in round 2: each round's variant is 10%, 20% and 30% slower.
        let none = [run(1, 1_000), run(2, 2_000), run(3, 1_000)]
        let hooks = [run(3, 700), run(1, 900), run(2, 1_600)]
        let costs = ObservabilityBenchmark.pairedCosts(of: hooks, against: none)
        #expect(zip(costs, [30, 10, 20]).allSatisfy { abs($0 - $1) < 1e-9 }, "\(costs)")
        #expect(ObservabilityBenchmark.pairedCosts(of: [run(4, 500)], against: none).isEmpty)
    }

    @Test func theMediansRangeIsBetweenTwoSamplesAndHoldsItWithTheBinomialsConfidence() throws {
        // 30 samples: 2 · P(B ≤ 9) = 0.0428 for B ~ Binomial(30, ½), 2 · P(B ≤ 10) = 0.0987, so
        // the 95% range leaves 9 samples out on each side: from the 10th to the 21st.
        let thirty = try #require(MedianConfidenceInterval(of: (1...30).reversed().map(Double.init)))
        #expect([thirty.lower, thirty.upper] == [10, 21])
        #expect(abs(thirty.confidence - 0.95723) < 1e-5)
        // Six samples: only the whole range, 1 − 2/64; five are too few for 95%, not for 90%.
        let six = try #require(MedianConfidenceInterval(of: [3, -1, 4, 1, 5, 9]))
        #expect([six.lower, six.upper] == [-1, 9])
        #expect(abs(six.confidence - 0.96875) < 1e-9)
        #expect(MedianConfidenceInterval(of: [3, -1, 4, 1, 5]) == nil)
        let five = try #require(MedianConfidenceInterval(of: [3, -1, 4, 1, 5], confidence: 0.9))
        #expect(abs(five.confidence - 0.9375) < 1e-9)
        #expect(MedianConfidenceInterval(of: []) == nil)
    }

    @Test func variantsAreChosenByNameAndNoneAlwaysRuns() throws {
        #expect(try ObservabilityBenchmarkCommand.variants("otel") == [.none, .otel])
        #expect(try ObservabilityBenchmarkCommand.variants("memory, metrics") == [.none, .metrics, .memory])
        #expect(try ObservabilityBenchmarkCommand.variants("none") == [.none])
        #expect(try ObservabilityBenchmarkCommand.variants("sampled,otel") == [.none, .otel, .sampled])
        let unknown = #expect(throws: ValidationError.self) { try ObservabilityBenchmarkCommand.variants("otel,zipkin") }
        #expect(unknown?.message == "--variants: 'zipkin' is no variant; use metrics, otel, both, sampled, hooks, memory.")
        #expect(throws: (any Error).self) { try ObservabilityBenchmarkCommand.variants("") }
    }

    @Test func theMinimalTracersTraceparentCarriesItsIdsAndRejectsWhatIsNoVersion00Header() throws {
        let ids = MinimalSpanContext(traceHigh: 0x0af7_6519_16cd_43dd, traceLow: 0x8448_eb21_1c80_319c, spanID: 0xb7)
        #expect(ids.traceparent == "00-0af7651916cd43dd8448eb211c80319c-00000000000000b7-01")
        let parsed = try #require(MinimalSpanContext(traceparent: ids.traceparent))
        #expect([parsed.traceHigh, parsed.traceLow, parsed.spanID] == [ids.traceHigh, ids.traceLow, ids.spanID])
        let highest = MinimalSpanContext(traceHigh: .max, traceLow: .max, spanID: .max)
        #expect(MinimalSpanContext(traceparent: highest.traceparent)?.spanID == .max)
        for header in [
            "", "00-0af7651916cd43dd8448eb211c80319c-00000000000000b7-0",
            "01-0af7651916cd43dd8448eb211c80319c-00000000000000b7-01",
            "00-0AF7651916CD43DD8448EB211C80319C-00000000000000B7-01",
            "00-0af7651916cd43dd8448eb211c80319c_00000000000000b7-01",
            "00-0af7651916cd43dd8448eb211c80319c-00000000000000g7-01",
            "00-0af7651916cd43dd8448eb211c80319c-00000000000000b7-0x",
            "00-0af7651916cd43dd8448eb211c80319c-00000000000000b7-01-",
        ] {
            #expect(MinimalSpanContext(traceparent: header) == nil, "\(header)")
        }
    }

    @Test func aSamplingTracerIsExpectedToRecordAboutATenthOfTheTraces() {
        #expect(BenchmarkHooks.sampledRange(of: 20_000) == 1_745...2_255)
        #expect(BenchmarkHooks.sampledRange(of: 200) == 0...46)
    }

    @Test func theCollectorCountsSpansByKindAndRefusesWhatIsNoExport() async throws {
        let receiver = try await OTLPReceiver.start()
        let request = Protobuf.request(kinds: [4, 5, 5, 1])
        let answers = try await [
            post(request, to: receiver.tracesEndpoint),
            post(request, to: "http://127.0.0.1:\(receiver.port)/v1/metrics"),
            post([0x0a, 0x05, 0x01], to: receiver.tracesEndpoint),
        ]
        let intake = receiver.take()
        try await receiver.close()

        #expect(answers == [200, 400, 400])
        #expect(intake.spans == OTLPSpanCount(producer: 1, consumer: 2, other: 1))
        #expect(intake.requests == 1)
        #expect(intake.refused == 2)
        #expect(receiver.take() == OTLPReceiver.Intake())
    }

    @Test func spansAreFoundUnderEveryResourceAndScope() throws {
        let two = Protobuf.request(kinds: [4, 5]) + Protobuf.request(kinds: [5, 5, 0])
        #expect(try OTLPSpanCount(request: two) == OTLPSpanCount(producer: 1, consumer: 3, other: 1))
        #expect(try OTLPSpanCount(request: []) == OTLPSpanCount())
        #expect(throws: OTLPSpanCount.MalformedRequest.self) { try OTLPSpanCount(request: [0x0a, 0x7f]) }
        #expect(throws: OTLPSpanCount.MalformedRequest.self) { try OTLPSpanCount(request: [0x0b]) }
    }

    /// POSTs `body` as protobuf and returns the status code.
    private func post(_ body: [UInt8], to url: String) async throws -> Int {
        var request = URLRequest(url: try #require(URL(string: url)))
        request.httpMethod = "POST"
        request.setValue("application/x-protobuf", forHTTPHeaderField: "content-type")
        request.httpBody = Data(body)
        let (_, response) = try await URLSession.shared.data(for: request)
        return try #require(response as? HTTPURLResponse).statusCode
    }
}

extension OTLPSpanCount {
    init(producer: Int, consumer: Int, other: Int) {
        self.init()
        (self.producer, self.consumer, self.other) = (producer, consumer, other)
    }
}

/// Hand-made OTLP export requests: one resource, one scope, spans of the given kinds, each with
/// a name and fields of every wire type around its kind.
private enum Protobuf {
    static func request(kinds: [UInt64]) -> [UInt8] {
        let spans = kinds.map { kind in
            field(2, bytes: field(5, bytes: Array("span".utf8)) + key(6, wireType: 0) + varint(kind)
                + key(7, wireType: 1) + Array(repeating: 0, count: 8) + key(15, wireType: 5) + [1, 2, 3, 4])
        }
        let scope = field(1, bytes: field(1, bytes: Array("scope".utf8))) + spans.flatMap { $0 }
        let resourceSpans = field(1, bytes: []) + field(2, bytes: scope) + field(3, bytes: Array("schema".utf8))
        return field(1, bytes: resourceSpans)
    }

    private static func field(_ number: UInt64, bytes: [UInt8]) -> [UInt8] {
        key(number, wireType: 2) + varint(UInt64(bytes.count)) + bytes
    }

    private static func key(_ number: UInt64, wireType: UInt64) -> [UInt8] { varint(number << 3 | wireType) }

    private static func varint(_ value: UInt64) -> [UInt8] {
        var value = value
        var bytes: [UInt8] = []
        repeat {
            bytes.append(UInt8(value & 0x7f) | (value >= 0x80 ? 0x80 : 0))
            value >>= 7
        } while value > 0
        return bytes
    }
}
