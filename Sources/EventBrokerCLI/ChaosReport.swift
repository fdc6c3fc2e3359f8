import EventBrokerCore
import Foundation

/// What a chaos run did and found, printed for people or as JSON (`--json`).
struct ChaosReport: Codable, Sendable {
    /// The settings the run used.
    struct Settings: Codable, Sendable {
        var events: Int
        var consumersPerService: Int
        var loopsPerConsumer: Int
        var kills: Int
        var stops: Int
        var restarts: Int
        var scriptFlushes: Int
        var clientKills: Int
        var failureRate: Double
        var leaseMilliseconds: Int64
        var rate: Double
        var seed: UInt64
        var timeoutSeconds: Double
    }

    /// What one service did with the events.
    struct ServiceFigures: Codable, Sendable {
        var service: String
        /// Acknowledged events handled at least once.
        var handled = 0
        /// Acknowledged events never handled.
        var lost = 0
        /// Handler runs that completed.
        var completions = 0
        /// Handler runs that started.
        var deliveriesStarted = 0
        /// Handler runs that threw on purpose.
        var deliberateFailures = 0
        /// Completions beyond the first per event.
        var duplicates = 0
        /// Events handled whose publish threw (its reply was lost) and that the ledger therefore
        /// does not count as published.
        var handledWithoutAcknowledgedPublish = 0
    }

    /// The faults injected, by kind.
    struct Faults: Codable, Sendable {
        var kill = 0
        /// Kills that interrupted at least one running handler.
        var killMidHandler = 0
        var stop = 0
        var restart = 0
        var scriptFlush = 0
        var clientKill = 0
        /// Consumer connections the client kills closed, in all.
        var clientConnectionsKilled = 0
    }

    /// The median and maximum of some durations, in milliseconds.
    struct Spread: Codable, Sendable {
        var medianMilliseconds: Int64?
        var maxMilliseconds: Int64?

        init(values: [Int64]) {
            let sorted = values.sorted()
            medianMilliseconds = sorted.isEmpty ? nil : sorted[(sorted.count - 1) / 2]
            maxMilliseconds = sorted.last
        }
    }

    /// How long the events that killed consumers were handling took to be handled by another process.
    struct Recovery: Codable, Sendable {
        /// Interrupted events handled again after their consumer's kill.
        var events = 0
        /// Interrupted events not handled by another process after the kill.
        var notRecovered = 0
        /// From the SIGKILL to the other process's completion.
        var time = Spread(values: [])
    }

    var settings: Settings
    /// Publishes the broker acknowledged (each a distinct event).
    var published: Int
    /// Publishes that threw and were retried with a new event.
    var unacknowledgedPublishes: Int
    var services: [ServiceFigures]
    var faults: Faults
    /// Acknowledged events some subscribed service never handled.
    var lost: Int
    /// Completions beyond the first per service and event.
    var duplicates: Int
    var duplicatesByCause: [String: Int]
    var unexplainedDuplicates: Int
    /// What the broker's keys of the services still held at the end (`"<service> <key>"` → entries);
    /// empty when nothing is queued, in flight, waiting for a retry or dead-lettered.
    var leftInRedis: [String: Int]
    var deadLetters: Int
    var recovery: Recovery
    /// How long redis-server was down in each restart.
    var restartDowntime: Spread
    var wallTimeSeconds: Double
    /// Where the ledgers are (removed after a passing run unless kept).
    var ledgerDirectory: String
    /// Up to 50 details: lost events, unexplained duplicates, other anomalies.
    var details: [String]
    /// Why the run failed; empty when it passed.
    var failures: [String]
    var passed: Bool

    /// Builds the report and decides whether the run passed.
    init(
        settings: Settings, findings: ChaosAnalysis.Findings, leftInRedis: [String: Int], wallTime: Duration,
        ledgerDirectory: String, runFailures: [String]
    ) {
        self.settings = settings
        published = findings.published
        unacknowledgedPublishes = findings.unacknowledgedPublishes
        services = findings.services
        faults = findings.faults
        lost = findings.lost.count
        duplicates = findings.services.reduce(0) { $0 + $1.duplicates }
        duplicatesByCause = findings.duplicatesByCause
        unexplainedDuplicates = findings.unexplainedDuplicates.count
        self.leftInRedis = leftInRedis
        deadLetters = leftInRedis.filter { $0.key.hasSuffix(" dead") }.values.reduce(0, +)
        recovery = findings.recovery
        restartDowntime = findings.restartDowntime
        wallTimeSeconds = (wallTime.secondsValue * 10).rounded() / 10
        self.ledgerDirectory = ledgerDirectory
        details = Array(
            (findings.lost.map { "lost: \($0)" } + findings.unexplainedDuplicates.map { "unexplained duplicate: \($0)" }
                + findings.anomalies).prefix(50))

        var failures = runFailures
        if published < settings.events { failures.append("only \(published) of \(settings.events) publishes were acknowledged") }
        if lost > 0 { failures.append("\(lost) acknowledged events were never handled by a subscribed service") }
        if unexplainedDuplicates > 0 { failures.append("\(unexplainedDuplicates) duplicates are not explained by an injected fault") }
        if !leftInRedis.isEmpty { failures.append("events were left in Redis: \(Self.list(leftInRedis))") }
        if recovery.notRecovered > 0 { failures.append("\(recovery.notRecovered) events of killed consumers were not handled elsewhere") }
        if !findings.anomalies.isEmpty { failures.append("\(findings.anomalies.count) ledger anomalies (see details)") }
        self.failures = failures
        passed = failures.isEmpty
    }

    /// The report for people.
    var text: String {
        func row(_ label: String, _ value: String) -> String {
            "  " + label.padding(toLength: 26, withPad: " ", startingAt: 0) + value
        }
        let lease = String(format: "%.2g s", Double(settings.leaseMilliseconds) / 1000)
        var lines = [
            "Chaos run: \(settings.events) events on topic \(ChaosRun.topic), services \(services.map(\.service).joined(separator: " and ")),"
                + " \(settings.consumersPerService) consumers each (\(settings.loopsPerConsumer) pick loops),"
                + " lease \(lease), failure rate \(settings.failureRate), \(settings.rate) publishes/s, seed \(settings.seed)",
            row("published (acknowledged)", "\(published)  (publishes that threw and were retried: \(unacknowledgedPublishes))"),
            row(
                "faults injected",
                "kill \(faults.kill) (mid-handler \(faults.killMidHandler)), stop \(faults.stop), restart \(faults.restart),"
                    + " script-flush \(faults.scriptFlush), client-kill \(faults.clientKill)"
                    + " (\(faults.clientConnectionsKilled) connections)"),
        ]
        for service in services {
            lines.append(
                row(
                    service.service,
                    "handled \(service.handled) of \(published), lost \(service.lost); handler runs \(service.deliveriesStarted):"
                        + " \(service.completions) completed, \(service.deliberateFailures) failed on purpose;"
                        + " duplicates \(service.duplicates); handled without an acknowledged publish"
                        + " \(service.handledWithoutAcknowledgedPublish)"))
        }
        let causes = duplicatesByCause.sorted { $0.key < $1.key }.map { "\($0.value) \($0.key)" }
        lines.append(row("duplicates", "\(duplicates)" + (causes.isEmpty ? "" : ": " + causes.joined(separator: "; "))))
        lines.append(row("unexplained duplicates", "\(unexplainedDuplicates)"))
        lines.append(row("left in Redis", leftInRedis.isEmpty ? "nothing (dead letters 0)" : Self.list(leftInRedis)))
        lines.append(
            row(
                "recovery after a kill",
                "\(recovery.events) interrupted events: median \(Self.seconds(recovery.time.medianMilliseconds)),"
                    + " max \(Self.seconds(recovery.time.maxMilliseconds))"))
        lines.append(
            row(
                "Redis restart downtime",
                "median \(Self.seconds(restartDowntime.medianMilliseconds)), max \(Self.seconds(restartDowntime.maxMilliseconds))"))
        lines.append(row("wall time", String(format: "%.1f s", wallTimeSeconds)))
        lines.append(row("ledgers", ledgerDirectory))
        lines += details.map { "  ! " + $0 }
        lines.append(row("result", passed ? "PASSED" : "FAILED: " + failures.joined(separator: "; ")))
        return lines.joined(separator: "\n")
    }

    /// The report as pretty-printed JSON.
    func json() throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        return String(decoding: try encoder.encode(self), as: UTF8.self)
    }

    private static func seconds(_ milliseconds: Int64?) -> String {
        milliseconds.map { String(format: "%.2f s", Double($0) / 1000) } ?? "–"
    }

    private static func list(_ counts: [String: Int]) -> String {
        counts.sorted { $0.key < $1.key }.map { "\($0.key) \($0.value)" }.joined(separator: ", ")
    }
}
