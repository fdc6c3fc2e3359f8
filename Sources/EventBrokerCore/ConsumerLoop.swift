import Logging
import Synchronization

/// One consumer of a service's queue: picks events, as many per pick as it has free handlers
/// plus ``BrokerConfiguration/consumerPrefetch``, runs up to `concurrency` handlers at once,
/// starting prefetched events as handlers finish, and sleeps in a `BLPOP` on the service's
/// wake-up list when the queue is empty. Prefetched events it never started go back to the
/// front of the queue when it stops.
///
/// The pick rides behind the wait: both go in one write, and Redis runs the pick as soon as the
/// wait returns, so waking costs no round trip of its own. The wait also watches the consumer's
/// own stop list, where ``requestStop()`` pushes a marker: the wait then returns and the pick's
/// reply arrives as usual, and what it took goes back to the queue. (Closing the connection
/// instead could cut off the reply of a pick that already ran, whose events would then wait
/// for their leases to expire.)
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
    /// The list this consumer waits on beside the wake-up list, which a stop request pushes to.
    private let stopList: String
    /// What ``requestStop()`` started: giving back the prefetched events, and ending the wait
    /// in progress, if any.
    private let stopping = Mutex<Task<Void, Never>?>(nil)
    /// Set while the loop waits for a wake-up (or is about to).
    private let waiting = Atomic<Bool>(false)
    /// Numbers the consumers of this process, for their stop lists' names.
    private static let created = Atomic<Int>(0)
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
        let number = Self.created.wrappingAdd(1, ordering: .relaxed).newValue
        self.stopList = broker.serviceKeys.stop(consumer: "\(broker.instanceId).\(number)")
    }

    private var isStopping: Bool { stopRequested.load(ordering: .relaxed) }

    /// Makes ``run()`` return after its running handlers finish; ends a wait in progress and
    /// gives the prefetched events back at once, so other instances need not wait for the
    /// running handlers. Later calls do nothing.
    func requestStop() {
        stopping.withLock { stopping in
            guard stopping == nil else { return }
            // The flag first, then the look at `waiting`, while the loop sets `waiting` before
            // it looks at the flag: either the loop sees the flag and waits no more, or this
            // sees the wait and ends it.
            stopRequested.store(true, ordering: .sequentiallyConsistent)
            let endsWait = waiting.load(ordering: .sequentiallyConsistent)
            let unstarted = prefetched.withLock { prefetched in
                defer { prefetched = [] }
                return prefetched
            }
            // A task of its own: the caller's may be cancelled, which would refuse the commands.
            stopping = Task { [self] in
                await broker.giveBack(unstarted)
                if endsWait { await endWait() }
            }
        }
    }

    /// Ends the wait in progress by a marker on the stop list (closing the wait's connection
    /// when that fails), then deletes the list once the loop ended: the marker is still there
    /// when the wait had returned before it came.
    private func endWait() async {
        do {
            _ = try await broker.commands.send("LPUSH", stopList, "1", key: stopList)
        } catch {
            broker.logger.warning(
                "Could not end the wait for events by its stop list; closing its connection",
                metadata: ["error": "\(error)"])
            await waitConnection.withLock { $0 }.close()
        }
        await loop.withLock { $0 }?.value
        do {
            _ = try await broker.commands.send("DEL", stopList, key: stopList)
        } catch {
            broker.logger.warning(
                "Could not delete the consumer's stop list", metadata: ["key": "\(stopList)", "error": "\(error)"])
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
        // The loop ends only after a stop request: its task gives back the prefetched events
        // and deletes the stop list it pushed to, if any.
        await stopping.withLock { $0 }?.value
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
                do {
                    // As many events as there are free handlers, and the prefetch, in one pick.
                    let limit = min(concurrency - running + prefetch, BrokerScripts.batchLimit)
                    var woken: RedisEventBroker.Next?
                    if !lookNow {
                        waiting.store(true, ordering: .sequentiallyConsistent)
                        guard !stopRequested.load(ordering: .sequentiallyConsistent) else { break }
                        woken = await waitForWakeUpAndTakeNext(limit: limit)
                        waiting.store(false, ordering: .relaxed)
                        if isStopping && woken == nil { break }
                    }
                    let next: RedisEventBroker.Next
                    if let woken {
                        next = woken
                    } else {
                        next = try await broker.takeNext(limit: limit)
                    }
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

    /// Waits for a wake-up marker, taking it, for at most the idle poll interval, and picks
    /// up to `limit` events as soon as the wait returns, in the same round trip. `nil` when
    /// that failed: the caller then picks the usual way, which reloads a script Redis lost
    /// and follows a cluster's redirections.
    private func waitForWakeUpAndTakeNext(limit: Int) async -> RedisEventBroker.Next? {
        let timeout = String(broker.configuration.idlePollInterval.secondsValue)
        // The stop list first: a wake-up marker that came meanwhile stays for another instance.
        let wait = ["BLPOP", stopList, broker.serviceKeys.wake, timeout]
        let next: RedisEventBroker.Next
        let waitError: (any Error)?
        do {
            (next, waitError) = try await broker.takeNext(
                limit: limit, behind: wait.map { Array($0.utf8) }, on: waitConnection.withLock { $0 })
        } catch RedisError.server {
            return nil
        } catch {
            await waitFailed(error)
            return nil
        }
        // Redis refused the wait itself (a foreign value at one of its keys): the pick behind
        // it ran, and what it took is handled; the pause keeps the loop from spinning.
        if let waitError { await waitFailed(waitError) }
        return next
    }

    /// Logs a failed wait and pauses before the next look at the queue, unless stopping.
    private func waitFailed(_ error: any Error) async {
        guard !isStopping else { return }
        broker.logger.warning("Waiting for events failed; looking at the queue anyway", metadata: ["error": "\(error)"])
        await followWakeUpList()
        await pause(afterFailures: 1)
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
