import ArgumentParser

/// The `event-broker` command line: tools around a RedisEventBroker deployment.
@main
struct EventBrokerCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "event-broker",
        abstract: "Tools for RedisEventBroker, the embedded Redis event broker for Swift microservices.",
        subcommands: [
            DemoCommand.self, LintCommand.self, TestScriptsCommand.self, CheckerCommand.self, InspectCommand.self,
            TailCommand.self, PublishCommand.self, DeadLettersCommand.self, ChaosCommand.self,
            ChaosProducerCommand.self, ChaosConsumerCommand.self, BenchCommand.self,
        ])
}
