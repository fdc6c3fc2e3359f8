import ArgumentParser
import EventBrokerCore
import Foundation

/// `event-broker dead-letters list`: one page of a service's dead letters, oldest first.
struct DeadLettersListCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "list",
        abstract: "List the service's dead letters, oldest first.",
        discussion: """
            Prints a table (id, when the event died, topic, deliveries, last error, shortened to fit \
            the width of the terminal or COLUMNS) and a line with the total; with --json, a JSON array \
            of objects with id, deadAt (ISO 8601), topic, streamId, message, deliveries, error and \
            decodingError (topic, streamId and message are null when the event cannot be decoded).
            """)

    /// Which service, on which Redis.
    @OptionGroup var target: DeadLetterServiceOptions

    /// How many of the oldest dead letters to skip.
    @Option(help: "How many of the oldest dead letters to skip.")
    var offset = 0

    /// The most dead letters to print.
    @Option(help: "The most dead letters to print.")
    var limit = 100

    /// Whether to print JSON instead of a table.
    @Flag(help: "Print a JSON array of objects instead of a table.")
    var json = false

    func validate() throws {
        guard offset >= 0 else { throw ValidationError("--offset must not be negative") }
        guard limit >= 1 else { throw ValidationError("--limit must be at least 1") }
    }

    func run() async throws {
        let (total, page) = try await target.withDeadLetters { try await $0.list(offset: offset, limit: limit) }
        let listing = DeadLetterListing(total: total, offset: offset, page: page)
        print(json ? try listing.json() : listing.table(width: DeadLetterListing.outputWidth()))
    }
}
