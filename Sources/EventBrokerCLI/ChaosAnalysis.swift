import EventBrokerCore
/// Reads the ledgers of a chaos run and accounts for every event: what was published, what each
/// service handled, lost or handled more than once (and why), and how long the events of killed
/// consumers took to be handled elsewhere.
struct ChaosAnalysis {
    /// The services whose handling is checked.
    let services: [String]
    /// The lease of the run: faults explain an ack outcome for a few leases after they end.
    let lease: Duration

    private var published: [String: Int64] = [:]
    private var unacknowledgedPublishes = 0
    private var starts: [LedgerDelivery: Int64] = [:]
    private var completions: [LedgerDelivery: Int64] = [:]
    private var failures: [LedgerDelivery: Int64] = [:]
    private var acks: [LedgerDelivery: (outcome: AckOutcome, at: Int64)] = [:]
    private var kills: [(pid: Int32, at: Int64)] = []
    private var stops: [(pid: Int32, from: Int64, to: Int64?)] = []
    private var restarts: [(from: Int64, to: Int64)] = []
    private var clientKills: [(connections: Int, at: Int64)] = []
    private var scriptFlushes = 0
    private var unreadableLines: [String] = []

    /// What the analysis found, ready for the report.
    struct Findings {
        var published = 0
        var unacknowledgedPublishes = 0
        var services: [ChaosReport.ServiceFigures] = []
        var faults = ChaosReport.Faults()
        var lost: [String] = []
        var duplicatesByCause: [String: Int] = [:]
        /// Duplicates whose earlier delivery was acknowledged, or that no injected fault explains.
        var unexplainedDuplicates: [String] = []
        /// Anything else that contradicts the broker's guarantees or the ledger's own rules.
        var anomalies: [String] = []
        var recovery = ChaosReport.Recovery()
        var restartDowntime = ChaosReport.Spread(values: [])
    }

    /// Collects the entries of every ledger file.
    init(files: [LedgerFile], services: [String], lease: Duration) {
        self.services = services
        self.lease = lease
        for file in files {
            unreadableLines += file.unreadableLines
            for entry in file.entries {
                collect(entry)
            }
        }
    }

    private mutating func collect(_ entry: LedgerEntry) {
        switch entry {
        case .published(let eventId, let at): published[eventId] = at
        case .publishUnacknowledged: unacknowledgedPublishes += 1
        case .started(let delivery, let at): starts[delivery] = at
        case .handled(let delivery, let at): completions[delivery] = at
        case .failed(let delivery, let at): failures[delivery] = at
        case .acked(let delivery, let outcome, let at): acks[delivery] = (outcome, at)
        case .killed(let pid, let at): kills.append((pid, at))
        case .stopped(let pid, let at): stops.append((pid, at, nil))
        case .continued(let pid, let at):
            if let index = stops.lastIndex(where: { $0.pid == pid && $0.to == nil }) { stops[index].to = at }
        case .restarted(let from, let to): restarts.append((from, to))
        case .scriptsFlushed: scriptFlushes += 1
        case .clientsKilled(let connections, let at): clientKills.append((connections, at))
        case .ready, .consumerStarted, .producerStarted: break
        }
    }

    /// Accounts for every event.
    func findings() -> Findings {
        var findings = Findings()
        findings.published = published.count
        findings.unacknowledgedPublishes = unacknowledgedPublishes
        findings.anomalies += unreadableLines.map { "unreadable ledger line: \($0)" }
        let killed = Dictionary(kills.map { ($0.pid, $0.at) }, uniquingKeysWith: min)
        let completionsByEvent = Dictionary(grouping: completions.keys) { ServiceEvent(service: $0.service, eventId: $0.eventId) }
        let startsByEvent = Dictionary(grouping: starts.keys) { ServiceEvent(service: $0.service, eventId: $0.eventId) }

        for service in services {
            var figures = ChaosReport.ServiceFigures(service: service)
            figures.deliveriesStarted = starts.keys.count { $0.service == service }
            figures.completions = completions.keys.count { $0.service == service }
            figures.deliberateFailures = failures.keys.count { $0.service == service }
            for eventId in published.keys.sorted() {
                if completionsByEvent[ServiceEvent(service: service, eventId: eventId)] == nil {
                    findings.lost.append("\(service) \(eventId)")
                } else {
                    figures.handled += 1
                }
            }
            figures.lost = published.count - figures.handled
            figures.handledWithoutAcknowledgedPublish = Set(
                completions.keys.filter { $0.service == service && published[$0.eventId] == nil }.map(\.eventId)
            ).count
            findings.services.append(figures)
        }

        for (key, handled) in completionsByEvent.sorted(by: { $0.key < $1.key }) {
            let ordered = handled.sorted { ($0.number, completions[$0] ?? 0) < ($1.number, completions[$1] ?? 0) }
            if let index = findings.services.firstIndex(where: { $0.service == key.service }) {
                findings.services[index].duplicates += ordered.count - 1
            }
            for (earlier, later) in zip(ordered, ordered.dropFirst()) {
                switch cause(ofRedeliveryAfter: earlier, killedAt: killed[earlier.pid]) {
                case .success(let cause):
                    findings.duplicatesByCause[cause, default: 0] += 1
                case .failure(let reason):
                    findings.unexplainedDuplicates.append(
                        "\(key.service) \(key.eventId): delivery \(later.number) (pid \(later.pid)) completed again: \(reason.text)")
                }
            }
            if let acked = ordered.first(where: { acks[$0]?.outcome == .ok }) {
                for late in startsByEvent[key, default: []] where late.number > acked.number {
                    findings.anomalies.append(
                        "\(key.service) \(key.eventId): delivery \(late.number) started after delivery \(acked.number) was acknowledged")
                }
            }
        }

        for (delivery, _) in starts.sorted(by: { $0.value < $1.value }) where killed[delivery.pid] == nil {
            if completions[delivery] == nil && failures[delivery] == nil {
                findings.anomalies.append("\(describe(delivery)): the handler never finished in a process that was not killed")
            } else if completions[delivery] != nil && acks[delivery] == nil {
                findings.anomalies.append("\(describe(delivery)): completed but no ack outcome was recorded")
            }
        }

        findings.faults = ChaosReport.Faults(
            kill: kills.count, killMidHandler: 0, stop: stops.count, restart: restarts.count,
            scriptFlush: scriptFlushes, clientKill: clientKills.count,
            clientConnectionsKilled: clientKills.reduce(0) { $0 + $1.connections })
        var recoveries: [Int64] = []
        for kill in kills {
            let interrupted = starts.keys.filter {
                $0.pid == kill.pid && completions[$0] == nil && failures[$0] == nil
            }
            if !interrupted.isEmpty { findings.faults.killMidHandler += 1 }
            for delivery in interrupted {
                let key = ServiceEvent(service: delivery.service, eventId: delivery.eventId)
                let elsewhere = completionsByEvent[key, default: []].compactMap { other -> Int64? in
                    guard other.pid != delivery.pid, let at = completions[other], at >= kill.at else { return nil }
                    return at
                }
                if let first = elsewhere.min() {
                    recoveries.append(first - kill.at)
                } else {
                    findings.recovery.notRecovered += 1
                }
            }
        }
        findings.recovery.events = recoveries.count
        findings.recovery.time = ChaosReport.Spread(values: recoveries)
        findings.restartDowntime = ChaosReport.Spread(values: restarts.map { $0.to - $0.from })
        return findings
    }

    /// One service's copy of one event.
    private struct ServiceEvent: Hashable, Comparable {
        let service: String
        let eventId: String

        static func < (lhs: Self, rhs: Self) -> Bool {
            (lhs.service, lhs.eventId) < (rhs.service, rhs.eventId)
        }
    }

    /// Why a duplicate is not explained.
    struct Unexplained: Error {
        let text: String
    }

    /// Why the event was delivered again after the completed delivery `earlier`: a completed
    /// delivery is legitimately followed by another only when its ack did not succeed, and that
    /// must come from an injected fault: its process killed before the ack, stopped past its
    /// lease, or a Redis restart or client kill that broke the ack or let the lease lapse.
    private func cause(ofRedeliveryAfter earlier: LedgerDelivery, killedAt: Int64?) -> Result<String, Unexplained> {
        guard let ack = acks[earlier] else {
            if let killedAt, killedAt >= (completions[earlier] ?? .max) {
                return .success("consumer killed between completion and ack")
            }
            return .failure(Unexplained(text: "\(describe(earlier)) recorded no ack outcome and was not killed"))
        }
        let window = Int64(lease.secondsValue * 1000) * 3 + 5_000
        switch ack.outcome {
        case .ok:
            return .failure(Unexplained(text: "\(describe(earlier)) was acknowledged before"))
        case .lost:
            if stops.contains(where: { $0.pid == earlier.pid && $0.from <= ack.at && ack.at <= ($0.to ?? .max) + window }) {
                return .success("consumer stopped past its lease (late ack refused)")
            }
            if let fault = connectionFault(around: ack.at, window: window) {
                return .success("lease lapsed during a \(fault) (late ack refused)")
            }
            return .failure(Unexplained(text: "\(describe(earlier)) lost its lease with no fault to explain it"))
        case .error:
            if let fault = connectionFault(around: ack.at, window: window) {
                return .success("ack failed in a \(fault) (connection lost)")
            }
            return .failure(Unexplained(text: "\(describe(earlier)) had its ack fail with no fault to explain it"))
        }
    }

    /// The Redis restart or client kill that was under way or had just ended at `time`.
    private func connectionFault(around time: Int64, window: Int64) -> String? {
        if restarts.contains(where: { $0.from <= time && time <= $0.to + window }) { return "Redis restart" }
        if clientKills.contains(where: { $0.at <= time && time <= $0.at + window }) { return "client kill" }
        return nil
    }

    private func describe(_ delivery: LedgerDelivery) -> String {
        "\(delivery.service) \(delivery.eventId) delivery \(delivery.number) (pid \(delivery.pid))"
    }
}
