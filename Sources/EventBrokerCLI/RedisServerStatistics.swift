import EventBrokerCore

/// What redis-server reports of its own work (`INFO commandstats cpu`): the commands it ran,
/// those run inside scripts included, and the CPU time it used.
struct RedisServerStatistics {
    /// Calls per command name (lower case), `INFO` itself left out.
    var calls: [String: Int]
    /// `used_cpu_sys + used_cpu_user`, in seconds.
    var cpuSeconds: Double

    /// Every command call, `EVALSHA` and the commands its scripts ran alike.
    var totalCalls: Int { calls.values.reduce(0, +) }

    /// Calls of the script commands themselves (`EVALSHA`, `EVAL`).
    var scriptCalls: Int { (calls["evalsha"] ?? 0) + (calls["eval"] ?? 0) }

    /// Reads the statistics over `connection`.
    static func read(_ connection: RedisConnection) async throws -> RedisServerStatistics {
        let reply = try await connection.send("INFO", "commandstats", "cpu")
        guard let text = reply.string else {
            throw BenchmarkFailure(description: "INFO answered \(reply), not text")
        }
        var statistics = RedisServerStatistics(calls: [:], cpuSeconds: 0)
        for line in text.split(whereSeparator: \.isNewline) {
            if line.hasPrefix("cmdstat_"), let colon = line.firstIndex(of: ":") {
                let name = String(line[line.index(line.startIndex, offsetBy: 8)..<colon])
                let calls = line[colon...].split(separator: ",").first { $0.hasPrefix(":calls=") || $0.hasPrefix("calls=") }
                if name != "info", let value = calls?.split(separator: "=").last.flatMap({ Int($0) }) {
                    statistics.calls[name] = value
                }
            } else if line.hasPrefix("used_cpu_sys:") || line.hasPrefix("used_cpu_user:") {
                statistics.cpuSeconds += line.split(separator: ":").last.flatMap { Double($0) } ?? 0
            }
        }
        return statistics
    }

    /// What the server did between `earlier` and this reading.
    static func - (later: RedisServerStatistics, earlier: RedisServerStatistics) -> RedisServerStatistics {
        RedisServerStatistics(
            calls: later.calls.merging(earlier.calls.mapValues { -$0 }) { $0 + $1 },
            cpuSeconds: later.cpuSeconds - earlier.cpuSeconds)
    }
}

/// Why a benchmark could not measure what it should.
struct BenchmarkFailure: Error, CustomStringConvertible {
    let description: String
}
