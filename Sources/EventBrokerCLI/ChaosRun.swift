import EventBrokerCore
import EventBrokerTestSupport
import Foundation
import Logging
import RedisServerProcess

/// One chaos run: a redis-server of its own with AOF, consumer processes of two services, one
/// producer, faults set off at seeded random points while events flow; then it waits until every
/// event left Redis, stops everything and accounts for every event from the ledgers.
struct ChaosRun {
    /// The topic the producer publishes on and both services subscribe to.
    static let topic = "orders"
    /// The services that consume the run's events.
    static let services = ["billing", "shipping"]
    /// How often each consumer's lease checker sweeps.
    static let checkerInterval = Duration.milliseconds(250)

    /// Why the run could not go on.
    struct Failure: Error, CustomStringConvertible {
        let description: String

        init(_ description: String) {
            self.description = description
        }
    }

    let settings: ChaosReport.Settings
    /// This executable, run again for the producer and the consumers.
    let executable: String
    /// Where the ledgers and the processes' logs go.
    let directory: URL
    /// Prints a progress line (to standard error).
    let progress: @Sendable (String) -> Void

    /// Runs the scenario and returns its report; throws only when it could not even start.
    func run() async throws -> ChaosReport {
        let clock = ContinuousClock()
        let start = clock.now
        let deadline = start + .seconds(settings.timeoutSeconds)
        var generator = SeededGenerator(seed: settings.seed)
        let plan = FaultPlan(settings, generator: &generator)
        let journal = try LedgerWriter(path: directory.appending(path: "orchestrator.ledger").path)
        let server = try await RedisServerProcess.start(RedisServerProcess.Options(appendOnly: true))
        defer { server.stop() }
        var logger = Logger(label: "chaos")
        logger.logLevel = .critical
        let admin = RedisConnection(endpoint: try RedisEndpoint(url: server.url), clientName: "chaos-admin", logger: logger)
        let fleet = ChaosFleet(
            executable: executable, directory: directory, redisURL: server.url, settings: settings, journal: journal)
        let injector = FaultInjector(server: server, admin: admin, fleet: fleet, journal: journal)
        var failures: [String] = []
        var producer: SpawnedProcess?

        do {
            for service in Self.services {
                for _ in 0..<settings.consumersPerService {
                    try await fleet.startConsumer(service)
                }
            }
            progress("redis-server with AOF at \(server.url); \(Self.services.count * settings.consumersPerService) consumers ready")
            let (child, producerLedger) = try fleet.startProducer()
            producer = child
            let published = try LedgerTail(url: producerLedger, tag: "P")
            var resumes: [Task<Void, Never>] = []
            var nextStep = 0
            var lastReport = clock.now
            while nextStep < plan.steps.count || !child.hasExited {
                guard clock.now < deadline else { throw Failure("timed out while the producer was publishing") }
                for child in fleet.unexpectedExits() {
                    failures.append("consumer \(child.pid) exited by itself (status \(child.exitCode.map(String.init) ?? "signal"))")
                }
                let count = try published.update()
                if nextStep < plan.steps.count, count >= plan.steps[nextStep].afterPublished || child.hasExited {
                    if let resume = try await injector.inject(plan.steps[nextStep], generator: &generator) {
                        resumes.append(resume)
                    }
                    nextStep += 1
                } else {
                    try await Task.sleep(for: .milliseconds(10))
                }
                if clock.now - lastReport >= .seconds(10) {
                    progress("published \(count) of \(settings.events), \(nextStep) of \(plan.steps.count) faults injected")
                    lastReport = clock.now
                }
            }
            if child.exitCode != 0 {
                failures.append("the producer exited with status \(child.exitCode.map(String.init) ?? "signal")")
            }
            for resume in resumes {
                await resume.value
            }
            progress("producer done, every fault injected; waiting until every event left Redis")
            try await waitUntilDrained(admin, deadline: deadline, fleet: fleet, failures: &failures)
        } catch {
            failures.append("\(error)")
        }

        if let producer, !producer.hasExited {
            producer.send(SIGKILL)
            _ = await producer.waitForExit(timeout: .seconds(10))
        }
        for child in await fleet.terminateConsumers(grace: .seconds(15)) {
            failures.append("consumer \(child.pid) did not shut down cleanly on SIGTERM")
        }
        let left: [String: Int]
        do {
            left = try await Self.brokerKeys(admin)
        } catch {
            left = [:]
            failures.append("could not read what was left in Redis: \(error)")
        }
        await admin.close()

        let analysis = ChaosAnalysis(
            files: try LedgerFile.all(in: directory), services: Self.services,
            lease: .milliseconds(settings.leaseMilliseconds))
        return ChaosReport(
            settings: settings, findings: analysis.findings(), leftInRedis: left, wallTime: clock.now - start,
            ledgerDirectory: directory.path, runFailures: failures)
    }

    /// Waits until the services' keys hold no event at all (twice in a row, 250 ms apart).
    private func waitUntilDrained(
        _ admin: RedisConnection, deadline: ContinuousClock.Instant, fleet: ChaosFleet, failures: inout [String]
    ) async throws {
        var emptyLooks = 0
        while emptyLooks < 2 {
            guard ContinuousClock.now < deadline else {
                throw Failure("timed out waiting for the queues to drain: \(try await Self.brokerKeys(admin))")
            }
            for child in fleet.unexpectedExits() {
                failures.append("consumer \(child.pid) exited by itself (status \(child.exitCode.map(String.init) ?? "signal"))")
            }
            emptyLooks = try await Self.brokerKeys(admin).isEmpty ? emptyLooks + 1 : 0
            try await Task.sleep(for: .milliseconds(250))
        }
    }

    /// What the keys of the services hold (`"<service> <key>"` → entries), leaving out the
    /// lease checkers' sweep guards: queued ids, envelopes, in-flight deliveries, leases,
    /// delivery counts, retries, dead letters and wake-up markers.
    static func brokerKeys(_ admin: RedisConnection) async throws -> [String: Int] {
        // The key layout of version 1 with the default prefix (see KeyLayout): {reb}:v1:s:<service>:<key>.
        let prefix = "{reb}:v1:s:"
        var keys: [String] = []
        var cursor = "0"
        repeat {
            let reply = try await admin.send("SCAN", cursor, "MATCH", prefix + "*", "COUNT", "1000").array ?? []
            cursor = reply.first?.string ?? "0"
            keys += reply.last?.array?.compactMap(\.string) ?? []
        } while cursor != "0"
        var held: [String: Int] = [:]
        for key in keys {
            let name = key.dropFirst(prefix.count)
            guard let colon = name.lastIndex(of: ":") else { continue }
            let kind = name[name.index(after: colon)...]
            guard kind != "sweep-guard" else { continue }
            let size: Int64?
            switch try await admin.send("TYPE", key).string {
            case "list": size = try await admin.send("LLEN", key).integer
            case "hash": size = try await admin.send("HLEN", key).integer
            case "zset": size = try await admin.send("ZCARD", key).integer
            default: size = 1
            }
            if let size, size > 0 {
                held["\(name[..<colon]) \(kind)"] = Int(size)
            }
        }
        return held
    }
}
