import Logging
import Synchronization

/// One consumer of a service's queue: picks events, as many per pick as it has free handlers
/// plus ``BrokerConfiguration/consumerPrefetch``, runs up to `concurrency` handlers at once,
/// starting prefetched events as handlers finish, and sleeps in a `BLPOP` on the service's
/// wake-up list when the queue is empty. Prefetched events it never started go back to the
/// front of the queue when it stops.
///
/// A publish leaves one wake-up marker, so it wakes one sleeping instance, not all of them; a
/// pick that leaves events behind leaves a marker per limit's worth of them (at most 16), so
/// each instance woken wakes as many more as there is work for, and a pick that empties the
/// queue clears them, so no instance wakes for nothing (scripts `publish` and `pick`). The
/// `BLPOP` timeout is the safety net: a consumer looks at the queue at least once per
/// ``BrokerConfiguration/idlePollInterval``.
final class ConsumerLoop: Sendable {
    private let broker: RedisEventBroker
    private let concurrency: Int
    private let prefetch: Int
    private let handler: @Sendable (DeliveredEvent) async throws -> Void
    /// The connection of the blocking wait, to the server holding the wake-up list; replaced
    /// when a cluster moved the list's slot to another master.
    private let waitConnection: Mutex<RedisConnection>
    private let stopRequested = Atomic<Bool>(false)
    /// Picked, not started yet; the next one last. Whoever takes a delivery out starts it or
    /// gives it back: the loop, or a stop request.
    private let prefetched = Mutex<[Delivery]>([])
    private let loop = Mutex<Task<Void, Never>?>(nil)

    init(broker: RedisEventBroker, concurrency: Int, handler: @escaping @Sendable (DeliveredEvent) async throws -> Void) {
        self.broker = broker
        self.concurrency = concurrency
        self.prefetch = broker.configuration.consumerPrefetch
        self.handler = handler
        self.waitConnection = Mutex(broker.makeWaitConnection(to: broker.endpoint))
    }

    private var isStopping: Bool { stopRequested.load(ordering: .relaxed) }

    /// Makes ``run()`` return after its running handlers finish; interrupts a wait in progress
    /// and gives the prefetched events back at once, so other instances need not wait for the
    /// running handlers.
    func requestStop() {
        stopRequested.store(true, ordering: .relaxed)
        let waitConnection = waitConnection.withLock { $0 }
        let unstarted = prefetched.withLock { prefetched in
            defer { prefetched = [] }
            return prefetched
        }
        Task { [broker] in
            await waitConnection.close()
            await broker.giveBack(unstarted)
        }
    }

    /// Cancels the handlers still running, once shutdown gave their events back.
    func cancelHandlers() {
        loop.withLock { $0 }?.cancel()
    }

    /// Picks and handles events until ``requestStop()``; returns when every handler it started finished.
    func run() async {
        let task = Task { await pickAndHandle() }
        loop.withLock { $0 = task }
        await task.value
        await waitConnection.withLock { $0 }.close()
    }

    private func pickAndHandle() async {
        await withTaskGroup(of: Void.self) { handlers in
            var running = 0
            var lookNow = true
            var failures = 0
            while !isStopping {
                if running >= concurrency {
                    await handlers.next()
                    running -= 1
                    continue
                }
                if let delivery = prefetched.withLock({ $0.popLast() }) {
                    running += 1
                    handlers.addTask { await self.broker.handle(delivery, with: self.handler) }
                    continue
                }
                if !lookNow {
                    await waitForWakeUp()
                    if isStopping { break }
                }
                do {
                    // As many events as there are free handlers, and the prefetch, in one pick.
                    let next = try await broker.takeNext(
                        limit: min(concurrency - running + prefetch, BrokerScripts.batchLimit))
                    failures = 0
                    lookNow = next.remaining > 0
                    let deliveries = next.taken.reversed().compactMap { taken -> Delivery? in
                        if case .delivery(let delivery) = taken { return delivery }
                        return nil
                    }
                    prefetched.withLock { $0 = deliveries }
                } catch {
                    failures += 1
                    broker.logger.error(
                        "Could not pick an event; retrying", metadata: ["error": "\(error)", "attempt": "\(failures)"])
                    await pause(afterFailures: failures)
                    lookNow = true
                }
            }
            // What a stop request picked while it was on its way.
            await broker.giveBack(prefetched.withLock { prefetched in
                defer { prefetched = [] }
                return prefetched
            })
        }
    }

    /// Waits for a wake-up marker, taking it, for at most the idle poll interval.
    private func waitForWakeUp() async {
        let timeout = String(broker.configuration.idlePollInterval.secondsValue)
        do {
            _ = try await waitConnection.withLock { $0 }.send("BLPOP", broker.serviceKeys.wake, timeout)
        } catch {
            if !isStopping {
                broker.logger.warning("Waiting for events failed; looking at the queue anyway", metadata: ["error": "\(error)"])
                await followWakeUpList()
                await pause(afterFailures: 1)
            }
        }
    }

    /// After a failed wait on a cluster: moves the wait to the master serving the wake-up
    /// list's slot now, if another one does (a failover, a resharding).
    private func followWakeUpList() async {
        guard case .cluster(let cluster) = broker.commands else { return }
        let endpoint: RedisEndpoint
        do {
            endpoint = try await cluster.currentMaster(forKey: broker.serviceKeys.wake)
        } catch {
            broker.logger.warning("Could not read the cluster's slot map; waiting where we did", metadata: ["error": "\(error)"])
            return
        }
        let replaced = waitConnection.withLock { connection -> RedisConnection? in
            guard connection.endpoint != endpoint else { return nil }
            defer { connection = broker.makeWaitConnection(to: endpoint) }
            return connection
        }
        guard let replaced else { return }
        broker.logger.notice("The wake-up list moved to another master; waiting there", metadata: ["redis": "\(endpoint)"])
        await replaced.close()
        if isStopping {
            await waitConnection.withLock { $0 }.close()
        }
    }

    /// Sleeps 50 ms after the first failure, doubling up to the idle poll interval.
    private func pause(afterFailures failures: Int) async {
        let delay = min(Duration.milliseconds(50) * (1 << min(failures - 1, 10)), broker.configuration.idlePollInterval)
        try? await Task.sleep(for: delay)
    }
}
