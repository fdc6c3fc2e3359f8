import ArgumentParser
import EventBrokerCore

/// `event-broker dead-letters purge`: deletes dead letters for good.
struct DeadLettersPurgeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "purge",
        abstract: "Delete dead letters of the service for good.",
        discussion: "Choose exactly one of --id and --all.")

    /// Which service, on which Redis.
    @OptionGroup var target: DeadLetterServiceOptions

    /// The ids of the dead letters to delete.
    @Option(
        name: .customLong("id"), parsing: .upToNextOption,
        help: "The id of a dead letter to delete; repeat or list several.")
    var ids: [String] = []

    /// Whether to delete every dead letter.
    @Flag(help: "Delete every dead letter of the service.")
    var all = false

    func validate() throws {
        switch (ids.isEmpty, all) {
        case (true, false): throw ValidationError("choose what to purge: --id ID... or --all")
        case (false, true): throw ValidationError("choose only one of --id and --all")
        default: return
        }
    }

    func run() async throws {
        let ids = DeadLettersCommand.distinct(ids)
        let purged = try await target.withDeadLetters { letters in
            try await all ? letters.purgeAll() : letters.purge(ids)
        }
        print(DeadLettersCommand.outcome("Purged", purged, of: target.service, ids: ids))
    }
}
