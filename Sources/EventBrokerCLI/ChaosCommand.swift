import ArgumentParser
import EventBrokerCore
import EventBrokerTestSupport
import Foundation

/// `event-broker chaos`: the at-least-once check under crashes. Runs consumer processes of two
/// services and a producer against a redis-server of its own (AOF, `appendfsync always`), injects
/// faults at seeded random moments, waits until every event left Redis, and accounts for every
/// acknowledged publish from the processes' ledgers (docs/RELIABILITY.md).
struct ChaosCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "chaos",
        abstract: "Run the chaos test: consumers killed, stopped and disconnected, Redis restarted; nothing may be lost.",
        discussion: """
            Starts a throwaway redis-server (AOF, appendfsync always, unix socket only), a producer \
            and --consumers-per-service consumer processes of the services billing and shipping, \
            both subscribed to topic orders. While the producer publishes --events orders, the run \
            SIGKILLs consumers mid-handler (and starts new ones), SIGSTOPs consumers past their lease \
            and SIGCONTs them, restarts redis-server, flushes the script cache and kills the \
            consumers' connections, at seeded random points; handlers also fail on purpose at \
            --failure-rate. Then it waits until nothing is queued, in flight or waiting for a retry, \
            stops everything and checks the ledgers: every acknowledged publish handled by both \
            services, every duplicate explained by a fault. Exits with status 1 when anything was \
            lost, a duplicate is unexplained, anything was left in Redis, or the run timed out.
            """)

    @Option(help: "Publishes that must be acknowledged.")
    var events: Int = 2_000

    @Option(help: "Consumer processes per service.")
    var consumersPerService: Int = 3

    @Option(help: "Concurrent pick loops per consumer process.")
    var loops: Int = 4

    @Option(help: "Consumers SIGKILLed while a handler runs (each replaced by a new one).")
    var kills: Int = 2

    @Option(help: "Consumers SIGSTOPped past their lease, then SIGCONTed.")
    var stops: Int = 1

    @Option(help: "redis-server restarts.")
    var restarts: Int = 1

    @Option(help: "SCRIPT FLUSHes.")
    var scriptFlushes: Int = 1

    @Option(help: "CLIENT KILLs of every consumer connection.")
    var clientKills: Int = 1

    @Option(help: "The share of handler runs that throw on purpose (0 to 1).")
    var failureRate: Double = 0.05

    @Option(help: "The lease of each delivery, e.g. 2s or 1500ms.")
    var lease: ChaosDuration = ChaosDuration(.seconds(2))

    @Option(help: "Publishes started per second.")
    var rate: Double = 200

    @Option(help: "Seed of the fault plan and the handlers' random choices.")
    var seed: UInt64 = 1

    @Option(help: "Give up after this long, e.g. 20m.")
    var timeout: ChaosDuration = ChaosDuration(.seconds(20 * 60))

    @Option(help: "Where to write the ledgers and logs (kept); default: a temporary directory, removed when the run passes.")
    var ledgerDirectory: String?

    @Flag(help: "Print the report as JSON.")
    var json = false

    func validate() throws {
        guard events >= 1, consumersPerService >= 2, loops >= 1 else {
            throw ValidationError("use --events >= 1, --consumers-per-service >= 2 and --loops >= 1")
        }
        guard [kills, stops, restarts, scriptFlushes, clientKills].allSatisfy({ $0 >= 0 }) else {
            throw ValidationError("fault counts must not be negative")
        }
        guard (0..<1).contains(failureRate), rate > 0, lease.duration >= .milliseconds(100) else {
            throw ValidationError("use a --failure-rate in [0, 1), a --rate > 0 and a --lease of at least 100ms")
        }
    }

    func run() async throws {
        let directory: URL
        if let ledgerDirectory {
            directory = URL(filePath: ledgerDirectory)
            try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        } else {
            directory = try makeTemporaryDirectory()
        }
        let settings = ChaosReport.Settings(
            events: events, consumersPerService: consumersPerService, loopsPerConsumer: loops, kills: kills,
            stops: stops, restarts: restarts, scriptFlushes: scriptFlushes, clientKills: clientKills,
            failureRate: failureRate, leaseMilliseconds: Int64(lease.duration.secondsValue * 1000), rate: rate,
            seed: seed, timeoutSeconds: timeout.duration.secondsValue)
        let run = ChaosRun(
            settings: settings, executable: SpawnedProcess.currentExecutable, directory: directory,
            progress: { line in FileHandle.standardError.write(Data("chaos: \(line)\n".utf8)) })
        var report = try await run.run()
        if report.passed && ledgerDirectory == nil {
            try? FileManager.default.removeItem(at: directory)
            report.ledgerDirectory += " (removed: the run passed)"
        }
        print(json ? try report.json() : report.text)
        if !report.passed { throw ExitCode.failure }
    }
}

/// A duration given on the command line as a number and a unit: `250ms`, `2s`, `1.5s`, `20m`.
struct ChaosDuration: ExpressibleByArgument, CustomStringConvertible, Sendable {
    /// The duration.
    let duration: Duration

    init(_ duration: Duration) {
        self.duration = duration
    }

    init?(argument: String) {
        let units: [(suffix: String, seconds: Double)] = [("ms", 0.001), ("s", 1), ("m", 60), ("h", 3600)]
        guard let unit = units.first(where: { argument.hasSuffix($0.suffix) }),
            let value = Double(argument.dropLast(unit.suffix.count)), value >= 0
        else { return nil }
        duration = .milliseconds(Int64((value * unit.seconds * 1000).rounded()))
    }

    /// Whole milliseconds, as `<n>ms`: what ``init(argument:)`` reads back.
    var description: String { "\(Int64((duration.secondsValue * 1000).rounded()))ms" }

    var defaultValueDescription: String {
        let seconds = duration.secondsValue
        return seconds >= 60 && seconds.truncatingRemainder(dividingBy: 60) == 0
            ? "\(Int(seconds / 60))m" : seconds >= 1 ? String(format: "%gs", seconds) : description
    }
}
