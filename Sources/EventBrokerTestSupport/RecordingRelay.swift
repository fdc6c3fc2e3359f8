import Foundation
import RedisServerProcess
import Synchronization

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A TCP relay on loopback that keeps a copy of every byte it forwards: it accepts connections
/// on a port of its own and forwards each to `127.0.0.1:<target>`, so a test sees what travels
/// on that stretch of the wire (between two TLS tunnel ends, say).
///
/// Each connection is forwarded by two threads of its own doing blocking reads and writes, off
/// Swift's cooperative pool. ``stop()`` shuts every socket down, waits for the threads and
/// closes the sockets.
package final class RecordingRelay: Sendable {
    /// The port the relay accepts connections on.
    package let port: Int
    private let target: Int
    private let listener: Int32
    private let state = Mutex(State())

    private struct State {
        var towardsTarget: [UInt8] = []
        var fromTarget: [UInt8] = []
        /// Every socket of the accepted and forwarded connections, closed by ``stop()``.
        var sockets: [Int32] = []
        /// The accept thread and the forwarding threads still running.
        var runningThreads = 0
        var stopped = false
    }

    /// Starts relaying connections to `127.0.0.1:target`.
    package init(forwardingTo target: Int) throws {
        let bound = try bindLoopbackSocket()
        listener = bound.descriptor
        port = bound.port
        self.target = target
        guard listen(listener, 64) == 0 else {
            let code = errno
            close(listener)
            throw POSIXError(POSIXErrorCode(rawValue: code) ?? .EINVAL)
        }
        state.withLock { $0.runningThreads = 1 }
        Thread.detachNewThread { [self] in acceptConnections() }
    }

    /// Every byte forwarded towards the target so far, connections one after another.
    package var bytesTowardsTarget: [UInt8] { state.withLock { $0.towardsTarget } }

    /// Every byte forwarded from the target so far.
    package var bytesFromTarget: [UInt8] { state.withLock { $0.fromTarget } }

    /// Stops accepting, ends every connection, waits for the threads, and closes the sockets.
    package func stop() {
        let sockets = state.withLock { state in
            state.stopped = true
            return state.sockets
        }
        shutdown(listener, Int32(SHUT_RDWR))
        sockets.forEach { shutdown($0, Int32(SHUT_RDWR)) }
        while state.withLock({ $0.runningThreads > 0 }) {
            usleep(1000)
        }
        close(listener)
        sockets.forEach { close($0) }
    }

    private func acceptConnections() {
        defer { state.withLock { $0.runningThreads -= 1 } }
        while true {
            let client = accept(listener, nil, nil)
            if client < 0 {
                if errno == EINTR { continue }
                return  // the listener was shut down
            }
            guard let upstream = connectToLoopbackPort(target) else {
                close(client)
                continue
            }
            let accepted = state.withLock { state in
                guard !state.stopped else { return false }
                state.sockets += [client, upstream]
                state.runningThreads += 2
                return true
            }
            guard accepted else {
                close(client)
                close(upstream)
                return
            }
            Thread.detachNewThread { [self] in forward(from: client, to: upstream, towardsTarget: true) }
            Thread.detachNewThread { [self] in forward(from: upstream, to: client, towardsTarget: false) }
        }
    }

    /// Copies bytes from `source` to `destination` until `source` ends, recording them, then
    /// ends the writing side of `destination`.
    private func forward(from source: Int32, to destination: Int32, towardsTarget: Bool) {
        defer { state.withLock { $0.runningThreads -= 1 } }
        var buffer = [UInt8](repeating: 0, count: 65536)
        while true {
            let count = buffer.withUnsafeMutableBytes { read(source, $0.baseAddress, $0.count) }
            if count < 0 && errno == EINTR { continue }
            guard count > 0 else { break }
            let chunk = buffer[..<count]
            state.withLock { state in
                if towardsTarget { state.towardsTarget += chunk } else { state.fromTarget += chunk }
            }
            guard writeAll(chunk, to: destination) else { break }
        }
        shutdown(destination, Int32(SHUT_WR))
    }

    /// Sends all of `bytes`; false once the peer is gone (without SIGPIPE, which would end the test process).
    private func writeAll(_ bytes: ArraySlice<UInt8>, to descriptor: Int32) -> Bool {
        var rest = bytes
        while !rest.isEmpty {
            let written = rest.withUnsafeBytes { send(descriptor, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
            if written < 0 && errno == EINTR { continue }
            guard written > 0 else { return false }
            rest = rest.dropFirst(written)
        }
        return true
    }
}
