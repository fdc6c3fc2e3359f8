import Logging
import Synchronization

/// One Redis connection, owned by a dedicated thread, that pipelines the requests of concurrent
/// callers.
///
/// Requests are queued; the thread writes the whole queue as one batch and then reads the
/// replies in order, so N concurrent callers cost about one round trip. The connection is made
/// on the first request, and re-made when it was lost: an idle connection that the server
/// closed (CLIENT KILL, restart) is noticed before the next batch is written, so that batch
/// succeeds.
///
/// ```swift
/// let redis = RedisConnection(endpoint: try RedisEndpoint(url: url), clientName: "billing-1")
/// try await redis.connect()
/// let count = try await redis.send("INCR", "counter").integer
/// await redis.close()
/// ```
///
/// A blocking command (BLPOP with timeout 0) holds up every request queued behind it: give it a
/// connection of its own, with a ``RedisConnectionOptions/commandTimeout`` larger than its timeout.
/// Commands that change the reply protocol (SUBSCRIBE, MONITOR) do not belong here: use
/// ``PubSubConnection`` for subscriptions.
package final class RedisConnection: Sendable {
    /// The server this connection talks to.
    package let endpoint: RedisEndpoint
    /// The name set with CLIENT SETNAME after each connect, if any.
    package let clientName: String?
    /// The timeouts and reconnect pacing.
    package let options: RedisConnectionOptions

    private let core: Core

    /// Creates a connection; nothing is connected until the first request or ``connect()``.
    ///
    /// - Parameters:
    ///   - clientName: sent with CLIENT SETNAME after each connect; must not contain spaces.
    ///   - onReconnect: called on the connection's thread after every successful connect except
    ///     the first, before any queued request is written; it must return quickly (hop to a
    ///     `Task` for real work, such as re-loading scripts).
    package init(
        endpoint: RedisEndpoint,
        clientName: String? = nil,
        options: RedisConnectionOptions = RedisConnectionOptions(),
        logger: Logger = Logger(label: "RedisEventBroker.Redis"),
        onReconnect: (@Sendable () -> Void)? = nil
    ) {
        self.endpoint = endpoint
        self.clientName = clientName
        self.options = options
        var logger = logger
        logger[metadataKey: "redis.endpoint"] = "\(endpoint)"
        if let clientName { logger[metadataKey: "redis.client"] = "\(clientName)" }
        core = Core(
            endpoint: endpoint, clientName: clientName, options: options, logger: logger, onReconnect: onReconnect)
    }

    deinit {
        core.beginClose()
    }

    /// Connects now (if not connected) and sends PING, so a bad URL, password or database
    /// surfaces at start-up rather than on the first real request.
    package func connect() async throws {
        do {
            _ = try await send("PING")
        } catch RedisError.server(let message) where message.hasPrefix("NOAUTH") {
            throw RedisError.authenticationFailed(endpoint: endpoint.description, message: message)
        }
    }

    /// Sends one command and returns its reply; binary safe.
    ///
    /// Throws ``RedisError/server(message:)`` for an error reply (or
    /// ``RedisError/permissionDenied(endpoint:message:)`` when the server's ACL rules refused the
    /// command), the other ``RedisError`` cases for connection trouble, and `CancellationError`
    /// when the task is cancelled while the request is still queued (once written, a request
    /// runs to its reply).
    package func send(_ arguments: [[UInt8]]) async throws -> RedisReply {
        try await send(arguments, behind: nil)
    }

    /// Sends one command right behind an `ASKING`, in the same write, as a cluster node's `ASK`
    /// redirection requires: the node then serves the command for a slot it is importing.
    package func sendAsking(_ arguments: [[UInt8]]) async throws -> RedisReply {
        try await send(arguments, behind: Core.Preceding(command: Self.asking) { [logger = core.logger] message in
            logger.warning("Redis refused ASKING", metadata: ["error": "\(message)"])
        })
    }

    /// Sends `preceding` and then `arguments` in one write, and returns the reply to
    /// `arguments`, with the error `preceding` got, if any. Redis runs `arguments` as soon as
    /// `preceding` returns, whatever it returned, so a blocking wait (BLPOP) and what follows
    /// it cost one round trip. Throws as `send(_:)` does for `arguments`.
    package func send(
        _ arguments: [[UInt8]], behind preceding: [[UInt8]]
    ) async throws -> (reply: RedisReply, precedingError: RedisError?) {
        let precedingError = Mutex<RedisError?>(nil)
        // The thread records the error before it hands over the reply.
        let reply = try await send(arguments, behind: Core.Preceding(command: preceding) { [endpoint] message in
            precedingError.withLock { $0 = RedisError(reply: message, from: endpoint) }
        })
        return (reply, precedingError.withLock { $0 })
    }

    private static let asking = [Array("ASKING".utf8)]

    private func send(_ arguments: [[UInt8]], behind preceding: Core.Preceding?) async throws -> RedisReply {
        // Redis silently ignores an empty command, which would leave this caller without a reply.
        precondition(!arguments.isEmpty && preceding?.command.isEmpty != true, "a Redis command needs at least its name")
        let id = core.nextRequestID.wrappingAdd(1, ordering: .relaxed).newValue
        return try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { continuation in
                core.enqueue(
                    Core.Request(id: id, arguments: arguments, preceding: preceding, continuation: continuation))
            }
        } onCancel: {
            core.cancel(id)
        }
    }

    /// Sends one command given as strings (UTF-8 encoded).
    package func send(_ arguments: String...) async throws -> RedisReply {
        try await send(arguments.map { Array($0.utf8) })
    }

    /// How many commands have been written to the socket (setup commands not counted).
    package var requestsSent: Int { core.requestsSent.load(ordering: .relaxed) }

    /// How many batches (pipelined writes, each one round trip) have been written.
    package var batchesSent: Int { core.batchesSent.load(ordering: .relaxed) }

    /// Closes the connection: queued requests fail with ``RedisError/closed``, a request
    /// blocked in the server (BLPOP) is interrupted and fails with ``RedisError/closed``, and
    /// this returns once the thread has freed the connection and exited. Idempotent; later
    /// requests throw ``RedisError/closed``.
    package func close() async {
        core.beginClose()
        await core.control.waitForExit()
    }
}

/// The state shared by a ``RedisConnection`` and its thread. The thread holds only this, so a
/// connection dropped without ``RedisConnection/close()`` still stops its thread.
private final class Core: Sendable {
    struct Request: Sendable {
        let id: UInt64
        let arguments: [[UInt8]]
        /// A command written right before this one, whose reply is only checked for an error.
        let preceding: Preceding?
        let enqueued = ContinuousClock.now
        let continuation: CheckedContinuation<RedisReply, any Error>
    }

    /// A command written right before a request's, in the same write.
    struct Preceding: Sendable {
        let command: [[UInt8]]
        /// Called on the thread with the message of an error reply to `command`, before the
        /// request's own reply is handed over.
        let onError: @Sendable (String) -> Void
    }

    struct State {
        var queue: [Request] = []
        var closed = false
        var threadStarted = false
        /// The thread sleeps in ``ConnectionThreadControl/waitForWakeup()`` and needs a signal.
        var threadWaiting = false
    }

    let endpoint: RedisEndpoint
    let clientName: String?
    let options: RedisConnectionOptions
    let logger: Logger
    let onReconnect: (@Sendable () -> Void)?
    let control = ConnectionThreadControl()
    let state = Mutex(State())
    let nextRequestID = Atomic<UInt64>(0)
    let requestsSent = Atomic<Int>(0)
    let batchesSent = Atomic<Int>(0)

    init(
        endpoint: RedisEndpoint, clientName: String?, options: RedisConnectionOptions, logger: Logger,
        onReconnect: (@Sendable () -> Void)?
    ) {
        self.endpoint = endpoint
        self.clientName = clientName
        self.options = options
        self.logger = logger
        self.onReconnect = onReconnect
    }

    // MARK: Callers' side

    func enqueue(_ request: Request) {
        enum Outcome { case queued(wake: Bool, start: Bool), rejected(any Error) }
        let outcome = state.withLock { state -> Outcome in
            if state.closed { return .rejected(RedisError.closed) }
            if Task.isCancelled { return .rejected(CancellationError()) }
            state.queue.append(request)
            defer { state.threadWaiting = false; state.threadStarted = true }
            return .queued(wake: state.threadWaiting, start: !state.threadStarted)
        }
        switch outcome {
        case .rejected(let error):
            request.continuation.resume(throwing: error)
        case .queued(let wake, let start):
            if start {
                control.startThread(name: "RedisConnection") { [self] in run() }
            } else if wake {
                control.wake()
            }
        }
    }

    func cancel(_ id: UInt64) {
        let request = state.withLock { state -> Request? in
            guard let index = state.queue.firstIndex(where: { $0.id == id }) else { return nil }
            return state.queue.remove(at: index)
        }
        request?.continuation.resume(throwing: CancellationError())
    }

    func beginClose() {
        let queued = state.withLock { state -> [Request] in
            state.closed = true
            defer { state.queue = [] }
            return state.queue
        }
        control.requestClose()
        queued.forEach { $0.continuation.resume(throwing: RedisError.closed) }
    }

    // MARK: The thread's side

    private var isClosed: Bool { state.withLock { $0.closed } }

    /// Sleeps until a request is queued; false once closed.
    private func waitForWork() -> Bool {
        while true {
            let ready = state.withLock { state -> Bool? in
                if state.closed { return false }
                if !state.queue.isEmpty { return true }
                state.threadWaiting = true
                return nil
            }
            if let ready { return ready }
            control.waitForWakeup()
        }
    }

    private func takeBatch() -> [Request] {
        state.withLock { state in
            defer { state.queue = [] }
            return state.queue
        }
    }

    private func failQueued(with error: RedisError, where shouldFail: (Request) -> Bool = { _ in true }) -> Int {
        let failed = state.withLock { state -> [Request] in
            let failed = state.queue.filter(shouldFail)
            state.queue.removeAll(where: shouldFail)
            return failed
        }
        failed.forEach { $0.continuation.resume(throwing: error) }
        return failed.count
    }

    private func oldestQueuedInstant() -> ContinuousClock.Instant? {
        state.withLock { $0.queue.first?.enqueued }
    }

    private func run() {
        var connection: HiredisConnection?
        var connectedBefore = false
        while waitForWork() {
            if let current = connection, current.serverHasClosed() {
                logger.notice("Redis closed the idle connection; reconnecting")
                current.close()
                connection = nil
            }
            if connection == nil {
                connection = connectForQueuedRequests(connectedBefore: &connectedBefore)
            }
            guard let current = connection else { continue }
            let batch = takeBatch()
            if !batch.isEmpty, !execute(batch, on: current) {
                current.close()
                connection = nil
            }
        }
        connection?.close()
        _ = failQueued(with: .closed)
    }

    /// Connects, retrying with backoff while requests wait; fails the requests that waited
    /// longer than the connect timeout. Returns nil when no request is left waiting.
    private func connectForQueuedRequests(connectedBefore: inout Bool) -> HiredisConnection? {
        var backoff = ReconnectBackoff(options)
        while !isClosed {
            switch HiredisConnection.open(endpoint: endpoint, clientName: clientName, options: options, control: control) {
            case .success(let connection):
                if connectedBefore {
                    logger.notice("Reconnected to Redis")
                    onReconnect?()
                } else {
                    logger.notice("Connected to Redis")
                }
                connectedBefore = true
                return connection
            case .failure(.closing):
                return nil
            case .failure(.refused(let message)):
                let failed = failQueued(
                    with: .authenticationFailed(endpoint: endpoint.description, message: message))
                logger.warning(
                    "Redis refused the connection setup; check the URL's user, password and database",
                    metadata: ["error": "\(message)", "failed-requests": "\(failed)"])
                return nil
            case .failure(.unreachable(let reason)):
                let now = ContinuousClock.now
                let failed = failQueued(with: .connectionFailed(endpoint: endpoint.description, reason: reason)) {
                    now - $0.enqueued >= self.options.connectTimeout
                }
                guard let oldest = oldestQueuedInstant() else {
                    logger.warning(
                        "Could not connect to Redis within the connect timeout",
                        metadata: ["error": "\(reason)", "failed-requests": "\(failed)"])
                    return nil
                }
                let delay = backoff.nextDelay()
                logger.warning(
                    "Could not connect to Redis; retrying",
                    metadata: [
                        "error": "\(reason)", "retry-in": "\(delay.shortDescription)",
                        "failed-requests": "\(failed)",
                    ])
                guard control.sleep(until: min(now + delay, oldest + options.connectTimeout)) else { return nil }
            }
        }
        return nil
    }

    /// Writes a batch and reads its replies; false when the connection broke.
    private func execute(_ batch: [Request], on connection: HiredisConnection) -> Bool {
        for request in batch
        where !(request.preceding.map { connection.append($0.command) } ?? true) || !connection.append(request.arguments) {
            let error = RedisError.connectionLost(reason: "hiredis could not buffer a command: \(connection.lastError)")
            batch.forEach { $0.continuation.resume(throwing: error) }
            return false
        }
        var commandNames: [[UInt8]] = []
        commandNames.reserveCapacity(batch.count)
        for request in batch {
            if let preceding = request.preceding { commandNames.append(preceding.command[0]) }
            commandNames.append(request.arguments[0])
        }
        requestsSent.add(commandNames.count, ordering: .relaxed)
        batchesSent.add(1, ordering: .relaxed)
        RedisTraffic.record(batchOf: commandNames)
        for index in batch.indices {
            // A failure to read the preceding command's reply shows in the next read as well.
            if let preceding = batch[index].preceding, case .success(.error(let message)) = connection.readReply() {
                preceding.onError(message)
            }
            switch connection.readReply() {
            case .success(.error(let message)):
                batch[index].continuation.resume(throwing: RedisError(reply: message, from: endpoint))
            case .success(let reply):
                batch[index].continuation.resume(returning: reply)
            case .failure(let failure):
                let closed = isClosed
                let error = closed ? RedisError.closed : RedisError.connectionLost(reason: failure.reason)
                batch[index...].forEach { $0.continuation.resume(throwing: error) }
                if !closed {
                    logger.warning(
                        "Lost the connection to Redis while waiting for replies",
                        metadata: ["error": "\(failure.reason)", "failed-requests": "\(batch.count - index)"])
                }
                return false
            }
        }
        return true
    }
}
