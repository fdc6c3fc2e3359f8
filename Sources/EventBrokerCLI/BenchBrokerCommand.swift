import ArgumentParser
import EventBrokerCore
import Foundation
import Logging
import RedisEventBroker
import RedisServerProcess

/// `event-broker bench broker`: the broker end to end through Redis, for several shapes of
/// deployment, with what each delivered event costs the client and Redis.
struct BenchBrokerCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "broker",
        abstract: "Measure the broker end to end: throughput, latency, round trips, Redis commands and CPU per event.",
        discussion: """
            For every shape (--consumers instances of each of --fan-out services subscribed to one topic, \
            payloads of --payloads bytes), two phases, each on a flushed Redis with fresh brokers: at \
            saturation, --publishers tasks of one publisher instance publish --events events as fast as \
            they can while every instance consumes with --handlers handlers in flight and prefetches \
            --prefetch events (BrokerConfiguration.consumerPrefetch); at a fixed rate, \
            one task publishes --rate-events events at --rate per second. Reported per shape (medians of \
            --runs runs): publishes and deliveries per second; latency from the publish call to the \
            handler's start (p50, p99, p99.9), at saturation and at the fixed rate; requests the brokers \
            sent per delivered event (scripts, blocking waits, others) and round trips (pipelined \
            batches), counted by the connection layer; commands redis-server ran per delivered event, \
            those inside scripts included (INFO commandstats); and redis-server's CPU time per delivered \
            event (INFO cpu). Every service must get every event, or the command fails. It starts a \
            throwaway redis-server unless --redis-url or REDIS_URL names one (on loopback unless \
            --allow-remote: it is flushed). Run it from a release build: \
            swift build -c release --scratch-path .build-release --product event-broker && \
            .build-release/release/event-broker bench broker
            """)

    @Option(help: "Consumer instances per service, comma-separated.")
    var consumers = "1,4,16"

    @Option(help: "Services subscribed to the topic, comma-separated.")
    var fanOut = "1,4"

    @Option(help: "Payload sizes in bytes, comma-separated.")
    var payloads = "100,2048"

    @Option(help: "Events published at saturation, per shape and run.")
    var events = 20_000

    @Option(help: "Events published at the fixed rate, per shape and run.")
    var rateEvents = 10_000

    @Option(help: "The fixed rate, events per second.")
    var rate = 1_000

    @Option(help: "Publishing tasks at saturation.")
    var publishers = 16

    @Option(help: "Handlers each consumer instance runs at once.")
    var handlers = 8

    @Option(help: "Events each consumer instance takes beyond its free handlers (consumerPrefetch); 0 takes none.")
    var prefetch = 8

    @Option(help: "Runs of every shape; the table shows medians.")
    var runs = 3

    @Option(help: "Runs of each script per load for the ceiling (redis-benchmark); 0 skips the ceiling.")
    var ceilingRequests = 50_000

    @Flag(help: "Also run the workload through BullMQ's Python client, dramatiq and rq (a venv from PyPI) and compare.")
    var peers = false

    @Option(help: "Jobs per peer run.")
    var peerJobs = 5_000

    @Option(help: "Draw the results into this PNG (matplotlib, from the same venv as the peers).")
    var plot: String?

    @Option(help: "The peers' harness (peers.py, setup-venv.sh, requirements.txt).")
    var peersDirectory = "Benchmarks/peers"

    @Option(help: "Where the benchmark's Python venv is created.")
    var peersVenv = ".build-peers/venv"

    @Option(help: "The plotting script.")
    var plotScript = "Benchmarks/plot.py"

    @Option(help: "How events are stored: json or binary.")
    var codec = "json"

    @OptionGroup var redis: BenchRedisOptions

    @Flag(help: "Print the results as one JSON object.")
    var json = false

    func validate() throws {
        for (name, list) in [("--consumers", consumers), ("--fan-out", fanOut), ("--payloads", payloads)] {
            guard let values = Self.numbers(list), !values.isEmpty, values.allSatisfy({ $0 >= 1 }) else {
                throw ValidationError("\(name) must be positive whole numbers separated by commas, not '\(list)'")
            }
        }
        guard Self.numbers(payloads)!.allSatisfy({ $0 <= 1 << 20 }) else {
            throw ValidationError("--payloads must be at most 1048576 bytes")
        }
        for (name, value) in [
            ("--events", events), ("--rate-events", rateEvents), ("--rate", rate), ("--publishers", publishers),
            ("--handlers", handlers), ("--runs", runs),
        ] where value < 1 {
            throw ValidationError("\(name) must be at least 1")
        }
        guard (0...1000).contains(prefetch) else { throw ValidationError("--prefetch must be from 0 to 1000") }
        guard peerJobs >= 1 else { throw ValidationError("--peer-jobs must be at least 1") }
        guard ceilingRequests >= 0 else { throw ValidationError("--ceiling-requests must be at least 0") }
        guard ["json", "binary"].contains(codec) else { throw ValidationError("--codec must be json or binary") }
    }

    func run() async throws {
        let (server, url, line) = try await redis.redis()
        defer { server?.stop() }
        benchProgress(line)
        let logger = Logger.standardError(label: "bench", level: .warning)
        let admin = RedisConnection(endpoint: try RedisEndpoint(url: url), clientName: "bench-admin", logger: logger)
        let report: BrokerBenchmarkReport
        do {
            report = try await measure(url: url, admin: admin, logger: logger)
        } catch {
            await admin.close()
            throw error
        }
        await admin.close()
        if let plot {
            benchProgress("Drawing \(plot)")
            try await python.prepare()
            try await python.plot(report, script: URL(filePath: plotScript), to: plot)
        }
        print(json ? try report.json() : report.table())
    }

    /// The benchmark's Python environment: the peers and matplotlib.
    private var python: BenchPythonEnvironment {
        BenchPythonEnvironment(directory: URL(filePath: peersDirectory), venv: URL(filePath: peersVenv))
    }

    /// Runs every shape, the ceiling and the peers on the Redis at `url`.
    private func measure(url: String, admin: RedisConnection, logger: Logger) async throws -> BrokerBenchmarkReport {
        let settings = BrokerBenchmark.Settings(
            redisURL: url, events: events, rateEvents: rateEvents, rate: rate, publishers: publishers,
            handlersPerInstance: handlers, prefetchPerInstance: prefetch, codec: codec == "binary" ? BinaryCodec() : JSONCodec(), logger: logger)
        let benchmark = BrokerBenchmark(settings: settings, admin: admin)
        let shapes = Self.numbers(consumers)!.flatMap { consumers in
            Self.numbers(fanOut)!.flatMap { fanOut in
                Self.numbers(payloads)!.map { BrokerBenchmark.Shape(consumers: consumers, fanOut: fanOut, payloadBytes: $0) }
            }
        }
        let ceiling = ScriptCeiling(redisURL: url, admin: admin, requests: ceilingRequests, logger: logger)
        var figures: [BrokerBenchmark.Shape: [BrokerBenchmark.Figures]] = [:]
        var ceilings: [ScriptCeiling.Rates] = []
        for run in 1...runs {
            for shape in shapes {
                benchProgress("Run \(run) of \(runs): \(shape)")
                figures[shape, default: []].append(try await benchmark.run(shape))
            }
            if ceilingRequests > 0 {
                for payload in Self.numbers(payloads)! {
                    benchProgress("Run \(run) of \(runs): the ceiling, redis-benchmark on the scripts, \(payload) B")
                    ceilings += try await ceiling.measure(payloadBytes: payload)
                }
            }
        }
        var peerReports: [PeerQueues.Report] = []
        if peers {
            let harness = PeerQueues(python: python, redisURL: url, jobs: peerJobs, workers: 4, runs: runs)
            benchProgress("Peers: preparing the virtual environment \(peersVenv) (pip, from PyPI)")
            try await python.prepare()
            for payload in Self.numbers(payloads)! {
                benchProgress("Peers: BullMQ, dramatiq and rq, \(peerJobs) jobs of \(payload) B, \(runs) runs each")
                peerReports.append(try await harness.run(payloadBytes: payload))
            }
        }
        return BrokerBenchmarkReport(
            codec: codec, events: events, rateEvents: rateEvents, rate: rate, runs: runs,
            shapes: shapes.map { BrokerBenchmarkReport.ShapeResult(shape: $0, runs: figures[$0] ?? []) },
            ceilings: ceilings, peers: peerReports)
    }

    /// The whole numbers of a comma-separated list; `nil` when one is not.
    static func numbers(_ list: String) -> [Int]? {
        let values = list.split(separator: ",").map { Int($0.trimmingCharacters(in: .whitespaces)) }
        return values.contains(nil) ? nil : values.compactMap { $0 }
    }
}
