import ArgumentParser
import EventBrokerCore
import Foundation
import RedisEventBroker
import Synchronization
import UnixSignals

/// `event-broker tail`: prints the events of a topic as they are published, through a tap
/// service of its own, so that no consumer misses an event.
struct TailCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "tail",
        abstract: "Print the events of a topic as they are published, until Ctrl-C or --count events.",
        discussion: """
            tail steals no event from the services: it subscribes a tap service of its own, \
            tap-<8 random hex digits>, to the topic through the broker API, so every event published \
            from then on is queued once more, for the tap, and the tap's copy is the one printed and \
            acknowledged. Events published before tail started are not shown. On Ctrl-C (SIGINT), \
            SIGTERM or after --count events, it unsubscribes the tap and deletes every key of it with \
            the forget-service script, which also removes it from the registry of services: nothing is \
            left behind but the topic's version counter, which the broker never deletes. A tail killed \
            with SIGKILL leaves its tap subscribed, and events queue up for it: inspect lists it, and \
            `event-broker tail TOPIC --remove-tap NAME` removes it. Each event is printed with its \
            publication time, topic, stream id, message and id, then its headers and its payload, \
            decoded by its codec into JSON (in hex when it holds no JSON value); with --json, one JSON \
            object per line. The tap's name and its removal are reported on standard error.
            """)

    /// The topic to watch.
    @Argument(help: "The topic whose events to print.")
    var topic: String

    /// How many events to print before stopping.
    @Option(help: "Stop after this many events.")
    var count: Int?

    /// Whether to print JSON lines instead of text.
    @Flag(help: "Print one JSON object per event and line.")
    var json = false

    /// A tap left behind by a killed tail, to remove instead of watching.
    @Option(
        help: ArgumentHelp(
            "Remove this tap service, left by a tail that was killed, from the topic, and exit.", valueName: "tap"))
    var removeTap: String?

    /// Which Redis, and which key prefix.
    @OptionGroup var redis: RedisOptions

    func validate() throws {
        if let count, count < 1 { throw ValidationError("--count must be at least 1") }
        if let removeTap, !removeTap.hasPrefix("tap-") {
            throw ValidationError("--remove-tap takes the name of a tap, which starts with tap-")
        }
    }

    func run() async throws {
        // Trap the signals first: a Ctrl-C while the tap subscribes must still remove it.
        let signals = await UnixSignalsSequence(trapping: .sigint, .sigterm)
        let tap = removeTap ?? "tap-" + String(format: "%08x", UInt32.random(in: .min ... .max))
        try await redis.withBroker(service: tap, label: "event-broker.tail") {
            // An idle tap looks at its queue every half second, so that Ctrl-C stops it quickly.
            $0.idlePollInterval = .milliseconds(500)
        } _: { broker in
            guard removeTap == nil else {
                try await remove(broker)
                return
            }
            try await broker.subscribe(topic)
            Self.report("Tapping \(topic) as the service \(tap); Ctrl-C stops.")
            var failure: (any Error)?
            var printed = 0
            do {
                printed = try await watch(broker, until: signals)
            } catch {
                failure = error
            }
            try await remove(broker)
            if let failure { throw failure }
            Self.report("Printed \(printed == 1 ? "1 event" : "\(printed) events").")
        }
    }

    /// Prints the tap's events until a signal arrives or `--count` events were printed; returns
    /// how many were printed.
    private func watch(_ broker: RedisEventBroker, until signals: UnixSignalsSequence) async throws -> Int {
        let countdown = Countdown(limit: count)
        let (stops, stop) = AsyncStream.makeStream(of: Void.self)
        let json = json
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask {
                try await broker.consume(concurrency: 1) { event in
                    guard countdown.take() else { return }
                    let tailed = TailedEvent(event: event)
                    let output = try json ? tailed.json() : tailed.text()
                    FileHandle.standardOutput.write(Data((output + "\n").utf8))
                    if countdown.isDone { stop.yield() }
                }
            }
            group.addTask {
                for await _ in signals { return }
            }
            group.addTask {
                for await _ in stops { return }
            }
            try await group.next()
            group.cancelAll()
        }
        return countdown.taken
    }

    /// Unsubscribes the tap from the topic and deletes every key of it, so nothing is left.
    private func remove(_ broker: RedisEventBroker) async throws {
        try await broker.unsubscribe(topic)
        let deleted = try await broker.scripts.forgetService(broker.serviceName, topics: [topic])
        Self.report("Removed the tap \(broker.serviceName) (\(deleted == 1 ? "1 key" : "\(deleted) keys")).")
    }

    /// Writes `line` to standard error, leaving standard output to the events.
    private static func report(_ line: String) {
        FileHandle.standardError.write(Data((line + "\n").utf8))
    }

    /// Counts the events printed, up to an optional limit; shared by the handler and the command.
    private final class Countdown: Sendable {
        private let limit: Int?
        private let printed = Mutex(0)

        init(limit: Int?) {
            self.limit = limit
        }

        /// Counts one more event; `false` once the limit was reached, and the event is not printed.
        func take() -> Bool {
            printed.withLock { printed in
                if let limit, printed >= limit { return false }
                printed += 1
                return true
            }
        }

        /// Whether the limit was reached.
        var isDone: Bool { limit.map { limit in printed.withLock { $0 >= limit } } ?? false }

        /// How many events were counted.
        var taken: Int { printed.withLock { $0 } }
    }
}
