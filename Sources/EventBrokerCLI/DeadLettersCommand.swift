import ArgumentParser
import RedisEventBroker

/// `event-broker dead-letters list|count|replay|purge`: the dead letters of one service.
struct DeadLettersCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "dead-letters",
        abstract: "List, count, replay or purge the dead letters of a service.",
        discussion: """
            A dead letter is an event whose last delivery failed or whose last lease expired; the \
            service keeps it with its last error until it is replayed (back at the back of the \
            queue, its delivery count starting again) or purged.
            """,
        subcommands: [
            DeadLettersListCommand.self, DeadLettersCountCommand.self, DeadLettersReplayCommand.self,
            DeadLettersPurgeCommand.self,
        ])

    /// "1 dead letter", "2 dead letters".
    static func counted(_ count: Int) -> String {
        count == 1 ? "1 dead letter" : "\(count) dead letters"
    }

    /// The ids given with `--id`, each once, in the order first given.
    static func distinct(_ ids: [String]) -> [String] {
        var seen: Set<String> = []
        return ids.filter { seen.insert($0).inserted }
    }

    /// What `replay` and `purge` print, as in "Replayed 2 dead letters of billing.", with a note
    /// when fewer dead letters than the `ids` given were handled.
    static func outcome(_ done: String, _ count: Int, of service: String, ids: [String]) -> String {
        let unmatched = ids.count > count ? " \(ids.count - count) of the \(ids.count) ids named no dead letter." : ""
        return "\(done) \(counted(count)) of \(service).\(unmatched)"
    }
}

/// The options every `dead-letters` command takes: which service, on which Redis.
struct DeadLetterServiceOptions: ParsableArguments {
    /// The service whose dead letters the command reads or changes.
    @Option(help: "The service whose dead letters to use.")
    var service: String

    /// Which Redis, and which key prefix.
    @OptionGroup var redis: RedisOptions

    /// Runs `body` with the dead letters of the service, through a broker instance of it that
    /// starts no lease checker of its own and is shut down afterwards.
    func withDeadLetters<Result>(_ body: (DeadLetters) async throws -> Result) async throws -> Result {
        try await redis.withBroker(service: service, label: "event-broker.dead-letters") { broker in
            try await body(broker.deadLetters)
        }
    }
}
