import Synchronization

/// Runs a script for many callers at once, group-commit style: a caller whose key has no run on
/// its way starts one at once; callers that come while it is on its way wait, and the next run
/// takes all of them (up to ``limit``), until none waits. A lone caller never waits for company,
/// so batching adds no delay when the broker is quiet, and takes script runs, commands and
/// round trips off Redis when it is busy.
final class BatchedRuns<Key: Hashable & Sendable, Item: Sendable, Output: Sendable>: Sendable {
    /// A caller waiting for its run.
    private struct Waiting {
        let item: Item
        let continuation: CheckedContinuation<Output, any Error>
    }

    /// The callers of one key; a key is present while a run of it is on its way.
    private struct Queue {
        var waiting: [Waiting] = []
    }

    /// The most items one run takes.
    let limit: Int
    private let queues = Mutex<[Key: Queue]>([:])

    init(limit: Int) {
        self.limit = limit
    }

    /// Returns `item`'s output from a run of `body` over a batch of items of `key`, `item`
    /// among them. `body` must return one output per item, in order; what it throws, every
    /// caller of its batch throws.
    func run(
        _ item: Item, key: Key, _ body: @escaping @Sendable ([Item]) async throws -> [Output]
    ) async throws -> Output {
        try await withCheckedThrowingContinuation { continuation in
            let startRunning = queues.withLock { queues in
                let waiting = Waiting(item: item, continuation: continuation)
                guard queues[key] != nil else {
                    queues[key] = Queue(waiting: [waiting])
                    return true
                }
                queues[key]?.waiting.append(waiting)
                return false
            }
            if startRunning {
                Task { await self.drain(key, body) }
            }
        }
    }

    /// Runs `body` over what waits for `key`, again and again until nothing does.
    private func drain(_ key: Key, _ body: @Sendable ([Item]) async throws -> [Output]) async {
        while true {
            let batch = queues.withLock { queues in
                guard let waiting = queues[key]?.waiting, !waiting.isEmpty else {
                    queues[key] = nil
                    return [Waiting]()
                }
                let batch = Array(waiting.prefix(limit))
                queues[key]?.waiting.removeFirst(batch.count)
                return batch
            }
            guard !batch.isEmpty else { return }
            do {
                let outputs = try await body(batch.map(\.item))
                guard outputs.count == batch.count else {
                    throw BrokerError.unexpectedScriptReply(
                        script: "batched run", reply: "\(outputs.count) results for \(batch.count) requests")
                }
                for (waiting, output) in zip(batch, outputs) {
                    waiting.continuation.resume(returning: output)
                }
            } catch {
                for waiting in batch {
                    waiting.continuation.resume(throwing: error)
                }
            }
        }
    }
}
