import ArgumentParser

/// `event-broker bench`: the benchmarks, `broker` and `observability` (end to end on Redis) and `codecs` (no Redis).
struct BenchCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bench",
        abstract: "Measure the broker end to end, the codecs, and what metrics and tracing cost.",
        subcommands: [BenchBrokerCommand.self, BenchCodecsCommand.self, BenchObservabilityCommand.self])
}
