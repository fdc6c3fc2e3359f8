import ArgumentParser

/// `event-broker bench`: the benchmarks, `broker` (end to end on Redis) and `codecs` (no Redis).
/// What metrics and tracing cost is measured by the package in Benchmarks/Observability.
struct BenchCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bench",
        abstract: "Measure the broker end to end, and the codecs.",
        subcommands: [BenchBrokerCommand.self, BenchCodecsCommand.self])
}
