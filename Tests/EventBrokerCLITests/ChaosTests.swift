import EventBrokerTestSupport
import Foundation
import RedisServerProcess
import Testing

@testable import EventBrokerCLI

/// Crash tests through the built `event-broker`: real child processes, real signals, a real
/// redis-server with AOF, and every event accounted for in the processes' ledgers. Only counts
/// are checked, never timings.
@Suite(.timeLimit(.minutes(5)), .serialized) struct ChaosTests {
    /// The built `event-broker`: SwiftPM puts it next to the test runner executable.
    let executable = Bundle.main.executableURL!.deletingLastPathComponent().appending(path: "event-broker")

    @Test func aShortChaosRunLosesNothingAndExplainsEveryDuplicate() async throws {
        let output = try await runProcess(
            executable,
            [
                "chaos", "--events", "400", "--consumers-per-service", "2", "--kills", "2", "--stops", "1",
                "--restarts", "1", "--script-flushes", "1", "--client-kills", "1", "--lease", "1s", "--seed", "7",
                "--json",
            ])
        let report = try JSONDecoder().decode(ChaosReport.self, from: output.standardOutputData)
        #expect(output.status == 0, "\(report.failures) \(report.details)")
        #expect(report.passed)
        #expect(report.published == 400)
        #expect(report.lost == 0)
        #expect(report.services.map(\.handled) == [400, 400])
        #expect(report.unexplainedDuplicates == 0)
        #expect(report.duplicatesByCause.values.reduce(0, +) == report.duplicates)
        #expect(report.leftInRedis.isEmpty, "nothing queued, in flight, waiting for a retry or dead")
        #expect(report.deadLetters == 0)
        #expect(report.recovery.notRecovered == 0)
        #expect(report.faults.kill == 2)
        #expect(report.faults.stop == 1)
        #expect(report.faults.restart == 1)
        #expect(report.faults.scriptFlush == 1)
        #expect(report.faults.clientKill == 1)
        #expect(report.faults.clientConnectionsKilled >= 1)
        #expect(report.services.allSatisfy { $0.deliberateFailures > 0 }, "handlers also threw on purpose")
    }

    @Test func aConsumerKilledMidHandlerLeavesItsEventToAnotherConsumer() async throws {
        let server = try await RedisServerProcess.start(RedisServerProcess.Options(appendOnly: true))
        defer { server.stop() }
        let directory = try makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        func consumer(_ name: String, _ extra: [String]) async throws -> (SpawnedProcess, URL) {
            let ledger = directory.appending(path: "\(name).ledger")
            let child = try SpawnedProcess.spawn(
                executable.path,
                ["chaos-consumer", "--redis-url", server.url, "--ledger", ledger.path, "--service", "billing",
                 "--loops", "1", "--lease", "1s"] + extra,
                log: directory.appending(path: "\(name).log").path)
            try await ChaosFleet.waitUntilReady(child, ledger: ledger, timeout: .seconds(30))
            return (child, ledger)
        }

        // The first consumer's handler records its start and then blocks.
        let (crashing, crashingLedger) = try await consumer("crashing", ["--hold-handlers"])
        let producerLedger = directory.appending(path: "producer.ledger")
        let producer = try await runProcess(
            executable, ["chaos-producer", "--redis-url", server.url, "--ledger", producerLedger.path, "--events", "1"])
        #expect(producer.status == 0, "\(producer.standardError)")
        let published = try LedgerFile(contentsOf: producerLedger).entries
        guard case .published(let eventId, _)? = published.first, published.count == 1 else {
            Issue.record("the producer recorded \(published) instead of one acknowledged publish")
            return
        }
        try await waitUntil("the blocked handler started") {
            try LedgerFile(contentsOf: crashingLedger).entries.contains { $0.delivery?.eventId == eventId }
        }

        crashing.send(SIGKILL)
        #expect(await crashing.waitForExit(timeout: .seconds(10)))
        let journal = try LedgerWriter(path: directory.appending(path: "orchestrator.ledger").path)
        journal.record(.killed(pid: crashing.pid, at: LedgerEntry.now()))

        // Its lease expires; the second consumer's lease checker puts the event back and it handles it.
        let (survivor, survivorLedger) = try await consumer("survivor", [])
        try await waitUntil("the second consumer acknowledged the event") {
            try LedgerFile(contentsOf: survivorLedger).entries.contains { entry in
                if case .acked(let delivery, .ok, _) = entry { return delivery.eventId == eventId }
                return false
            }
        }
        #expect(await survivor.terminate(grace: .seconds(15)), "the second consumer shut down on SIGTERM")

        let first = try LedgerFile(contentsOf: crashingLedger).entries.filter { $0.delivery != nil }
        #expect(first.map(\.line).map { $0.prefix(1) } == ["S"], "the first delivery started and never completed")
        #expect(first.first?.delivery == LedgerDelivery(service: "billing", eventId: eventId, number: 1, pid: crashing.pid))
        let second = try LedgerFile(contentsOf: survivorLedger).entries.filter { $0.delivery != nil }
        #expect(second.map(\.line).map { $0.prefix(1) } == ["S", "H", "A"], "the second delivery completed and was acknowledged")
        #expect(second.allSatisfy { $0.delivery == LedgerDelivery(service: "billing", eventId: eventId, number: 2, pid: survivor.pid) })
        if case .acked(_, let outcome, _)? = second.last {
            #expect(outcome == .ok)
        }

        let findings = ChaosAnalysis(
            files: try LedgerFile.all(in: directory), services: ["billing"], lease: .seconds(1)
        ).findings()
        #expect(findings.lost.isEmpty)
        #expect(findings.unexplainedDuplicates.isEmpty)
        #expect(findings.anomalies.isEmpty)
        #expect(findings.faults.killMidHandler == 1)
        #expect(findings.recovery.events == 1)
    }

    /// Waits until `condition` holds, checking every 20 ms, for at most 30 seconds.
    private func waitUntil(_ what: String, _ condition: () throws -> Bool) async throws {
        let deadline = ContinuousClock.now + .seconds(30)
        while try !condition() {
            guard ContinuousClock.now < deadline else { throw ChaosRun.Failure("timed out waiting until \(what)") }
            try await Task.sleep(for: .milliseconds(20))
        }
    }
}

extension LedgerEntry {
    /// The delivery a handler or ack line is about.
    fileprivate var delivery: LedgerDelivery? {
        switch self {
        case .started(let delivery, _), .handled(let delivery, _), .failed(let delivery, _), .acked(let delivery, _, _):
            return delivery
        default:
            return nil
        }
    }
}
