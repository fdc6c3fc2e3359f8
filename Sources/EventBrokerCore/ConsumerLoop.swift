import Logging
import Synchronization

/// One consumer of a service's queue: picks events, as many per pick as it has free handlers,
/// runs up to `concurrency` handlers at once, and sleeps in a `BLPOP` on the service's wake-up
/// list when the queue is empty.
///
/// Each queued event carries at most one wake-up marker, so a publish wakes one sleeping
/// instance, not all of them. A pick that did not consume a marker removes one itself, which
/// keeps markers from piling up. The `BLPOP` timeout is the safety net: a consumer looks at the
/// queue at least once per ``BrokerConfiguration/idlePollInterval``.
final class ConsumerLoop: Sendable {
    private let broker: RedisEventBroker
    private let concurrency: Int
    private let handler: @Sendable (DeliveredEvent) async throws -> Void
    private let waitConnection: RedisConnection
    private let stopRequested = Atomic<Bool>(false)
    private let loop = Mutex<Task<Void, Never>?>(nil)

    init(broker: RedisEventBroker, concurrency: Int, handler: @escaping @Sendable (DeliveredEvent) async throws -> Void) {
        self.broker = broker
        self.concurrency = concurrency
        self.handler = handler
        self.waitConnection = broker.makeWaitConnection()
    }

    private var isStopping: Bool { stopRequested.load(ordering: .relaxed) }

    /// Makes ``run()`` return after its running handlers finish; interrupts a wait in progress.
    func requestStop() {
        stopRequested.store(true, ordering: .relaxed)
        let waitConnection = waitConnection
        Task { await waitConnection.close() }
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
        await waitConnection.close()
    }

    private func pickAndHandle() async {
        await withTaskGroup(of: Void.self) { handlers in
            var running = 0
            var lookNow = true
            var markerTaken = false
            var failures = 0
            while !isStopping {
                if running >= concurrency {
                    await handlers.next()
                    running -= 1
                    continue
                }
                if !lookNow {
                    markerTaken = await waitForWakeUp()
                    if isStopping { break }
                }
                do {
                    // As many events as there are free handlers, in one pick.
                    let next = try await broker.takeNext(
                        markerTaken: markerTaken, limit: min(concurrency - running, BrokerScripts.batchLimit))
                    failures = 0
                    lookNow = next.remaining > 0
                    for case .delivery(let delivery) in next.taken {
                        running += 1
                        handlers.addTask { await self.broker.handle(delivery, with: self.handler) }
                    }
                } catch {
                    failures += 1
                    broker.logger.error(
                        "Could not pick an event; retrying", metadata: ["error": "\(error)", "attempt": "\(failures)"])
                    await pause(afterFailures: failures)
                    lookNow = true
                }
                markerTaken = false
            }
        }
    }

    /// Waits for a wake-up marker for at most the idle poll interval; `true` when it took one.
    private func waitForWakeUp() async -> Bool {
        let timeout = String(broker.configuration.idlePollInterval.secondsValue)
        do {
            let reply = try await waitConnection.send("BLPOP", broker.serviceKeys.wake, timeout)
            return reply != .null
        } catch {
            if !isStopping {
                broker.logger.warning("Waiting for events failed; looking at the queue anyway", metadata: ["error": "\(error)"])
                await pause(afterFailures: 1)
            }
            return false
        }
    }

    /// Sleeps 50 ms after the first failure, doubling up to the idle poll interval.
    private func pause(afterFailures failures: Int) async {
        let delay = min(Duration.milliseconds(50) * (1 << min(failures - 1, 10)), broker.configuration.idlePollInterval)
        try? await Task.sleep(for: delay)
    }
}
