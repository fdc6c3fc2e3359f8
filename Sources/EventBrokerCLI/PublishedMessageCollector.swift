import Dispatch
import EventBrokerCore
import Synchronization

/// Collects every message a `PSUBSCRIBE *` connection receives, and tells a waiting thread when
/// a sentinel message has come through: everything published before the sentinel has then been
/// collected, so what the script tests read is complete and in order.
final class PublishedMessageCollector: Sendable {
    /// The channel of the sentinels; a random name no script uses.
    let sentinelChannel: String

    private struct State {
        var messages: [PubSubMessage] = []
        var lastSentinel = 0
    }

    private let state = Mutex(State())
    private let sentinelArrived = DispatchSemaphore(value: 0)

    /// Creates a collector; ``collect(_:)`` starts it.
    init() {
        sentinelChannel = "script-tests:sentinel:\(UInt64.random(in: 0...UInt64.max))"
    }

    /// Reads `messages` on a task until the stream finishes.
    func collect(_ messages: AsyncStream<PubSubMessage>) {
        Task {
            for await message in messages {
                if message.channel == sentinelChannel {
                    let number = Int(String(decoding: message.payload, as: UTF8.self)) ?? 0
                    state.withLock { $0.lastSentinel = max($0.lastSentinel, number) }
                    sentinelArrived.signal()
                } else {
                    state.withLock { $0.messages.append(message) }
                }
            }
        }
    }

    /// Blocks the calling (non-pool) thread until sentinel `number` has arrived or `timeout`
    /// has passed; false on timeout.
    func waitForSentinel(_ number: Int, timeout: DispatchTimeInterval) -> Bool {
        let deadline = DispatchTime.now() + timeout
        while state.withLock({ $0.lastSentinel }) < number {
            guard sentinelArrived.wait(timeout: deadline) == .success else { return false }
        }
        return true
    }

    /// The messages collected since the last ``clear()``.
    var messages: [PubSubMessage] { state.withLock { $0.messages } }

    /// Forgets the collected messages.
    func clear() {
        state.withLock { $0.messages = [] }
    }
}
