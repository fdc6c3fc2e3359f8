import Synchronization

/// Runs a script for many callers at once, group-commit style: a caller whose key has no run on
/// its way runs its own item at once, on its own task; callers that come while a run is on its
/// way wait, and the next run takes all of them (up to ``limit``), until none waits. A lone
/// caller never waits for company nor changes task, so batching adds no delay when the broker
/// is quiet, and takes script runs, commands and round trips off Redis when it is busy.
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
        let leads = queues.withLock { queues in
            guard queues[key] == nil else { return false }
            queues[key] = Queue()
            return true
        }
        guard leads else { return try await wait(item, key: key, body) }
        // No run on its way: this caller runs its own item at once, on its own task, and hands
        // those who came meanwhile to a task that drains them.
        let outcome: Result<Output, any Error>
        do {
            let outputs = try await body([item])
            guard outputs.count == 1 else { throw Self.mismatch(outputs.count, 1) }
            outcome = .success(outputs[0])
        } catch {
            outcome = .failure(error)
        }
        let more = queues.withLock { queues in
            guard let waiting = queues[key]?.waiting, !waiting.isEmpty else {
                queues[key] = nil
                return false
            }
            return true
        }
        if more {
            Task { await self.drain(key, body) }
        }
        return try outcome.get()
    }

    /// Waits for the next run of `key`, or starts a task for it if the run on its way ended.
    private func wait(
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

    /// The error of a run that returned `outputs` outputs for `items` items.
    private static func mismatch(_ outputs: Int, _ items: Int) -> BrokerError {
        BrokerError.unexpectedScriptReply(script: "batched run", reply: "\(outputs) results for \(items) requests")
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
                guard outputs.count == batch.count else { throw Self.mismatch(outputs.count, batch.count) }
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
