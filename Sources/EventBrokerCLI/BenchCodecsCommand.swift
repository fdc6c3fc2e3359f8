import ArgumentParser
import Foundation

/// `event-broker bench codecs`: size and speed of the JSON and binary codecs on small, medium and
/// large order events.
struct BenchCodecsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "codecs",
        abstract: "Compare the size and speed of the JSON and binary codecs.",
        discussion: """
            Encodes (payload, then envelope) and decodes (envelope, then payload as its type) order \
            events with payloads of about 100 B, 2 KiB and 64 KiB of JSON, for each codec, in \
            batches of about 10 ms; prints the envelope sizes, the median time per event and the \
            ratios. Run it from a release build: \
            swift run -c release --scratch-path .build-release event-broker bench codecs
            """)

    /// Whether to print one JSON object instead of a table.
    @Flag(help: "Print the results as one JSON object.")
    var json = false

    /// How many timed batches each measurement takes the median of.
    @Option(help: "Timed batches per measurement; the median is reported.")
    var batches = 21

    func validate() throws {
        guard batches > 0 else { throw ValidationError("--batches must be at least 1.") }
    }

    func run() throws {
        let results = try CodecBenchmark(batches: batches).run()
        print(json ? try CodecBenchmark.json(results) : CodecBenchmark.table(results))
    }
}
