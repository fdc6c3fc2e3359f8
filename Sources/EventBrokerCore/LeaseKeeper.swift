import Logging
import Synchronization

/// Keeps the leases of the deliveries this instance holds, so handlers that outlive a lease keep
/// their events: whenever one of them is a third of its lease old, one `renew` script extends
/// all of them. Also knows what to give back when shutdown runs out of time.
final class LeaseKeeper: Sendable {
    /// A delivery this instance holds.
    struct Held: Sendable {
        let token: String
        let lease: Duration
        var renewedAt: ContinuousClock.Instant
    }

    /// How often the keeper looks whether a lease is due for renewal.
    static let tick = Duration.milliseconds(25)

    private let held = Mutex<[String: Held]>([:])

    /// Starts keeping the lease of `delivery`, `lease` long from each renewal; `renewedAt` is when
    /// its current lease began.
    func hold(_ delivery: Delivery, lease: Duration, renewedAt: ContinuousClock.Instant = .now) {
        held.withLock { $0[delivery.eventId] = Held(token: delivery.token, lease: lease, renewedAt: renewedAt) }
    }

    /// Stops keeping the lease of `eventId` (acked, failed, released or lost).
    func letGo(_ eventId: String) {
        _ = held.withLock { $0.removeValue(forKey: eventId) }
    }

    /// Every delivery held now.
    var deliveries: [(eventId: String, held: Held)] {
        held.withLock { $0.map { ($0.key, $0.value) } }
    }

    /// Renews the held leases until the task is cancelled; a lease found lost is dropped and
    /// logged (its handler's ack will be refused).
    func run(scripts: BrokerScripts, service: ServiceKeys, logger: Logger) async {
        while !Task.isCancelled {
            try? await Task.sleep(for: Self.tick)
            let now = ContinuousClock.now
            let all = deliveries
            guard all.contains(where: { now - $0.held.renewedAt >= $0.held.lease / 3 }), !Task.isCancelled else {
                continue
            }
            do {
                let lost = try await scripts.renew(
                    service: service, deliveries: all.map { ($0.eventId, $0.held.token, $0.held.lease) })
                held.withLock { held in
                    for (eventId, _) in all where !lost.contains(eventId) {
                        held[eventId]?.renewedAt = now
                    }
                }
                for eventId in lost {
                    letGo(eventId)
                    logger.warning(
                        "A running handler's lease was lost: another instance may handle its event too",
                        metadata: ["event": "\(eventId)"])
                }
            } catch {
                logger.error("Could not renew the leases of running handlers", metadata: ["error": "\(error)"])
                try? await Task.sleep(for: .milliseconds(250))
            }
        }
    }
}
