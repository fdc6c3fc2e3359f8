import ArgumentParser

/// `event-broker bench codecs`: benchmarks that run without Redis.
struct BenchCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bench",
        abstract: "Measure parts of the broker that need no Redis.",
        subcommands: [BenchCodecsCommand.self])
}
