import Synchronization

/// Counts the calls and consumers running inside a broker, so shutdown can refuse new work and
/// wait for the running work to end.
final class InFlightWork: Sendable {
    private struct State {
        var isClosed = false
        var running = 0
        var drainWaiters: [CheckedContinuation<Void, Never>] = []
    }

    private let state = Mutex(State())

    /// Registers one unit of work; throws ``BrokerError/shutDown`` once ``closeAndDrain()`` began.
    func enter() throws {
        try state.withLock { state in
            guard !state.isClosed else { throw BrokerError.shutDown }
            state.running += 1
        }
    }

    /// Ends a unit of work registered by ``enter()``.
    func leave() {
        let waiters = state.withLock { state -> [CheckedContinuation<Void, Never>] in
            state.running -= 1
            guard state.isClosed, state.running == 0 else { return [] }
            defer { state.drainWaiters = [] }
            return state.drainWaiters
        }
        waiters.forEach { $0.resume() }
    }

    /// Refuses new work from now on.
    func close() {
        state.withLock { $0.isClosed = true }
    }

    /// Waits until every unit of work has left; call ``close()`` first.
    func drained() async {
        await withCheckedContinuation { continuation in
            let done = state.withLock { state -> Bool in
                if state.running == 0 { return true }
                state.drainWaiters.append(continuation)
                return false
            }
            if done { continuation.resume() }
        }
    }
}
