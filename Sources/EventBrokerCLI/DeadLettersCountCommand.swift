import ArgumentParser
import EventBrokerCore

/// `event-broker dead-letters count`: how many dead letters a service holds.
struct DeadLettersCountCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "count",
        abstract: "Print how many dead letters the service holds.")

    /// Which service, on which Redis.
    @OptionGroup var target: DeadLetterServiceOptions

    /// Whether to print `{"count": N}` instead of a sentence.
    @Flag(help: "Print a JSON object {\"count\": N} instead.")
    var json = false

    func run() async throws {
        let count = try await target.withDeadLetters { try await $0.count() }
        print(json ? "{\"count\":\(count)}" : "\(target.service) holds \(DeadLettersCommand.counted(count)).")
    }
}
