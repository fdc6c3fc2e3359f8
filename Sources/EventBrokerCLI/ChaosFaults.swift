import EventBrokerCore
import EventBrokerTestSupport
import Foundation
import RedisServerProcess

/// The faults of a chaos run in a seeded random order, each set off when the producer's
/// acknowledged publishes reach its threshold: thresholds are spread at random over 5 % to 90 %
/// of the events, so faults hit a run in progress whatever the machine's speed.
struct FaultPlan {
    /// A kind of fault.
    enum Kind: String, CaseIterable, Sendable {
        /// SIGKILL a consumer while a handler runs, then start a new one.
        case kill
        /// SIGSTOP a consumer for longer than its lease, then SIGCONT it.
        case stop
        /// Restart redis-server (AOF, `appendfsync always`).
        case restart
        /// `SCRIPT FLUSH`: every instance must load its scripts again.
        case scriptFlush = "script-flush"
        /// `CLIENT KILL` every connection of the consumers.
        case clientKill = "client-kill"
    }

    /// One fault and when it goes off.
    struct Step: Sendable {
        let kind: Kind
        /// Acknowledged publishes after which the fault goes off.
        let afterPublished: Int
        /// How long a stopped consumer stays stopped.
        let stoppedFor: Duration
    }

    /// The faults, in the order they go off.
    let steps: [Step]

    /// Draws the plan of `settings` from `generator`.
    init(_ settings: ChaosReport.Settings, generator: inout SeededGenerator) {
        var kinds = Array(repeating: Kind.kill, count: settings.kills)
        kinds += Array(repeating: .stop, count: settings.stops)
        kinds += Array(repeating: .restart, count: settings.restarts)
        kinds += Array(repeating: .scriptFlush, count: settings.scriptFlushes)
        kinds += Array(repeating: .clientKill, count: settings.clientKills)
        kinds.shuffle(using: &generator)
        let lowest = settings.events / 20
        let highest = max(lowest, settings.events * 9 / 10)
        let thresholds = kinds.map { _ in Int.random(in: lowest...highest, using: &generator) }.sorted()
        let lease = Duration.milliseconds(settings.leaseMilliseconds)
        steps = zip(kinds, thresholds).map { kind, threshold in
            // Past the lease and the checker's next sweep, so another consumer takes the events.
            let extra = lease * Double.random(in: 0.25...1, using: &generator)
            return Step(kind: kind, afterPublished: threshold, stoppedFor: lease + ChaosRun.checkerInterval * 2 + extra)
        }
    }
}

/// Sets off the faults of a chaos run and records each in the orchestrator's ledger.
struct FaultInjector {
    let server: RedisServerProcess
    let admin: RedisConnection
    let fleet: ChaosFleet
    let journal: LedgerWriter

    /// Sets off `step`'s fault. A stop returns at once, with the task that resumes the consumer
    /// when its time is up. A kill or stop finds no target while every consumer is stopped and
    /// then does nothing (and is not recorded).
    func inject(_ step: FaultPlan.Step, generator: inout SeededGenerator) async throws -> Task<Void, Never>? {
        switch step.kind {
        case .kill:
            guard let victim = fleet.anyRunningConsumer(using: &generator), let service = victim.service else { return nil }
            await waitForRunningHandler(of: victim)
            victim.send(SIGKILL)
            journal.record(.killed(pid: victim.pid, at: LedgerEntry.now()))
            _ = await victim.waitForExit(timeout: .seconds(10))
            fleet.remove(victim)
            try await fleet.startConsumer(service)
        case .stop:
            guard let victim = fleet.anyRunningConsumer(using: &generator) else { return nil }
            await waitForRunningHandler(of: victim)
            victim.send(SIGSTOP)
            journal.record(.stopped(pid: victim.pid, at: LedgerEntry.now()))
            fleet.setStopped(victim, true)
            return Task { [fleet, journal] in
                try? await Task.sleep(for: step.stoppedFor)
                victim.send(SIGCONT)
                journal.record(.continued(pid: victim.pid, at: LedgerEntry.now()))
                fleet.setStopped(victim, false)
            }
        case .restart:
            let from = LedgerEntry.now()
            try await server.restart()
            journal.record(.restarted(from: from, to: LedgerEntry.now()))
        case .scriptFlush:
            let start = LedgerEntry.now()
            _ = try await command("SCRIPT", "FLUSH")
            journal.record(.scriptsFlushed(at: start))
        case .clientKill:
            // Stamped with its start: connections break from the first CLIENT KILL on.
            let start = LedgerEntry.now()
            let clients = try await command("CLIENT", "LIST").string ?? ""
            let ids = clients.split(separator: "\n").compactMap { line -> String? in
                let fields = line.split(separator: " ")
                let name = fields.first { $0.hasPrefix("name=") }?.dropFirst(5) ?? ""
                guard ChaosRun.services.contains(where: { name.hasPrefix("reb:\($0):") }) else { return nil }
                return fields.first { $0.hasPrefix("id=") }.map { String($0.dropFirst(3)) }
            }
            for id in ids {
                // A connection that closed since CLIENT LIST answers an error: nothing to kill.
                _ = try? await command("CLIENT", "KILL", "ID", id)
            }
            journal.record(.clientsKilled(connections: ids.count, at: start))
        }
        return nil
    }

    /// Waits, for at most half a second, until the last line of the victim's ledger is a handler
    /// start: then one of its handlers is running, and the kill or stop lands mid-handler.
    private func waitForRunningHandler(of victim: SpawnedProcess) async {
        guard let ledger = fleet.ledger(of: victim) else { return }
        let deadline = ContinuousClock.now + .milliseconds(500)
        while ContinuousClock.now < deadline {
            if Self.lastLine(of: ledger)?.first == "S" { return }
            try? await Task.sleep(for: .milliseconds(1))
        }
    }

    /// The last complete line of a file, from its last 512 bytes.
    private static func lastLine(of url: URL) -> Substring? {
        guard let handle = try? FileHandle(forReadingFrom: url) else { return nil }
        defer { try? handle.close() }
        guard let end = try? handle.seekToEnd(), end > 0 else { return nil }
        try? handle.seek(toOffset: end > 512 ? end - 512 : 0)
        guard let data = try? handle.readToEnd() else { return nil }
        return String(decoding: data, as: UTF8.self).split(separator: "\n").last
    }

    /// Sends an admin command, again after a connection error (a restart just closed the connection).
    private func command(_ arguments: String...) async throws -> RedisReply {
        var attempt = 1
        while true {
            do {
                return try await admin.send(arguments.map { Array($0.utf8) })
            } catch let error as RedisError where attempt < 3 && !error.isServerReply {
                attempt += 1
                try await Task.sleep(for: .milliseconds(100))
            }
        }
    }
}

extension RedisError {
    /// Whether Redis answered with an error (which trying again does not change).
    fileprivate var isServerReply: Bool {
        if case .server = self { return true }
        return false
    }
}
