import ArgumentParser
import EventBrokerCore

/// `event-broker dead-letters replay`: puts dead letters back in the service's queue.
struct DeadLettersReplayCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "replay",
        abstract: "Put dead letters back at the back of the service's queue, their delivery count starting again.",
        discussion: "Choose exactly one of --id, --topic and --all.")

    /// Which service, on which Redis.
    @OptionGroup var target: DeadLetterServiceOptions

    /// The ids of the dead letters to replay.
    @Option(
        name: .customLong("id"), parsing: .upToNextOption,
        help: "The id of a dead letter to replay; repeat or list several.")
    var ids: [String] = []

    /// The topic whose dead letters to replay.
    @Option(help: "Replay every dead letter of this topic.")
    var topic: String?

    /// Whether to replay every dead letter.
    @Flag(help: "Replay every dead letter of the service.")
    var all = false

    func validate() throws {
        switch [!ids.isEmpty, topic != nil, all].filter({ $0 }).count {
        case 0: throw ValidationError("choose what to replay: --id ID..., --topic TOPIC or --all")
        case 1: return
        default: throw ValidationError("choose only one of --id, --topic and --all")
        }
    }

    func run() async throws {
        let ids = DeadLettersCommand.distinct(ids)
        let replayed = try await target.withDeadLetters { letters in
            if let topic {
                return try await letters.replay(topic: topic)
            }
            return try await all ? letters.replayAll() : letters.replay(ids)
        }
        print(DeadLettersCommand.outcome("Replayed", replayed, of: target.service, ids: ids))
    }
}
