import EventBrokerTestSupport
import Foundation

/// The Python side of `bench broker`: a virtual environment with the peers (BullMQ's Python
/// client, dramatiq, rq) and matplotlib, created or updated from PyPI by
/// `Benchmarks/peers/setup-venv.sh` with the versions of its `requirements.txt`.
struct BenchPythonEnvironment {
    /// The directory of setup-venv.sh, requirements.txt and peers.py.
    let directory: URL
    /// Where the virtual environment lives.
    let venv: URL

    /// Its Python.
    var interpreter: URL { venv.appending(path: "bin/python") }

    /// Creates or updates the virtual environment (nothing to do when it is current).
    func prepare() async throws {
        let setup = try await runProcess(
            URL(filePath: "/bin/bash"), [directory.appending(path: "setup-venv.sh").path, venv.path])
        guard setup.status == 0 else {
            throw BenchmarkFailure(description: "setting up the benchmark's Python venv failed: \(setup.standardError.suffix(300))")
        }
    }

    /// Draws `report` with `script` (Benchmarks/plot.py) into the PNG at `path`.
    func plot(_ report: BrokerBenchmarkReport, script: URL, to path: String) async throws {
        let input = FileManager.default.temporaryDirectory.appending(path: "bench-broker-\(UUID().uuidString).json")
        try Data(try report.json().utf8).write(to: input)
        defer { try? FileManager.default.removeItem(at: input) }
        let result = try await runProcess(interpreter, [script.path, input.path, path])
        guard result.status == 0 else {
            throw BenchmarkFailure(description: "plot.py failed: \(result.standardError.suffix(300))")
        }
    }
}
