import ArgumentParser
import EventBrokerCore
import Logging

/// `event-broker inspect`: the state of a deployment, read without changing anything.
struct InspectCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "inspect",
        abstract: "Show the services, topics, queue depths and deliveries in flight of a key prefix.",
        discussion: """
            For every registered service (every service that ever subscribed), or the one --service \
            names: its events queued, in flight, delayed (waiting for a retry) and dead-lettered, and \
            its topics; then every topic with its subscribers; then the deliveries in flight, earliest \
            lease deadline first, with the event's id, topic and stream id, the instance holding it \
            (the first 8 characters of its id, as in the CLIENT LIST names reb:<service>:<instance>:<role>), \
            its delivery count and when its lease ends, on the Redis clock. Reads only: plain read \
            commands and the read-only depths script, so it changes nothing. With --json, one JSON \
            object with the same content (the full instance id and owner token, lease remainders in \
            milliseconds, negative once expired).
            """)

    /// The one service to show, if any.
    @Option(help: "Show only this service, and the topics it subscribes to.")
    var service: String?

    /// The most in-flight deliveries listed per service.
    @Option(help: "The most deliveries in flight listed per service; the others are counted.")
    var limit = 20

    /// Whether to print JSON instead of tables.
    @Flag(help: "Print one JSON object instead of tables.")
    var json = false

    /// Which Redis, and which key prefix.
    @OptionGroup var redis: RedisOptions

    func validate() throws {
        guard limit >= 0 else { throw ValidationError("--limit must not be negative") }
        _ = try KeyLayout(prefix: redis.prefix)
    }

    func run() async throws {
        let logger = Logger.standardError(label: "event-broker.inspect", level: .error)
        let commands = try redis.commandTarget(clientName: "event-broker:inspect", logger: logger)
        let inspection: Result<BrokerInspection, any Error>
        var prefixServer: RedisConnection?
        do {
            try await commands.connect()
            let server = try await redis.prefixServerConnection(of: commands, clientName: "event-broker:inspect", logger: logger)
            prefixServer = server
            inspection = .success(
                try await BrokerInspection.read(
                    commands: commands, prefixServer: server, prefix: redis.prefix, placement: redis.slotPlacement,
                    service: service, limit: limit, logger: logger))
        } catch {
            inspection = .failure(error)
        }
        if case .cluster = commands { await prefixServer?.close() }
        await commands.close()
        let read = try inspection.get()
        print(json ? try read.json() : read.text)
    }
}
