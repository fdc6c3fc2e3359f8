import CHiredis
import Dispatch
import Foundation
import Synchronization

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// What the owner of a connection and the connection's own thread share: the socket to shut
/// down on close, the wake-up signal, and the thread's exit.
///
/// The hiredis context never leaves the thread; only its file descriptor is published here, so
/// `close()` can interrupt a blocking read with shutdown(2).
final class ConnectionThreadControl: Sendable {
    private struct Socket {
        var descriptor: Int32 = -1
        var closing = false
    }

    private struct Exit {
        var started = false
        var exited = false
        var waiters: [CheckedContinuation<Void, Never>] = []
    }

    /// The descriptor sits behind a lock rather than in an atomic: shutdown(2) runs while the
    /// lock is held and the thread retracts the descriptor under the same lock before closing
    /// it, so a recycled descriptor number is never shut down by mistake.
    private let socket = Mutex(Socket())
    private let exit = Mutex(Exit())
    private let wakeup = DispatchSemaphore(value: 0)

    init() {}

    /// Whether ``requestClose()`` was called.
    var isClosing: Bool { socket.withLock { $0.closing } }

    /// Starts the thread once, named `name` (at most 15 bytes, the kernel's limit); returns
    /// false when it had already been started or the connection is closing.
    @discardableResult
    func startThread(name: String, body: @escaping @Sendable () -> Void) -> Bool {
        let start = exit.withLock { exit -> Bool in
            guard !exit.started, !exit.exited else { return false }
            exit.started = true
            return true
        }
        guard start else { return false }
        let thread = Thread {
            reb_block_sigpipe_on_this_thread()
            Self.nameCurrentThread(name)
            body()
            self.markExited()
        }
        thread.name = name
        thread.start()
        return true
    }

    /// Gives the calling thread `name`, as `top -H`, `perf` and `/proc` show it. Foundation's
    /// `Thread.name` does not reach the kernel on Linux: there a new thread keeps the name of
    /// the thread that created it (a pool thread's).
    private static func nameCurrentThread(_ name: String) {
        #if os(Linux)
            _ = reb_name_this_thread(name)
        #endif
    }

    /// Called on the thread once connected: returns false (publishing nothing) when closing.
    func publish(descriptor: Int32) -> Bool {
        socket.withLock { socket in
            guard !socket.closing else { return false }
            socket.descriptor = descriptor
            return true
        }
    }

    /// Called on the thread before it frees the context that owns the descriptor.
    func retractDescriptor() {
        socket.withLock { $0.descriptor = -1 }
    }

    /// Marks the connection closing, shuts the socket down (interrupting a blocking read or
    /// write on the thread) and wakes the thread. Returns false when already closing.
    @discardableResult
    func requestClose() -> Bool {
        let first = socket.withLock { socket -> Bool in
            guard !socket.closing else { return false }
            socket.closing = true
            if socket.descriptor >= 0 {
                _ = shutdown(socket.descriptor, Int32(SHUT_RDWR))
            }
            return true
        }
        if first {
            wakeup.signal()
            // A thread that was never started will never exit by itself.
            let waiters = exit.withLock { exit -> [CheckedContinuation<Void, Never>] in
                guard !exit.started, !exit.exited else { return [] }
                exit.exited = true
                defer { exit.waiters = [] }
                return exit.waiters
            }
            waiters.forEach { $0.resume() }
        }
        return first
    }

    /// Wakes the thread from ``waitForWakeup()`` or ``sleep(until:)``.
    func wake() { wakeup.signal() }

    /// Blocks the thread until ``wake()`` or ``requestClose()``.
    func waitForWakeup() { wakeup.wait() }

    /// Blocks the thread until `deadline` or ``requestClose()``, whichever comes first; wake-ups
    /// for other reasons are ignored. Returns false when closing.
    func sleep(until deadline: ContinuousClock.Instant) -> Bool {
        while !isClosing {
            let remaining = ContinuousClock.now.duration(to: deadline)
            guard remaining > .zero else { return true }
            _ = wakeup.wait(timeout: .now() + .nanoseconds(Int(remaining.nanoseconds)))
        }
        return false
    }

    /// Returns once the thread has exited (or immediately when it never started and is closed).
    func waitForExit() async {
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            let done = exit.withLock { exit -> Bool in
                if exit.exited { return true }
                exit.waiters.append(continuation)
                return false
            }
            if done { continuation.resume() }
        }
    }

    private func markExited() {
        let waiters = exit.withLock { exit -> [CheckedContinuation<Void, Never>] in
            exit.exited = true
            defer { exit.waiters = [] }
            return exit.waiters
        }
        waiters.forEach { $0.resume() }
    }
}

extension Duration {
    /// The whole duration in nanoseconds, saturating.
    var nanoseconds: Int64 {
        let (seconds, attoseconds) = components
        let (product, overflow) = seconds.multipliedReportingOverflow(by: 1_000_000_000)
        if overflow { return seconds < 0 ? .min : .max }
        return product.addingReportingOverflow(attoseconds / 1_000_000_000).overflow
            ? .max : product + attoseconds / 1_000_000_000
    }

    /// The duration in whole milliseconds for poll(2), at least 1 and at most `Int32.max`.
    var pollMilliseconds: Int32 {
        Int32(clamping: max(1, (nanoseconds + 999_999) / 1_000_000))
    }

    /// The duration as a `timeval` for hiredis, at least one millisecond (zero means "none").
    var asTimeval: timeval {
        let microseconds = max(1_000, nanoseconds / 1_000)
        return timeval(
            tv_sec: time_t(microseconds / 1_000_000), tv_usec: suseconds_t(microseconds % 1_000_000))
    }

    /// A human-readable form for messages: "300 ms", "5 s".
    var shortDescription: String {
        let milliseconds = nanoseconds / 1_000_000
        if milliseconds < 1_000 || milliseconds % 1_000 != 0 { return "\(milliseconds) ms" }
        return "\(milliseconds / 1_000) s"
    }
}
