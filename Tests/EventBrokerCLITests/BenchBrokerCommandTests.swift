import EventBrokerTestSupport
import Foundation
import RedisServerProcess
import Testing

@testable import EventBrokerCLI

/// `event-broker bench broker`, run as the built executable with a tiny workload against a
/// throwaway redis-server: every shape is measured, every service gets every event, and the
/// per-event counts are those of the broker's scripts. Timings are not checked.
@Suite(.timeLimit(.minutes(3))) struct BenchBrokerCommandTests {
    @Test func theJSONReportHasEveryShapeWithItsCountsPerDeliveredEvent() async throws {
        let server = try await RedisServerProcess.start()
        defer { server.stop() }
        let output = try await runEventBroker(
            ["bench", "broker", "--consumers", "1,2", "--fan-out", "2", "--payloads", "100", "--events", "200",
             "--rate-events", "50", "--rate", "500", "--runs", "1", "--ceiling-requests", "300", "--json",
             "--redis-url", server.url])
        try #require(output.status == 0, "\(output.standardError)")
        struct Output: Decodable {
            let report: BrokerBenchmarkReport
            let medians: [BrokerBenchmark.Figures]
        }
        let decoded = try JSONDecoder().decode(Output.self, from: output.standardOutputData)
        #expect(decoded.report.shapes.map(\.shape) == [
            .init(consumers: 1, fanOut: 2, payloadBytes: 100), .init(consumers: 2, fanOut: 2, payloadBytes: 100),
        ])
        for figures in decoded.medians {
            #expect(figures.deliveredPerSecond > 0 && figures.publishedPerSecond > 0)
            // A publish to two services is one script for two deliveries; picks and acks take
            // one or several deliveries each: from half a script to 2.5 per delivered event
            // (and a little more with the checkers' sweeps).
            #expect(figures.scriptsPerDelivery >= 0.5 && figures.scriptsPerDelivery <= 3)
            #expect(figures.roundTripsPerDelivery > 0 && figures.roundTripsPerDelivery <= figures.requestsPerDelivery)
            // Each script runs several commands, all counted by redis-server.
            #expect(figures.redisCommandsPerDelivery > figures.scriptsPerDelivery)
            #expect(figures.redisCPUMicrosecondsPerDelivery > 0)
            #expect(figures.fixedRateLatency.p50 > 0 && figures.fixedRateLatency.p50 <= figures.fixedRateLatency.p999)
        }
        // The ceiling: the three loads of redis-benchmark on the scripts, every rate measured.
        #expect(decoded.report.ceilings.map(\.load) == ScriptCeiling.loads)
        for rates in decoded.report.ceilings {
            #expect(rates.payloadBytes == 100)
            #expect(rates.publishPerSecond > 0 && rates.pickPerSecond > 0 && rates.ackPerSecond > 0)
            #expect(rates.eventsPerSecond < min(rates.publishPerSecond, rates.pickPerSecond, rates.ackPerSecond))
        }
    }

    @Test func theTableShowsBothPhases() async throws {
        let server = try await RedisServerProcess.start()
        defer { server.stop() }
        let output = try await runEventBroker(
            ["bench", "broker", "--consumers", "1", "--fan-out", "1", "--payloads", "2048", "--events", "100",
             "--rate-events", "20", "--runs", "1", "--ceiling-requests", "0", "--redis-url", server.url])
        try #require(output.status == 0, "\(output.standardError)")
        #expect(output.standardOutput.contains("At saturation (100 events per shape and run, json codec"))
        #expect(output.standardOutput.contains("At 1000 events per second (20 events)"))
        #expect(output.standardOutput.contains("Every service got every event"))
        #expect(!output.standardOutput.contains("The ceiling"))
        #expect(output.standardError.contains("Run 1 of 1: 1 consumers × 1 services, 2048 B"))
    }

    @Test(arguments: [
        (["--consumers", "1,x"], "--consumers must be positive whole numbers"),
        (["--fan-out", "0"], "--fan-out must be positive whole numbers"),
        (["--runs", "0"], "--runs must be at least 1"),
        (["--codec", "xml"], "--codec must be json or binary"),
    ])
    func badOptionsAreRefusedWithOneLine(arguments: [String], message: String) async throws {
        let output = try await runEventBroker(["bench", "broker"] + arguments + ["--redis-url", unreachableRedisURL])
        #expect(output.status != 0)
        #expect(output.standardError.contains(message), "\(output.standardError)")
        #expect(output.standardOutput == "")
    }
}

/// `event-broker bench broker --peers --plot`: BullMQ's Python client, dramatiq and rq on the
/// same workload, and the PNG of the results, with a venv installed from PyPI on the first run.
@Suite(.timeLimit(.minutes(10))) struct BenchPeersTests {
    /// The peers run for real: their venv comes from PyPI (kept in .build-peers/ between runs).
    @Test func thePeersRunTheSameWorkloadAndAreComparedAndPlotted() async throws {
        let server = try await RedisServerProcess.start()
        defer { server.stop() }
        let plot = FileManager.default.temporaryDirectory.appending(path: "bench-\(UUID().uuidString).png")
        defer { try? FileManager.default.removeItem(at: plot) }
        let output = try await runEventBroker(
            ["bench", "broker", "--consumers", "4", "--fan-out", "1", "--payloads", "100", "--events", "100",
             "--rate-events", "20", "--runs", "1", "--ceiling-requests", "0", "--peers", "--peer-jobs", "40",
             "--peers-directory", packageRoot.appending(path: "Benchmarks/peers").path,
             "--peers-venv", packageRoot.appending(path: ".build-peers/venv").path,
             "--plot", plot.path, "--plot-script", packageRoot.appending(path: "Benchmarks/plot.py").path,
             "--json", "--redis-url", server.url],
            within: .seconds(540))
        try #require(output.status == 0, "\(output.standardError)")
        struct Output: Decodable { let report: BrokerBenchmarkReport }
        let peers = try JSONDecoder().decode(Output.self, from: output.standardOutputData).report.peers
        #expect(peers.map(\.payloadBytes) == [100])
        #expect(peers.first?.jobs == 40)
        #expect(peers.first?.peers.map(\.peer) == ["bullmq", "dramatiq", "rq"])
        for peer in peers.first?.peers ?? [] {
            #expect(peer.median.drainedPerSecond > 0, "\(peer.peer)")
            #expect(peer.median.commandsPerJobTotal > 1, "\(peer.peer)")
        }
        let png = try Data(contentsOf: plot)
        #expect(png.starts(with: [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]), "a PNG")
        #expect(png.count > 10_000)
    }
}
