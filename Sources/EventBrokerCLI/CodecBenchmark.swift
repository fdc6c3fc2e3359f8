import EventBrokerTestSupport
import EventBrokerCodecBinary
import EventBrokerCodecJSON
import EventBrokerCore
import Foundation

/// Measures envelope size and encode/decode time per event for each codec and event size.
struct CodecBenchmark {
    /// One event size to measure.
    struct Workload {
        let name: String
        let order: BenchOrder
    }

    /// The figures of one codec on one workload.
    struct Measurement: Codable {
        let codec: String
        /// The size of the whole stored envelope, and of the payload inside it.
        let envelopeBytes: Int
        let payloadBytes: Int
        /// Median nanoseconds per event: payload then envelope, and envelope then payload.
        let encodeNanoseconds: Double
        let decodeNanoseconds: Double
    }

    /// Both codecs on one workload, and how they compare.
    struct Result: Codable {
        let workload: String
        let json: Measurement
        let binary: Measurement
        /// Binary envelope size / JSON envelope size.
        let sizeRatio: Double
        /// JSON (encode + decode) time / binary (encode + decode) time.
        let speedup: Double
    }

    /// Small (a 100 B payload), medium (2 KiB) and large (64 KiB) orders, sized by their JSON payload.
    static let workloads = [
        Workload(name: "small", order: BenchOrder.make(lineCount: 0, signatureBytes: 0, seed: 1)),
        Workload(name: "medium", order: BenchOrder.make(lineCount: 18, signatureBytes: 32, seed: 2)),
        Workload(name: "large", order: BenchOrder.make(lineCount: 580, signatureBytes: 4096, seed: 3)),
    ]

    /// Timed batches per measurement.
    let batches: Int

    /// Runs every workload on both codecs; throws if a codec does not give the order back.
    func run() throws -> [Result] {
        try Self.workloads.map { workload in
            let json = try Subject(JSONCodec(), workload)
            let binary = try Subject(BinaryCodec(), workload)
            // The batches of the four measurements alternate, so that both codecs meet the same
            // conditions on a busy machine.
            let timings = try medianNanoseconds([json.encode, json.decode, binary.encode, binary.decode])
            let jsonResult = json.measurement(encode: timings[0], decode: timings[1])
            let binaryResult = binary.measurement(encode: timings[2], decode: timings[3])
            return Result(
                workload: workload.name, json: jsonResult, binary: binaryResult,
                sizeRatio: Double(binaryResult.envelopeBytes) / Double(jsonResult.envelopeBytes),
                speedup: (timings[0] + timings[1]) / (timings[2] + timings[3]))
        }
    }

    /// One codec on one workload: what is encoded and decoded, checked to round-trip.
    private struct Subject {
        let codecName: String
        let stored: [UInt8]
        let payloadBytes: Int
        /// Encodes the order as a payload, then the envelope; returns the size, so that the
        /// optimizer cannot drop the work.
        let encode: () throws -> Int
        /// Decodes the envelope, then the payload as an order.
        let decode: () throws -> Int

        init(_ codec: some EventCodec, _ workload: Workload) throws {
            let order = workload.order
            let envelope = { (payload: [UInt8]) in
                EventEnvelope(
                    id: "5f0c6c1e-8a4b-4d2e-9b7a-3c1d2e4f5a6b", streamId: "order-\(order.orderId)", topic: "orders",
                    message: "OrderPlaced", payload: payload,
                    headers: ["traceparent": "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01", "source": "shop"],
                    publishedAtMilliseconds: 1_732_623_456_789)
            }
            let payload = try codec.encodePayload(order)
            let stored = try codec.encodeEnvelope(envelope(payload))
            guard try codec.decodeEnvelope(stored) == envelope(payload),
                try codec.decodePayload(BenchOrder.self, from: payload) == order
            else {
                throw BenchmarkError.roundTripFailed(codec: codec.name, workload: workload.name)
            }
            codecName = codec.name
            self.stored = stored
            payloadBytes = payload.count
            encode = { try codec.encodeEnvelope(envelope(codec.encodePayload(order))).count }
            decode = {
                let read = try codec.decodeEnvelope(stored)
                return try codec.decodePayload(BenchOrder.self, from: read.payload ?? []).lines.count
            }
        }

        func measurement(encode: Double, decode: Double) -> Measurement {
            Measurement(
                codec: codecName, envelopeBytes: stored.count, payloadBytes: payloadBytes, encodeNanoseconds: encode,
                decodeNanoseconds: decode)
        }
    }

    /// For each body, the median over ``batches`` batches of the time per call, each batch about
    /// 10 ms long; the batches of the bodies alternate. Each body returns a number that is summed,
    /// so that the optimizer cannot drop its work.
    private func medianNanoseconds(_ bodies: [() throws -> Int]) throws -> [Double] {
        let clock = ContinuousClock()
        var sink = 0
        // Warm up, and size each body's batches from the time of its calls.
        var calls: [Int] = []
        for body in bodies {
            var count = 1
            while true {
                let elapsed = try clock.measure {
                    for _ in 0..<count { sink &+= try body() }
                }
                if elapsed >= .milliseconds(10) { break }
                count *= 2
            }
            calls.append(count)
        }
        var perCall = [[Double]](repeating: [], count: bodies.count)
        for _ in 0..<batches {
            for (index, body) in bodies.enumerated() {
                let elapsed = try clock.measure {
                    for _ in 0..<calls[index] { sink &+= try body() }
                }
                perCall[index].append(Self.nanoseconds(elapsed) / Double(calls[index]))
            }
        }
        withExtendedLifetime(sink) {}
        return perCall.map { $0.sorted()[$0.count / 2] }
    }

    private static func nanoseconds(_ duration: Duration) -> Double {
        Double(duration.components.seconds) * 1e9 + Double(duration.components.attoseconds) / 1e9
    }

    /// The results as a table, with the goals of the codec issue.
    static func table(_ results: [Result]) -> String {
        var lines: [String] = []
        #if DEBUG
            lines.append("Warning: a debug build; run with -c release for representative figures.")
        #endif
        lines.append(
            pad("event", 8) + pad("codec", 8) + pad("envelope B", 12, right: true) + pad("payload B", 11, right: true)
                + pad("encode µs", 11, right: true) + pad("decode µs", 11, right: true)
                + pad("enc+dec µs", 12, right: true))
        for result in results {
            for measurement in [result.json, result.binary] {
                lines.append(
                    pad(result.workload, 8) + pad(measurement.codec, 8)
                        + pad("\(measurement.envelopeBytes)", 12, right: true)
                        + pad("\(measurement.payloadBytes)", 11, right: true)
                        + pad(micro(measurement.encodeNanoseconds), 11, right: true)
                        + pad(micro(measurement.decodeNanoseconds), 11, right: true)
                        + pad(micro(measurement.encodeNanoseconds + measurement.decodeNanoseconds), 12, right: true))
            }
        }
        lines.append("")
        for result in results {
            lines.append(
                "\(result.workload): binary envelope \(percent(result.sizeRatio)) of JSON's, "
                    + "encode+decode \(String(format: "%.1f", result.speedup))× faster")
        }
        lines.append("Goals: binary at most 60% of JSON's size for small and medium events; encode+decode at least 3× faster.")
        return lines.joined(separator: "\n")
    }

    /// The results as one JSON object.
    static func json(_ results: [Result]) throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        return String(decoding: try encoder.encode(["results": results]), as: UTF8.self)
    }

    private static func pad(_ text: String, _ width: Int, right: Bool = false) -> String {
        let padding = String(repeating: " ", count: max(0, width - text.count))
        return right ? padding + text : text + padding
    }

    private static func micro(_ nanoseconds: Double) -> String {
        String(format: "%.2f", nanoseconds / 1000)
    }

    private static func percent(_ ratio: Double) -> String {
        String(format: "%.0f%%", ratio * 100)
    }
}

/// Why the codec benchmark stopped.
enum BenchmarkError: Error, CustomStringConvertible {
    /// A codec did not give back the envelope or the order it was given.
    case roundTripFailed(codec: String, workload: String)

    var description: String {
        switch self {
        case .roundTripFailed(let codec, let workload):
            "The \(codec) codec did not give back the \(workload) event it encoded."
        }
    }
}
