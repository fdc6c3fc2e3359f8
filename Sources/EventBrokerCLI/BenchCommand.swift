import ArgumentParser

/// `event-broker bench`: the benchmarks, `codecs` (no Redis) and `observability` (end to end on Redis).
struct BenchCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bench",
        abstract: "Measure the codecs, and what metrics and tracing cost end to end.",
        subcommands: [BenchCodecsCommand.self, BenchObservabilityCommand.self])
}
