import Foundation

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The demo's scenario, with the shop's services of the Examples package as separate processes:
/// billing (three instances) and shipping (two) consume what orders (two instances) publish;
/// once billing handled a third of the orders, one billing instance is killed with SIGKILL while
/// its handlers run, and started again a second later. The events it held come back when their
/// leases expire. The demo follows everything through the services' JSON logs, and stops every
/// process it started.
struct ShopDemo {
    /// Why the demo could not run to its summary.
    struct Failure: Error, CustomStringConvertible {
        let description: String
    }

    /// The services' executables.
    let services: ExampleServices
    /// The Redis every instance uses.
    let redisURL: String
    /// Orders to publish, split between the orders instances.
    let orders: Int
    /// Orders published per second, all instances together.
    let rate: Int
    /// Where the instances' logs go.
    let logDirectory: URL
    /// How long the demo waits for every order to be handled before it gives up.
    let timeout: Duration
    /// Shows progress.
    let progress: DemoProgress

    /// The lease of an event while a handler runs: short, so that the killed instance's events
    /// come back within seconds.
    static let processingTimeout = 2
    /// How long the killed instance stays down.
    static let downtime = Duration.seconds(1)

    /// Runs the scenario; returns its summary once every process it started has stopped.
    func run() async throws -> DemoSummary {
        let instances = makeInstances()
        progress.startClock()
        do {
            return try await run(instances)
        } catch {
            for instance in instances where instance.isRunning { await instance.kill() }
            throw error
        }
    }

    private func makeInstances() -> [DemoInstance] {
        let common = [
            "REDIS_URL": redisURL, "LOG_FORMAT": "json", "LOG_LEVEL": "info",
            "PROCESSING_TIMEOUT": "\(Self.processingTimeout)",
        ]
        func instances(_ service: String, count: Int, _ environment: (Int) -> [String: String]) -> [DemoInstance] {
            (1...count).map { number in
                DemoInstance(
                    service: service, number: number, executable: services.path(of: "\(service)-service"),
                    environment: common.merging(environment(number)) { $1 }.merging(["MICROSERVICE_NAME": service]) { $1 },
                    logDirectory: logDirectory)
            }
        }
        let firstShare = (orders + 1) / 2
        return instances("billing", count: 3) { _ in
            ["WORK_MS": "50-150", "CONCURRENCY": "4", "METRICS_HOST": "127.0.0.1", "METRICS_PORT": "0"]
        } + instances("shipping", count: 2) { _ in ["WORK_MS": "20-60", "CONCURRENCY": "4"] }
            + instances("orders", count: 2) { number in
                [
                    "ORDER_COUNT": "\(number == 1 ? firstShare : orders - firstShare)",
                    "FIRST_ORDER": "\(number == 1 ? 1 : firstShare + 1)",
                    "ORDER_RATE": "\(max(1, rate / 2))",
                ]
            }
    }

    private func run(_ instances: [DemoInstance]) async throws -> DemoSummary {
        var ledger = DemoLedger()
        let consumers = instances.filter { $0.service != "orders" }
        let publishers = instances.filter { $0.service == "orders" }
        progress.note(
            "Starting billing ×3, shipping ×2 (each instance a process; logs in \(logDirectory.path))")
        for instance in consumers { try instance.start() }
        try await waitUntil("every consumer is ready", instances, &ledger) { ledger in
            consumers.allSatisfy { ledger.readyInstances.contains($0.name) }
        }
        progress.note("Starting orders ×\(publishers.count): \(orders) orders at \(rate) per second")
        for instance in publishers { try instance.start() }

        var kill: DemoSummary.Kill?
        var attempts = 0
        let deadline = ContinuousClock.now + timeout
        while !everyOrderHandled(ledger, publishers: publishers), ContinuousClock.now < deadline {
            try read(instances, into: &ledger)
            try requireRunning(instances, "while the orders flowed")
            if kill == nil, attempts < 3, ledger.handledCount("billing") >= orders / 3,
                let victim = consumers.filter({ $0.service == "billing" && $0.isRunning })
                    .max(by: { ledger.inFlight[$0.name]?.count ?? 0 < ledger.inFlight[$1.name]?.count ?? 0 }),
                ledger.inFlight[victim.name]?.isEmpty == false
            {
                attempts += 1
                kill = try await killAndRestart(victim, instances, &ledger)
            }
            progress.show(rows(instances, ledger))
            try await Task.sleep(for: .milliseconds(20))
        }
        try read(instances, into: &ledger)
        progress.show(rows(instances, ledger), force: true)
        progress.keepTable()

        progress.note("Stopping every instance with SIGTERM")
        var unclean: [String] = []
        for instance in instances { instance.process?.send(SIGTERM) }
        for instance in instances {
            guard let process = instance.process else { continue }
            if await !process.terminate(grace: .seconds(15)) || process.exitCode != 0 {
                unclean.append("\(instance.name) (\(process.exitCode.map { "exit status \($0)" } ?? "killed"))")
            }
        }
        try read(instances, into: &ledger)
        return DemoSummary(ledger: ledger, instances: instances, orders: orders, kill: kill, unclean: unclean)
    }

    /// Kills `victim` with SIGKILL while it handles events, and starts it again after ``downtime``.
    private func killAndRestart(
        _ victim: DemoInstance, _ instances: [DemoInstance], _ ledger: inout DemoLedger
    ) async throws -> DemoSummary.Kill? {
        await victim.kill()
        try read(instances, into: &ledger)   // what it logged before it died
        let held = ledger.instanceDied(victim.name)
        let orders = held.values.sorted().map(String.init).joined(separator: ", ")
        if held.isEmpty {
            progress.note("SIGKILL \(victim.name), but its handlers had just finished; trying again later")
        } else {
            progress.note("SIGKILL \(victim.name) while it handled order\(held.count == 1 ? "" : "s") \(orders)")
        }
        let killedAt = ContinuousClock.now
        while ContinuousClock.now - killedAt < Self.downtime {
            try read(instances, into: &ledger)
            progress.show(rows(instances, ledger))
            try await Task.sleep(for: .milliseconds(50))
        }
        try victim.start()
        progress.note("Started \(victim.name) again")
        return held.isEmpty ? nil : DemoSummary.Kill(instance: victim.name, held: held, at: killedAt)
    }

    private func everyOrderHandled(_ ledger: DemoLedger, publishers: [DemoInstance]) -> Bool {
        publishers.allSatisfy { ledger.finishedPublishers.contains($0.name) }
            && ledger.placedOrders.count == orders
            && ledger.handledCount("billing") == orders && ledger.handledCount("shipping") == orders
    }

    /// Reads every instance's new log lines into `ledger`.
    private func read(_ instances: [DemoInstance], into ledger: inout DemoLedger) throws {
        let now = ContinuousClock.now
        for instance in instances {
            for record in try instance.log.newRecords() {
                ledger.record(record, service: instance.service, instance: instance.name, seenAt: now)
            }
        }
    }

    /// Fails when an instance stopped without the demo killing it (a crash, Redis unreachable).
    private func requireRunning(_ instances: [DemoInstance], _ what: String) throws {
        for instance in instances where instance.stoppedOnItsOwn {
            let status = instance.process?.exitCode.map { "exit status \($0)" } ?? "killed by a signal"
            throw Failure(
                description: "\(instance.name) stopped \(what) (\(status)); its last lines: "
                    + "\(instance.log.otherLines.joined(separator: " | ")); log: \(instance.logPath)")
        }
    }

    private func waitUntil(
        _ what: String, _ instances: [DemoInstance], _ ledger: inout DemoLedger,
        _ condition: (DemoLedger) -> Bool
    ) async throws {
        let deadline = ContinuousClock.now + .seconds(60)
        while !condition(ledger) {
            try read(instances, into: &ledger)
            try requireRunning(instances, "before \(what)")
            guard ContinuousClock.now < deadline else { throw Failure(description: "timed out waiting until \(what)") }
            try await Task.sleep(for: .milliseconds(50))
        }
    }

    private func rows(_ instances: [DemoInstance], _ ledger: DemoLedger) -> [DemoProgress.Row] {
        ["orders", "billing", "shipping"].map { service in
            let own = instances.filter { $0.service == service }
            let running = own.count(where: \.isRunning)
            if service == "orders" {
                return DemoProgress.Row(
                    service: service, running: running, instances: own.count,
                    done: ledger.placedOrders.count, of: orders)
            }
            return DemoProgress.Row(
                service: service, running: running, instances: own.count, done: ledger.handledCount(service),
                of: ledger.placedOrders.count, inFlight: ledger.inFlightCount(service),
                redelivered: ledger.redeliveredCount(service))
        }
    }
}
