import ArgumentParser
import Foundation
import Logging
import RedisEventBroker
import RedisServerProcess

/// `event-broker demo`: two services with several instances exchange orders; one handler fails
/// once and its event is handled again.
struct DemoCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "demo",
        abstract: "Run a short demo: a shop publishes orders, billing and shipping instances handle them.",
        discussion: """
            Starts a throwaway redis-server unless REDIS_URL (or --redis-url) names one. Billing runs \
            three instances and shipping two, each an independent broker with its own connections, as \
            separate processes would be. Billing's handler fails once on one order; the summary shows \
            that order handled again and nothing lost.
            """)

    @Option(help: "How many orders the shop publishes.")
    var orders: Int = 24

    @Option(help: "The Redis to use (redis:// or unix:// URL); default: REDIS_URL, else a throwaway redis-server.")
    var redisURL: String?

    @Flag(help: "Show the brokers' own log lines.")
    var verbose = false

    func validate() throws {
        guard (1...10_000).contains(orders) else { throw ValidationError("--orders must be between 1 and 10000") }
    }

    func run() async throws {
        let url = redisURL ?? ProcessInfo.processInfo.environment["REDIS_URL"]
        let server: RedisServerProcess? = url == nil ? try await RedisServerProcess.start() : nil
        defer { server?.stop() }
        if let server {
            print("Started a throwaway redis-server at \(server.url)")
        }
        let demo = ShopDemo(
            redisURL: url ?? server!.url, orders: orders, logLevel: verbose ? .info : .critical)
        let summary = try await demo.run()
        print(summary.report())
        if summary.lost > 0 { throw ExitCode.failure }
    }
}
