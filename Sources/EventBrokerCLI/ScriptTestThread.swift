import Dispatch
import Foundation
import Synchronization

/// The dedicated thread the script tests run on, and the bridge from it to async code.
///
/// The harness calls its backend synchronously from inside Lua, so a test run blocks its thread
/// for as long as it lasts; that thread must never be one of Swift's cooperative pool.
enum ScriptTestThread {
    /// Runs `body` on a new thread and returns what it returns.
    static func run<Result: Sendable>(_ body: @escaping @Sendable () throws -> Result) async throws -> Result {
        try await withCheckedThrowingContinuation { continuation in
            let thread = Thread {
                continuation.resume(with: Swift.Result { try body() })
            }
            thread.name = "script-tests"
            thread.start()
        }
    }

    /// Blocks this thread until `operation` finishes on the cooperative pool, and returns its
    /// result. Call it only from a thread started by ``run(_:)``.
    static func wait<Value: Sendable>(for operation: @escaping @Sendable () async throws -> Value) throws -> Value {
        let outcome = Outcome<Value>()
        Task {
            let result: Swift.Result<Value, any Error>
            do {
                result = .success(try await operation())
            } catch {
                result = .failure(error)
            }
            outcome.finish(with: result)
        }
        return try outcome.wait().get()
    }

    /// The result of one operation, handed from a task to the waiting thread.
    private final class Outcome<Value: Sendable>: Sendable {
        private let result = Mutex<Swift.Result<Value, any Error>?>(nil)
        private let finished = DispatchSemaphore(value: 0)

        func finish(with value: Swift.Result<Value, any Error>) {
            result.withLock { $0 = value }
            finished.signal()
        }

        func wait() -> Swift.Result<Value, any Error> {
            finished.wait()
            return result.withLock { $0! }
        }
    }
}
