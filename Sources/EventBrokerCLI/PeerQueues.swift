import EventBrokerTestSupport
import Foundation

/// The same queue workload through BullMQ's Python client, dramatiq and rq, run by
/// `Benchmarks/peers/peers.py` in a virtual environment that `setup-venv.sh` creates from PyPI:
/// enqueue jobs one at a time, then drain them with four consumers (see its README).
struct PeerQueues {
    /// What peers.py reports for one payload size.
    struct Report: Codable {
        var redis: String
        var jobs: Int
        var payloadBytes: Int
        var workers: Int
        var peers: [Peer]
    }

    /// One peer's runs and their medians.
    struct Peer: Codable {
        var peer: String
        var version: String
        var median: Figures
    }

    /// The figures of a peer, per job.
    struct Figures: Codable {
        var enqueuedPerSecond: Double
        var drainedPerSecond: Double
        var commandsPerJobTotal: Double
        var redisCpuMicrosecondsPerJob: Double
    }

    /// The Python environment with the peers installed.
    let python: BenchPythonEnvironment
    let redisURL: String
    /// Jobs per run.
    let jobs: Int
    /// Consumers.
    let workers: Int
    let runs: Int

    /// Runs every peer with payloads of `payloadBytes`.
    func run(payloadBytes: Int) async throws -> Report {
        let result = try await runProcess(
            python.interpreter,
            [
                python.directory.appending(path: "peers.py").path, "--redis-url", redisURL, "--jobs", String(jobs),
                "--payload-bytes", String(payloadBytes), "--workers", String(workers), "--runs", String(runs),
            ])
        guard result.status == 0 else {
            throw BenchmarkFailure(description: "peers.py failed: \(result.standardError.suffix(300))")
        }
        do {
            return try JSONDecoder().decode(Report.self, from: result.standardOutputData)
        } catch {
            throw BenchmarkFailure(description: "peers.py printed no report: \(error)")
        }
    }
}
