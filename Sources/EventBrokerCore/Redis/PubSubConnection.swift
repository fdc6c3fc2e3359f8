import Logging
import Synchronization

/// A message received on a subscribed channel.
package struct PubSubMessage: Sendable, Equatable {
    /// The channel it was published on.
    package var channel: String
    /// The published bytes.
    package var payload: [UInt8]

    /// Creates a message.
    package init(channel: String, payload: [UInt8]) {
        self.channel = channel
        self.payload = payload
    }
}

/// A connection subscribed to a fixed list of channels and channel patterns, on a thread of its
/// own, that stays subscribed: whenever the connection breaks it reconnects with backoff and
/// subscribes again, forever, until closed.
///
/// Messages published while it was disconnected are lost (that is pub/sub); ``onReconnect``
/// lets the owner catch up by other means.
///
/// ```swift
/// let pubsub = PubSubConnection(endpoint: endpoint, channels: ["reb:notify"])
/// try await pubsub.waitForSubscription()
/// for await message in pubsub.messages { … }
/// ```
package final class PubSubConnection: Sendable {
    /// The server this connection subscribes on.
    package let endpoint: RedisEndpoint
    /// The subscribed channels, without duplicates.
    package let channels: [String]
    /// The subscribed channel patterns (PSUBSCRIBE), without duplicates.
    package let patterns: [String]
    /// The name set with CLIENT SETNAME after each connect, if any.
    package let clientName: String?
    /// The timeouts, health-check interval and reconnect pacing.
    package let options: RedisConnectionOptions
    /// The received messages, in order; finishes when the connection is closed.
    package let messages: AsyncStream<PubSubMessage>

    private let core: PubSubCore

    /// Creates the connection and starts connecting and subscribing at once.
    ///
    /// - Parameters:
    ///   - channels: the channels to subscribe to.
    ///   - patterns: glob patterns of further channels to subscribe to (PSUBSCRIBE); a message
    ///     arrives once per matching channel or pattern. Channels and patterns must not both be empty.
    ///   - bufferLimit: how many unread messages ``messages`` keeps (the newest); `nil` keeps all.
    ///   - onReconnect: called on the connection's thread each time a re-subscription (not the
    ///     first subscription) is confirmed; it must return quickly.
    package init(
        endpoint: RedisEndpoint,
        channels: [String],
        patterns: [String] = [],
        clientName: String? = nil,
        options: RedisConnectionOptions = RedisConnectionOptions(),
        logger: Logger = Logger(label: "RedisEventBroker.Redis"),
        bufferLimit: Int? = nil,
        onReconnect: (@Sendable () -> Void)? = nil
    ) {
        precondition(!channels.isEmpty || !patterns.isEmpty, "a pub/sub connection needs a channel or a pattern")
        var unique: [String] = []
        for channel in channels where !unique.contains(channel) { unique.append(channel) }
        var uniquePatterns: [String] = []
        for pattern in patterns where !uniquePatterns.contains(pattern) { uniquePatterns.append(pattern) }
        self.endpoint = endpoint
        self.channels = unique
        self.patterns = uniquePatterns
        self.clientName = clientName
        self.options = options
        let (stream, continuation) = AsyncStream.makeStream(
            of: PubSubMessage.self, bufferingPolicy: bufferLimit.map { .bufferingNewest($0) } ?? .unbounded)
        messages = stream
        var logger = logger
        logger[metadataKey: "redis.endpoint"] = "\(endpoint)"
        if let clientName { logger[metadataKey: "redis.client"] = "\(clientName)" }
        core = PubSubCore(
            endpoint: endpoint, channels: unique, patterns: uniquePatterns, clientName: clientName, options: options,
            logger: logger, stream: continuation, onReconnect: onReconnect)
        core.control.startThread(name: "RedisPubSub") { [core] in core.run() }
    }

    deinit {
        core.beginClose()
    }

    /// How many times the whole channel and pattern list has been subscribed: 1 once the first
    /// subscription is confirmed, then one more after each re-subscription.
    package var subscriptionCount: Int { core.state.withLock { $0.subscriptionCount } }

    /// Whether the connection is subscribed to every channel and pattern right now.
    package var isSubscribed: Bool { core.state.withLock { $0.isSubscribed } }

    /// Returns once ``subscriptionCount`` has reached `count`: `count: 1` waits for the first
    /// subscription, `subscriptionCount + 1` for the next re-subscription. Throws
    /// ``RedisError/closed`` when the connection is closed first, `CancellationError` when
    /// the task is cancelled.
    package func waitForSubscription(count: Int = 1) async throws {
        let id = core.nextWaiterID.wrappingAdd(1, ordering: .relaxed).newValue
        try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Void, any Error>) in
                core.addWaiter(id: id, count: count, continuation: continuation)
            }
        } onCancel: {
            core.cancelWaiter(id: id)
        }
    }

    /// Closes the connection: interrupts the blocking read, finishes ``messages`` and returns
    /// once the thread has freed the connection and exited. Idempotent.
    package func close() async {
        core.beginClose()
        await core.control.waitForExit()
    }
}

/// The state shared by a ``PubSubConnection`` and its thread.
private final class PubSubCore: Sendable {
    struct Waiter {
        let count: Int
        let continuation: CheckedContinuation<Void, any Error>
    }

    struct State {
        var subscriptionCount = 0
        var isSubscribed = false
        var closed = false
        var waiters: [UInt64: Waiter] = [:]
    }

    let endpoint: RedisEndpoint
    let channels: [String]
    let patterns: [String]
    let clientName: String?
    let options: RedisConnectionOptions
    let logger: Logger
    let stream: AsyncStream<PubSubMessage>.Continuation
    let onReconnect: (@Sendable () -> Void)?
    let control = ConnectionThreadControl()
    let state = Mutex(State())
    let nextWaiterID = Atomic<UInt64>(0)

    init(
        endpoint: RedisEndpoint, channels: [String], patterns: [String], clientName: String?,
        options: RedisConnectionOptions, logger: Logger, stream: AsyncStream<PubSubMessage>.Continuation,
        onReconnect: (@Sendable () -> Void)?
    ) {
        self.endpoint = endpoint
        self.channels = channels
        self.patterns = patterns
        self.clientName = clientName
        self.options = options
        self.logger = logger
        self.stream = stream
        self.onReconnect = onReconnect
    }

    // MARK: Callers' side

    func addWaiter(id: UInt64, count: Int, continuation: CheckedContinuation<Void, any Error>) {
        let outcome = state.withLock { state -> Result<Void, any Error>? in
            if state.subscriptionCount >= count { return .success(()) }
            if state.closed { return .failure(RedisError.closed) }
            if Task.isCancelled { return .failure(CancellationError()) }
            state.waiters[id] = Waiter(count: count, continuation: continuation)
            return nil
        }
        if let outcome { continuation.resume(with: outcome) }
    }

    func cancelWaiter(id: UInt64) {
        let waiter = state.withLock { $0.waiters.removeValue(forKey: id) }
        waiter?.continuation.resume(throwing: CancellationError())
    }

    func beginClose() {
        let waiters = state.withLock { state -> [Waiter] in
            state.closed = true
            defer { state.waiters = [:] }
            return Array(state.waiters.values)
        }
        control.requestClose()
        waiters.forEach { $0.continuation.resume(throwing: RedisError.closed) }
    }

    // MARK: The thread's side

    private func markSubscribed() {
        let ready = state.withLock { state -> [Waiter] in
            state.subscriptionCount += 1
            state.isSubscribed = true
            let count = state.subscriptionCount
            let ready = state.waiters.filter { $0.value.count <= count }
            for id in ready.keys { state.waiters[id] = nil }
            return Array(ready.values)
        }
        ready.forEach { $0.continuation.resume() }
    }

    private func markUnsubscribed() {
        state.withLock { $0.isSubscribed = false }
    }

    func run() {
        var backoff = ReconnectBackoff(options)
        var subscribedBefore = false
        reconnecting: while !control.isClosing {
            switch HiredisConnection.open(endpoint: endpoint, clientName: clientName, options: options, control: control) {
            case .success(let connection):
                let failure = subscribeAndRead(on: connection, subscribedBefore: &subscribedBefore, backoff: &backoff)
                markUnsubscribed()
                connection.close()
                if control.isClosing { break reconnecting }
                logger.warning("Lost the pub/sub connection to Redis; reconnecting", metadata: ["error": "\(failure)"])
            case .failure(.closing):
                break reconnecting
            case .failure(.refused(let message)):
                logger.warning(
                    "Redis refused the pub/sub connection setup; check the URL's user, password and database",
                    metadata: ["error": "\(message)"])
            case .failure(.unreachable(let reason)):
                logger.warning("Could not connect to Redis for pub/sub; retrying", metadata: ["error": "\(reason)"])
            }
            guard control.sleep(until: .now + backoff.nextDelay()) else { break reconnecting }
        }
        stream.finish()
        let waiters = state.withLock { state -> [Waiter] in
            state.closed = true
            defer { state.waiters = [:] }
            return Array(state.waiters.values)
        }
        waiters.forEach { $0.continuation.resume(throwing: RedisError.closed) }
    }

    /// Subscribes and reads until the connection fails; returns why.
    private func subscribeAndRead(
        on connection: HiredisConnection, subscribedBefore: inout Bool, backoff: inout ReconnectBackoff
    ) -> String {
        for (command, names) in [("SUBSCRIBE", channels), ("PSUBSCRIBE", patterns)] where !names.isEmpty {
            guard connection.append([Array(command.utf8)] + names.map { Array($0.utf8) }) else {
                return connection.lastError
            }
        }
        if case .failure(let failure) = connection.flush() { return failure.reason }

        var confirmed = Set<String>()
        var confirmedPatterns = Set<String>()
        var subscribed = false
        var pingOutstanding = false
        while true {
            switch connection.bufferedReply() {
            case .failure(let failure):
                return failure.reason
            case .success(let reply?):
                switch reply {
                case .array(let elements):
                    let kind = elements.first?.string?.lowercased()
                    if kind == "message", elements.count == 3, let channel = elements[1].string {
                        stream.yield(PubSubMessage(channel: channel, payload: elements[2].bytes ?? []))
                    } else if kind == "pmessage", elements.count == 4, let channel = elements[2].string {
                        stream.yield(PubSubMessage(channel: channel, payload: elements[3].bytes ?? []))
                    } else if kind == "subscribe" || kind == "psubscribe", elements.count >= 2,
                        let name = elements[1].string
                    {
                        if kind == "subscribe" { confirmed.insert(name) } else { confirmedPatterns.insert(name) }
                        if !subscribed, confirmed.isSuperset(of: channels), confirmedPatterns.isSuperset(of: patterns) {
                            subscribed = true
                            backoff.reset()
                            markSubscribed()
                            if subscribedBefore {
                                logger.notice(
                                    "Re-subscribed to Redis channels",
                                    metadata: ["channels": "\(channels)", "patterns": "\(patterns)"])
                                onReconnect?()
                            } else {
                                logger.notice(
                                    "Subscribed to Redis channels",
                                    metadata: ["channels": "\(channels)", "patterns": "\(patterns)"])
                            }
                            subscribedBefore = true
                        }
                    }
                case .error(let message):
                    return "Redis refused SUBSCRIBE: \(message)"
                default:
                    break  // +PONG and other status replies need no action
                }
                continue
            case .success(nil):
                break
            }

            switch connection.waitUntilReadable(timeout: options.commandTimeout) {
            case .failure(let failure):
                return failure.reason
            case .success(true):
                if case .failure(let failure) = connection.readAvailable() { return failure.reason }
                pingOutstanding = false
            case .success(false):
                guard let interval = options.commandTimeout, !pingOutstanding else {
                    return "no reply to PING within \(options.commandTimeout?.shortDescription ?? "the timeout")"
                }
                logger.debug("Pub/sub connection silent for \(interval.shortDescription); sending PING")
                guard connection.append([Array("PING".utf8)]) else { return connection.lastError }
                if case .failure(let failure) = connection.flush() { return failure.reason }
                pingOutstanding = true
            }
        }
    }
}
