import ArgumentParser
import Foundation
import RedisServerProcess

/// `event-broker demo`: the shop's services of the Examples package run as separate processes,
/// one is killed while it works, and nothing is lost.
struct DemoCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "demo",
        abstract: "Run the shop demo: orders, billing and shipping services as processes; one is killed mid-work.",
        discussion: """
            Builds the Examples package (unless --services names its built executables), starts a \
            throwaway redis-server unless REDIS_URL (or --redis-url) names one, then runs billing ×3, \
            shipping ×2 and orders ×2, each instance a process of its own. Once billing handled a third \
            of the orders, one billing instance is killed with SIGKILL while its handlers run, and \
            started again a second later; the events it held come back when their 2-second leases \
            expire. Progress is a table on a terminal, plain lines otherwise. The summary shows orders \
            placed and handled per service, what the kill did, what was lost, and latencies; every \
            process the demo started is stopped. Exits with status 1 when an order was lost.
            """)

    @Option(help: "How many orders to place.")
    var orders: Int = 120

    @Option(help: "Orders placed per second, both orders instances together.")
    var rate: Int = 40

    @Option(help: "The Redis to use (redis:// or unix:// URL); default: REDIS_URL, else a throwaway redis-server.")
    var redisURL: String?

    @Option(help: "The Examples package to build and run the services of.")
    var examples: String = "Examples"

    @Option(help: "A directory holding the built orders-service, billing-service and shipping-service; skips the build.")
    var services: String?

    @Option(help: "How long to wait for every order to be handled (seconds).")
    var timeout: Int = 120

    @Flag(help: "Keep the instances' log files (they are kept anyway when the demo fails).")
    var keepLogs = false

    func validate() throws {
        guard (2...100_000).contains(orders) else { throw ValidationError("--orders must be between 2 and 100000") }
        guard (2...10_000).contains(rate) else { throw ValidationError("--rate must be between 2 and 10000") }
        guard (10...3_600).contains(timeout) else { throw ValidationError("--timeout must be between 10 and 3600") }
    }

    func run() async throws {
        let progress = DemoProgress(isTerminal: DemoProgress.standardOutputIsTerminal)
        let logDirectory = FileManager.default.temporaryDirectory.appending(path: "event-broker-demo-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(at: logDirectory, withIntermediateDirectories: true)
        let executables: ExampleServices
        if let services {
            executables = try ExampleServices(directory: URL(filePath: services))
        } else {
            progress.say("Building the Examples package (swift build --package-path \(examples)); the first build takes minutes")
            executables = try await ExampleServices.build(packagePath: examples, scratch: logDirectory)
        }
        let url = redisURL ?? ProcessInfo.processInfo.environment["REDIS_URL"].flatMap { $0.isEmpty ? nil : $0 }
        let server: RedisServerProcess? = url == nil ? try await RedisServerProcess.start() : nil
        defer { server?.stop() }
        if let server { progress.say("Started a throwaway redis-server at \(server.url)") }

        let demo = ShopDemo(
            services: executables, redisURL: url ?? server!.url, orders: orders, rate: rate, logDirectory: logDirectory,
            timeout: .seconds(timeout), progress: progress)
        let summary: DemoSummary
        do {
            summary = try await demo.run()
        } catch {
            progress.say("The demo failed; the instances' logs are in \(logDirectory.path)")
            throw error
        }
        progress.say(summary.report())
        if keepLogs || !summary.succeeded {
            progress.say("\nThe instances' logs are in \(logDirectory.path)")
        } else {
            try? FileManager.default.removeItem(at: logDirectory)
        }
        if !summary.succeeded { throw ExitCode.failure }
    }
}
