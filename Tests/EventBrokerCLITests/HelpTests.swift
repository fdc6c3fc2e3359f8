import ArgumentParser
import EventBrokerTestSupport
import Testing

@testable import EventBrokerCLI

/// Every command of `event-broker`, hidden ones included, answers `--help` with its usage and
/// exit status 0.
@Suite(.timeLimit(.minutes(2))) struct HelpTests {
    /// The path of every command below `command`, as typed after `event-broker`.
    static func commandPaths(below command: any ParsableCommand.Type, prefix: [String] = []) -> [[String]] {
        command.configuration.subcommands.flatMap { subcommand in
            let path = prefix + [subcommand._commandName]
            return [path] + commandPaths(below: subcommand, prefix: path)
        }
    }

    @Test func everyCommandIsListed() {
        let paths = Self.commandPaths(below: EventBrokerCommand.self).map { $0.joined(separator: " ") }
        for command in ["inspect", "publish", "tail", "dead-letters list", "dead-letters count", "checker"] {
            #expect(paths.contains(command))
        }
    }

    @Test(arguments: [[]] + commandPaths(below: EventBrokerCommand.self))
    func helpExitsWithZero(path: [String]) async throws {
        let output = try await runEventBroker(path + ["--help"], environment: ["REDIS_URL": unreachableRedisURL])
        #expect(output.status == 0, "\(path): \(output.standardError)")
        #expect(output.standardOutput.contains("USAGE: event-broker \(path.joined(separator: " "))"), "\(output.standardOutput)")
    }
}
