import Foundation

/// The results of `event-broker bench broker`: every run of every shape, and their medians, as
/// tables or JSON.
struct BrokerBenchmarkReport: Codable {
    /// One shape's runs and their medians.
    struct ShapeResult: Codable {
        let shape: BrokerBenchmark.Shape
        let runs: [BrokerBenchmark.Figures]
        /// Each figure's median over the runs.
        var median: BrokerBenchmark.Figures {
            func median(_ value: (BrokerBenchmark.Figures) -> Double) -> Double {
                BrokerBenchmarkReport.median(runs.map(value))
            }
            return BrokerBenchmark.Figures(
                publishedPerSecond: median(\.publishedPerSecond), deliveredPerSecond: median(\.deliveredPerSecond),
                saturationLatency: .init(
                    p50: median(\.saturationLatency.p50), p99: median(\.saturationLatency.p99),
                    p999: median(\.saturationLatency.p999)),
                fixedRateLatency: .init(
                    p50: median(\.fixedRateLatency.p50), p99: median(\.fixedRateLatency.p99),
                    p999: median(\.fixedRateLatency.p999)),
                scriptsPerDelivery: median(\.scriptsPerDelivery), blockingWaitsPerDelivery: median(\.blockingWaitsPerDelivery),
                otherRequestsPerDelivery: median(\.otherRequestsPerDelivery), requestsPerDelivery: median(\.requestsPerDelivery),
                roundTripsPerDelivery: median(\.roundTripsPerDelivery),
                redisCommandsPerDelivery: median(\.redisCommandsPerDelivery),
                redisCPUMicrosecondsPerDelivery: median(\.redisCPUMicrosecondsPerDelivery),
                duplicates: runs.map(\.duplicates).reduce(0, +))
        }
    }

    let codec: String
    let events: Int
    let rateEvents: Int
    let rate: Int
    let runs: Int
    let shapes: [ShapeResult]
    /// Every run of the ceiling, per payload and load.
    let ceilings: [ScriptCeiling.Rates]
    /// The peers' figures, one report per payload (none without `--peers`).
    let peers: [PeerQueues.Report]

    /// The median ceiling of a payload and load: events per second and the script rates.
    func medianCeiling(payloadBytes: Int, load: ScriptCeiling.Load) -> ScriptCeiling.Rates? {
        let runs = ceilings.filter { $0.payloadBytes == payloadBytes && $0.load == load }
        guard !runs.isEmpty else { return nil }
        func median(_ value: (ScriptCeiling.Rates) -> Double) -> Double { Self.median(runs.map(value)) }
        return ScriptCeiling.Rates(
            load: load, payloadBytes: payloadBytes, publishPerSecond: median(\.publishPerSecond),
            pickPerSecond: median(\.pickPerSecond), ackPerSecond: median(\.ackPerSecond),
            eventsPerSecond: median(\.eventsPerSecond))
    }

    /// The median of `values`.
    static func median(_ values: [Double]) -> Double {
        let sorted = values.sorted()
        guard !sorted.isEmpty else { return 0 }
        return sorted.count % 2 == 1 ? sorted[sorted.count / 2] : (sorted[sorted.count / 2 - 1] + sorted[sorted.count / 2]) / 2
    }

    /// The pipelined ceiling of `payloadBytes`, what the delivered rates are compared with.
    func pipelinedCeiling(payloadBytes: Int) -> Double? {
        medianCeiling(payloadBytes: payloadBytes, load: ScriptCeiling.loads.last!)?.eventsPerSecond
    }

    /// The report as one JSON object, with every run and the medians.
    func json() throws -> String {
        struct Output: Encodable {
            let report: BrokerBenchmarkReport
            let medians: [BrokerBenchmark.Figures]
        }
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        return String(decoding: try encoder.encode(Output(report: self, medians: shapes.map(\.median))), as: UTF8.self)
    }

    /// The medians as two tables: saturation, then the fixed rate.
    func table() -> String {
        var saturation = TextTable(
            [
                "consumers", "fan-out", "payload", "published/s", "delivered/s", "p50 ms", "p99 ms", "p99.9 ms",
                "round trips", "requests (scripts+waits+other)", "Redis cmds", "Redis CPU µs", "of ceiling",
            ], rightAligned: Set(0...12).subtracting([9]))
        var fixed = TextTable(["consumers", "fan-out", "payload", "p50 ms", "p99 ms", "p99.9 ms"], rightAligned: Set(0...5))
        for result in shapes {
            let m = result.median
            let shape = ["\(result.shape.consumers)", "\(result.shape.fanOut)", "\(result.shape.payloadBytes) B"]
            saturation.rows.append(
                shape + [
                    Self.format(m.publishedPerSecond, 0), Self.format(m.deliveredPerSecond, 0),
                    Self.format(m.saturationLatency.p50, 2), Self.format(m.saturationLatency.p99, 2),
                    Self.format(m.saturationLatency.p999, 2), Self.format(m.roundTripsPerDelivery, 2),
                    "\(Self.format(m.requestsPerDelivery, 2)) (\(Self.format(m.scriptsPerDelivery, 2))+"
                        + "\(Self.format(m.blockingWaitsPerDelivery, 2))+\(Self.format(m.otherRequestsPerDelivery, 2)))",
                    Self.format(m.redisCommandsPerDelivery, 1), Self.format(m.redisCPUMicrosecondsPerDelivery, 1),
                    pipelinedCeiling(payloadBytes: result.shape.payloadBytes).map {
                        result.shape.fanOut == 1 ? "\(Self.format(100 * m.deliveredPerSecond / $0, 0))%" : "-"
                    } ?? "-",
                ])
            fixed.rows.append(
                shape + [
                    Self.format(m.fixedRateLatency.p50, 3), Self.format(m.fixedRateLatency.p99, 3),
                    Self.format(m.fixedRateLatency.p999, 3),
                ])
        }
        var ceilingTable = TextTable(
            ["payload", "clients", "pipeline", "publish/s", "pick/s", "ack/s", "events/s"], rightAligned: Set(0...6))
        for payload in Set(ceilings.map(\.payloadBytes)).sorted() {
            for load in ScriptCeiling.loads {
                guard let rates = medianCeiling(payloadBytes: payload, load: load) else { continue }
                ceilingTable.rows.append([
                    "\(payload) B", "\(load.clients)", "\(load.pipeline)", Self.format(rates.publishPerSecond, 0),
                    Self.format(rates.pickPerSecond, 0), Self.format(rates.ackPerSecond, 0),
                    Self.format(rates.eventsPerSecond, 0),
                ])
            }
        }
        let ceilingLines =
            ceilings.isEmpty
            ? []
            : ["", "The ceiling: redis-benchmark running the publish, pick and ack scripts (events/s = 1 / (1/publish + 1/pick + 1/ack)); \"of ceiling\" above compares with the pipelined row:"]
                + ceilingTable.lines
        let duplicates = shapes.map { $0.runs.map(\.duplicates).reduce(0, +) }.reduce(0, +)
        return (["At saturation (\(events) events per shape and run, \(codec) codec; per delivered event: round trips, requests, Redis commands and CPU), medians of \(runs) run\(runs == 1 ? "" : "s"):"]
            + saturation.lines
            + ["", "At \(rate) events per second (\(rateEvents) events), publish call → handler start:"] + fixed.lines
            + ceilingLines + peerLines()
            + ["", "Every service got every event; \(duplicates) deliveries beyond the first."]).joined(separator: "\n")
    }

    /// The peers against the broker at 4 consumers and fan-out 1, payload by payload.
    private func peerLines() -> [String] {
        guard !peers.isEmpty else { return [] }
        var table = TextTable(
            ["payload", "queue", "version", "enqueued/s", "drained/s", "Redis cmds/job", "Redis CPU µs/job", "ours ÷ theirs"],
            rightAligned: [0, 3, 4, 5, 6, 7])
        for report in peers {
            let ours = shapes.first { $0.shape == .init(consumers: 4, fanOut: 1, payloadBytes: report.payloadBytes) }?.median
            if let ours {
                table.rows.append([
                    "\(report.payloadBytes) B", "RedisEventBroker", "", Self.format(ours.publishedPerSecond, 0),
                    Self.format(ours.deliveredPerSecond, 0), Self.format(ours.redisCommandsPerDelivery, 1),
                    Self.format(ours.redisCPUMicrosecondsPerDelivery, 1), "",
                ])
            }
            for peer in report.peers {
                let m = peer.median
                table.rows.append([
                    "\(report.payloadBytes) B", peer.peer, peer.version, Self.format(m.enqueuedPerSecond, 0),
                    Self.format(m.drainedPerSecond, 0), Self.format(m.commandsPerJobTotal, 1),
                    Self.format(m.redisCpuMicrosecondsPerJob, 1),
                    ours.map { "\(Self.format($0.deliveredPerSecond / m.drainedPerSecond, 1))×" } ?? "-",
                ])
            }
        }
        let jobs = peers.first.map(\.jobs) ?? 0
        return ["", "Peers (\(jobs) jobs enqueued one at a time, then drained by 4 consumers; ours: 4 consumers, fan-out 1, at saturation; \"ours ÷ theirs\" compares drained or delivered per second):"]
            + table.lines
    }

    private static func format(_ value: Double, _ digits: Int) -> String {
        value.formatted(.number.precision(.fractionLength(digits)).grouping(.automatic))
    }
}
