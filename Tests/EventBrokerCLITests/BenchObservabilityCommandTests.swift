import EventBrokerCore
import EventBrokerTestSupport
import Foundation
import RedisServerProcess
import Testing

@testable import EventBrokerCLI

/// `event-broker bench observability`, run as the built executable with a tiny workload against a
/// throwaway redis-server: it must name the four variants and lose nothing. Timings are not checked.
@Suite(.timeLimit(.minutes(2))) struct BenchObservabilityCommandTests {
    @Test func theJSONReportHasEveryVariantAndEveryEventHandledOnce() async throws {
        let server = try await RedisServerProcess.start()
        defer { server.stop() }
        let output = try await runEventBroker(
            ["bench", "observability", "--events", "200", "--rounds", "1", "--concurrency", "4", "--json",
             "--redis-url", server.url])
        try #require(output.status == 0, "\(output.standardError)")
        let report = try JSONDecoder().decode(ObservabilityBenchmark.Report.self, from: output.standardOutputData)
        #expect(report.events == 200)
        #expect(report.variants.map(\.variant) == [.none, .metrics, .tracing, .both])
        for result in report.variants {
            #expect(result.runs.count == 1)
            for run in result.runs {
                #expect(run.ledger == BenchLedger.Tally(handled: 200, duplicates: 0, lost: 0, unknown: 0))
                #expect(run.eventsPerSecond > 0)
            }
        }
        #expect(report.variants.first?.costPercent == 0)
    }

    @Test func theTableNamesTheVariantsAndSaysNothingWasLost() async throws {
        let server = try await RedisServerProcess.start()
        defer { server.stop() }
        let output = try await runEventBroker(
            ["bench", "observability", "--events", "200", "--rounds", "1", "--redis-url", server.url])
        try #require(output.status == 0, "\(output.standardError)")
        let variants = output.standardOutput.split(separator: "\n").compactMap { $0.split(separator: " ").first }
        for variant in ["none", "metrics", "tracing", "both"] {
            #expect(variants.contains(Substring(variant)), "\(output.standardOutput)")
        }
        #expect(output.standardOutput.contains("handled exactly once; lost: 0, duplicates: 0"))
        #expect(output.standardError.contains("round 1/1: both"))
    }

    @Test func aRedisBeyondLoopbackIsRefusedUnlessAllowed() async throws {
        let output = try await runEventBroker(
            ["bench", "observability", "--redis-url", "redis://192.0.2.1:6379"], environment: ["REDIS_URL": ""])
        #expect(output.status != 0)
        #expect(output.standardError.contains("--allow-remote"))
        #expect(output.standardOutput == "")
    }

    @Test(arguments: [
        ("unix:///tmp/redis.sock", true), ("redis://127.0.0.1:6379", true), ("redis://localhost", true),
        ("redis://[::1]:6380", true), ("redis://127.0.0.1.example.com", false), ("redis://10.0.0.5", false),
    ])
    func loopbackAndUnixSocketsAreLocal(url: String, local: Bool) throws {
        #expect(BenchRedisOptions.isLocal(try RedisEndpoint(url: url)) == local)
    }
}
