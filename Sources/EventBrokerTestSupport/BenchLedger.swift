import Synchronization

/// What one benchmark run's handlers did: how often each of its events was handled, and when the
/// last of them was handled for the first time.
public final class BenchLedger: Sendable {
    /// The ledger at the end of a run.
    public struct Tally: Codable, Equatable, Sendable {
        /// Events handled at least once.
        public let handled: Int
        /// Handler runs beyond the first of each event.
        public let duplicates: Int
        /// Events never handled.
        public let lost: Int
        /// Handler runs for numbers the run never published.
        public let unknown: Int

        /// Whether every event was handled exactly once and nothing else was.
        public var isExact: Bool { duplicates == 0 && lost == 0 && unknown == 0 }

        /// A tally with these counts.
        public init(handled: Int, duplicates: Int, lost: Int, unknown: Int) {
            self.handled = handled
            self.duplicates = duplicates
            self.lost = lost
            self.unknown = unknown
        }
    }

    private struct State {
        var counts: [Int]
        var handled = 0
        var unknown = 0
        var completedAt: ContinuousClock.Instant?
    }

    private let state: Mutex<State>

    /// A ledger for the events numbered `0..<events`.
    public init(events: Int) {
        state = Mutex(State(counts: Array(repeating: 0, count: events)))
    }

    /// Records a handler run for event `number`; the first run of the last event still missing
    /// records the time.
    public func handled(_ number: Int) {
        let now = ContinuousClock.now
        state.withLock { state in
            guard state.counts.indices.contains(number) else {
                state.unknown += 1
                return
            }
            state.counts[number] += 1
            guard state.counts[number] == 1 else { return }
            state.handled += 1
            if state.handled == state.counts.count { state.completedAt = now }
        }
    }

    /// How many events were handled at least once so far, and when the last one was (once all were).
    public var progress: (handled: Int, completedAt: ContinuousClock.Instant?) {
        state.withLock { ($0.handled, $0.completedAt) }
    }

    /// The ledger as it stands.
    public func tally() -> Tally {
        state.withLock { state in
            Tally(
                handled: state.handled,
                duplicates: state.counts.reduce(0) { $0 + max($1 - 1, 0) },
                lost: state.counts.count - state.handled,
                unknown: state.unknown)
        }
    }
}
