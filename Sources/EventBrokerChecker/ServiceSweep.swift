import EventBrokerCore
import Logging

/// One sweep of one service's queue: expired leases and due retries put back (or dead-lettered),
/// repeated while the batch limit is reached, so a sweep costs O(expired + due). The observers
/// hear of every sweep this call did.
struct ServiceSweep {
    let scripts: BrokerScripts
    let service: ServiceKeys
    let serviceName: String
    let interval: Duration
    let batchLimit: Int
    let maxDeliveries: Int
    let deadLetterLimit: Int
    let logger: Logger
    let observers: [any BrokerObserver]

    /// Sweeps once, unless another instance swept this interval; returns what was done in all.
    @discardableResult
    func run() async throws -> BrokerScripts.SweepOutcome {
        var total = BrokerScripts.SweepOutcome(swept: false, requeued: 0, retried: 0, deadLettered: 0, more: true)
        var guardTime = interval
        while total.more {
            let outcome = try await scripts.sweep(
                service: service, guardTime: guardTime, limit: batchLimit, maxDeliveries: maxDeliveries,
                deadLetterLimit: deadLetterLimit)
            guard outcome.swept else { return total }
            total.swept = true
            total.requeued += outcome.requeued
            total.retried += outcome.retried
            total.deadLettered += outcome.deadLettered
            total.more = outcome.more
            guardTime = .zero
        }
        for observer in observers {
            observer.queueSwept(
                service: serviceName, expiredRequeued: total.requeued, retriesDue: total.retried,
                deadLettered: total.deadLettered)
        }
        if total.requeued + total.retried + total.deadLettered > 0 {
            logger.notice(
                "Swept the queue",
                metadata: [
                    "service": "\(serviceName)", "expired-requeued": "\(total.requeued)",
                    "retries-due": "\(total.retried)", "dead-lettered": "\(total.deadLettered)",
                ])
        }
        return total
    }
}
