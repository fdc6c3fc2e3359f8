import Synchronization

/// Counts the calls and consumers running inside a broker, so shutdown can refuse new work and
/// wait, for a bounded time, for the running work to end.
final class InFlightWork: Sendable {
    private struct State {
        var isClosed = false
        var running = 0
        var nextWaiter = 0
        var waiters: [Int: CheckedContinuation<Bool, Never>] = [:]
    }

    private let state = Mutex(State())

    /// Registers one unit of work; throws ``BrokerError/shutDown`` once ``close()`` was called.
    func enter() throws {
        try state.withLock { state in
            guard !state.isClosed else { throw BrokerError.shutDown }
            state.running += 1
        }
    }

    /// Ends a unit of work registered by ``enter()``.
    func leave() {
        let waiters = state.withLock { state -> [CheckedContinuation<Bool, Never>] in
            state.running -= 1
            guard state.isClosed, state.running == 0 else { return [] }
            defer { state.waiters = [:] }
            return Array(state.waiters.values)
        }
        waiters.forEach { $0.resume(returning: true) }
    }

    /// Refuses new work from now on.
    func close() {
        state.withLock { $0.isClosed = true }
    }

    /// Waits until every unit of work has left, for at most `timeout`; `true` when it did. Call
    /// ``close()`` first.
    func drained(within timeout: Duration) async -> Bool {
        await withCheckedContinuation { continuation in
            let waiter = state.withLock { state -> Int? in
                if state.running == 0 { return nil }
                state.nextWaiter += 1
                state.waiters[state.nextWaiter] = continuation
                return state.nextWaiter
            }
            guard let waiter else {
                continuation.resume(returning: true)
                return
            }
            Task {
                try? await Task.sleep(for: timeout)
                state.withLock { $0.waiters.removeValue(forKey: waiter) }?.resume(returning: false)
            }
        }
    }
}
