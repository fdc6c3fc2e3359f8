import Foundation
import Logging
import Synchronization

/// Exchanges events with other microservices through Redis, with no broker service to deploy.
///
/// Each instance belongs to one service. Services ``subscribe(_:)`` to topics; ``publishEvent(_:)``
/// queues an event once for every subscribed service; one instance of each service takes it with
/// ``pick(_:)``, ``consume(concurrency:_:)`` or ``pickOnNotification(_:)``, under a lease, and the
/// event leaves Redis only after its handler succeeded. A failed handler puts the event back at
/// the front of the queue for any instance; an instance that dies lets its lease expire.
///
/// ```swift
/// let broker = try await RedisEventBroker.shared(BrokerConfiguration(serviceName: "billing"))
/// try await broker.subscribe("orders")
/// broker.pickOnNotification { event in
///     let order = try event.payload(as: Order.self)
///     try await bill(order)
/// }
/// ```
/// Call ``shutdown()`` before the process ends: it lets running handlers finish.
public final class RedisEventBroker: Sendable {
    /// The configuration the broker was created with.
    public let configuration: BrokerConfiguration
    /// The service this instance belongs to.
    public let serviceName: String
    /// This instance's unique id; it owns the leases of the events it handles.
    public let instanceId: String

    let logger: Logger
    let endpoint: RedisEndpoint
    let layout: KeyLayout
    let serviceKeys: ServiceKeys
    let connection: RedisConnection
    let scripts: BrokerScripts
    let work = InFlightWork()

    private let sharingKey: BrokerConfiguration.SharingKey?
    private let state = Mutex(State())
    private let reconnects: AsyncStream<Void>.Continuation
    private let reconnectTask: Mutex<Task<Void, Never>?> = Mutex(nil)

    /// How many expired leases one pick puts back at most.
    static let reclaimLimitPerPick = 16

    private struct State {
        var isStopping = false
        var subscribedTopics: Set<String> = []
        var subscriberViews: [String: SubscriberView] = [:]
        var notificationHandlers: [@Sendable (String) async -> Void] = []
        var notificationListener: NotificationListener?
        var consumers: [ObjectIdentifier: ConsumerLoop] = [:]
        var backgroundConsumers: [Task<Void, Never>] = []
    }

    /// A publisher's cached view of a topic's subscribers, checked by the publish script.
    private struct SubscriberView {
        var version: String
        var services: [String]
    }

    /// Creates an instance with its own connections. Throws ``BrokerError/missingServiceName``
    /// or another configuration error before connecting, then ``RedisError`` if Redis is unreachable.
    public convenience init(_ configuration: BrokerConfiguration) async throws {
        try await self.init(configuration, sharingKey: nil)
    }

    /// The instance shared by every caller with an equal configuration (its logger aside):
    /// calling again creates no new instance and no new connection.
    public static func shared(_ configuration: BrokerConfiguration) async throws -> RedisEventBroker {
        _ = try configuration.validatedServiceName()
        return try await SharedBrokers.broker(for: configuration)
    }

    init(_ configuration: BrokerConfiguration, sharingKey: BrokerConfiguration.SharingKey?) async throws {
        let serviceName = try configuration.validatedServiceName()
        let layout = try KeyLayout(prefix: configuration.keyPrefix)
        let endpoint = try RedisEndpoint(url: configuration.redisURL)
        let instanceId = UUID().uuidString.lowercased()
        var logger = configuration.logger
        logger[metadataKey: "service"] = "\(serviceName)"

        self.configuration = configuration
        self.serviceName = serviceName
        self.instanceId = instanceId
        self.logger = logger
        self.endpoint = endpoint
        self.layout = layout
        self.serviceKeys = layout.service(serviceName)
        self.sharingKey = sharingKey
        let (reconnectStream, reconnects) = AsyncStream.makeStream(of: Void.self, bufferingPolicy: .bufferingNewest(1))
        self.reconnects = reconnects
        self.connection = RedisConnection(
            endpoint: endpoint,
            clientName: Self.clientName(serviceName: serviceName, instanceId: instanceId, role: "commands"),
            options: Self.connectionOptions(configuration, extraReadTime: .zero),
            logger: logger,
            onReconnect: { reconnects.yield() })
        self.scripts = BrokerScripts(runner: ScriptRunner(connection: connection, logger: logger), layout: layout)

        do {
            try await connection.connect()
        } catch {
            await connection.close()
            throw error
        }
        reconnectTask.withLock { task in
            task = Task { [weak self] in
                for await _ in reconnectStream {
                    await self?.reassertSubscriptions()
                }
            }
        }
        logger.info("Broker connected", metadata: ["redis": "\(endpoint)", "instance": "\(instanceId)"])
    }

    // MARK: Subscriptions

    /// Subscribes this service to `topic`: from now on every event published on it is queued
    /// once for this service. Idempotent; the instance re-asserts it after reconnecting.
    public func subscribe(_ topic: String) async throws {
        try BrokerName.validate(topic, as: .topic)
        try work.enter()
        defer { work.leave() }
        try await scripts.subscribe(serviceName: serviceName, topic: topic)
        state.withLock { _ = $0.subscribedTopics.insert(topic) }
        logger.info("Subscribed", metadata: ["topic": "\(topic)"])
    }

    /// Unsubscribes this service from `topic`; events already queued stay queued.
    public func unsubscribe(_ topic: String) async throws {
        try BrokerName.validate(topic, as: .topic)
        try work.enter()
        defer { work.leave() }
        state.withLock { _ = $0.subscribedTopics.remove(topic) }
        try await scripts.unsubscribe(serviceName: serviceName, topic: topic)
        logger.info("Unsubscribed", metadata: ["topic": "\(topic)"])
    }

    private func reassertSubscriptions() async {
        let topics = state.withLock { $0.subscribedTopics }
        for topic in topics {
            do {
                try await scripts.subscribe(serviceName: serviceName, topic: topic)
            } catch {
                logger.error(
                    "Could not renew a subscription after reconnecting",
                    metadata: ["topic": "\(topic)", "error": "\(error)"])
            }
        }
        if !topics.isEmpty {
            logger.notice("Renewed subscriptions after reconnecting", metadata: ["topics": "\(topics.count)"])
        }
    }

    // MARK: Publishing

    /// Queues `event` once for every service subscribed to its topic, atomically (all of them
    /// or none), and wakes one instance of each. Returns the event's new unique id.
    ///
    /// Throws ``BrokerError/invalidName(kind:value:reason:)`` for an empty or absurd topic or
    /// stream id and ``BrokerError/payloadEncodingFailed(topic:reason:)`` for a payload the codec
    /// refuses; Redis is then left untouched. An event on a topic nobody subscribed to is dropped.
    @discardableResult
    public func publishEvent(_ event: Event) async throws -> String {
        try BrokerName.validate(event.topic, as: .topic)
        try BrokerName.validate(event.streamId, as: .streamId)
        let id = UUID().uuidString.lowercased()
        let envelope = try encode(event, id: id)
        try work.enter()
        defer { work.leave() }

        for _ in 0..<8 {
            let view = state.withLock { $0.subscriberViews[event.topic] } ?? SubscriberView(version: "0", services: [])
            let outcome = try await scripts.publish(
                eventId: id, envelope: envelope, topic: event.topic, assumedVersion: view.version,
                subscribers: view.services)
            switch outcome {
            case .queued(let services):
                logger.debug(
                    "Published", metadata: ["event": "\(id)", "topic": "\(event.topic)", "services": "\(services)"])
                return id
            case .stale(let version, let subscribers):
                state.withLock {
                    $0.subscriberViews[event.topic] = SubscriberView(version: version, services: subscribers.sorted())
                }
            }
        }
        throw BrokerError.subscribersKeptChanging(topic: event.topic)
    }

    private func encode(_ event: Event, id: String) throws -> [UInt8] {
        let codec = configuration.codec
        do {
            let payload = try event.payload.map { try codec.encodePayload($0) }
            let envelope = EventEnvelope(
                id: id, streamId: event.streamId, topic: event.topic, message: event.message, payload: payload,
                headers: event.headers, publishedAtMilliseconds: Int64(Date().timeIntervalSince1970 * 1000))
            return try codec.encodeEnvelope(envelope)
        } catch {
            throw BrokerError.payloadEncodingFailed(topic: event.topic, reason: "\(error)")
        }
    }

    // MARK: Picking

    /// Takes the next event of this service, runs `handler` on it, and removes it when the
    /// handler returns. Returns `false`, without calling the handler, when the queue is empty.
    ///
    /// When the handler throws, the event goes back to the front of the queue at once, for any
    /// instance, with its delivery count raised, and `pick` rethrows the handler's error.
    /// Throws ``BrokerError/leaseLost(eventId:)`` when the handler outlived the lease.
    @discardableResult
    public func pick(_ handler: (DeliveredEvent) async throws -> Void) async throws -> Bool {
        try work.enter()
        defer { work.leave() }
        let next = try await takeNext(markerTaken: false)
        switch next.taken {
        case .none:
            return false
        case .undecodable(let eventId, let reason):
            throw BrokerError.envelopeDecodingFailed(eventId: eventId, reason: reason)
        case .delivery(let delivery):
            do {
                try await handler(delivery.event)
            } catch {
                await release(delivery, after: error)
                throw error
            }
            guard try await scripts.ack(service: serviceKeys, eventId: delivery.eventId, token: delivery.token) else {
                throw BrokerError.leaseLost(eventId: delivery.eventId)
            }
            return true
        }
    }

    /// What one pick script run gave this instance.
    struct Next {
        /// Events left in the queue after the pick.
        let remaining: Int
        /// What was taken.
        let taken: Taken
    }

    /// The event a pick took, if any.
    enum Taken {
        /// The queue was empty.
        case none
        /// An event, leased to this instance.
        case delivery(Delivery)
        /// An event whose stored form the codec refused; it stays leased until its lease expires.
        case undecodable(eventId: String, reason: String)
    }

    /// Runs the pick script once and decodes what it returned.
    func takeNext(markerTaken: Bool) async throws -> Next {
        let outcome = try await scripts.pick(
            service: serviceKeys, owner: instanceId, leaseMilliseconds: configuration.processingTimeout.wholeMilliseconds,
            markerTaken: markerTaken, reclaimLimit: Self.reclaimLimitPerPick)
        guard let picked = outcome.picked else { return Next(remaining: outcome.remaining, taken: .none) }
        do {
            let envelope = try configuration.codec.decodeEnvelope(picked.envelope)
            let event = DeliveredEvent(envelope: envelope, deliveryCount: picked.deliveryCount, codec: configuration.codec)
            let delivery = Delivery(
                eventId: picked.eventId, event: event, token: picked.token,
                leaseDeadlineMilliseconds: picked.leaseDeadlineMilliseconds)
            return Next(remaining: outcome.remaining, taken: .delivery(delivery))
        } catch {
            logger.error(
                "A stored event could not be decoded; it stays leased and comes back after the processing timeout",
                metadata: ["event": "\(picked.eventId)", "error": "\(error)"])
            return Next(remaining: outcome.remaining, taken: .undecodable(eventId: picked.eventId, reason: "\(error)"))
        }
    }

    /// Puts a delivery whose handler failed back at the front of the queue. A Redis failure
    /// here is logged: the event then comes back when its lease expires.
    func release(_ delivery: Delivery, after handlerError: any Error) async {
        let metadata: Logger.Metadata = [
            "event": "\(delivery.eventId)", "topic": "\(delivery.event.topic)",
            "delivery": "\(delivery.event.deliveryCount)", "error": "\(handlerError)",
        ]
        logger.warning("Handler failed; the event goes back to the front of the queue", metadata: metadata)
        do {
            let released = try await scripts.nack(
                service: serviceKeys, eventId: delivery.eventId, token: delivery.token, topic: delivery.event.topic)
            if !released {
                logger.warning("The failed event's lease had already expired; another delivery holds it", metadata: metadata)
            }
        } catch {
            logger.error(
                "Could not put the failed event back; it returns when its lease expires",
                metadata: metadata.merging(["redisError": "\(error)"]) { _, new in new })
        }
    }

    /// Runs `handler` on a delivery taken by a consumer, then acks or releases it; nothing is
    /// thrown, since a consumer goes on with the next event: failures are logged.
    func handle(_ delivery: Delivery, with handler: @Sendable (DeliveredEvent) async throws -> Void) async {
        do {
            try await handler(delivery.event)
        } catch {
            await release(delivery, after: error)
            return
        }
        do {
            if try await !scripts.ack(service: serviceKeys, eventId: delivery.eventId, token: delivery.token) {
                logger.warning(
                    "\(BrokerError.leaseLost(eventId: delivery.eventId))",
                    metadata: ["event": "\(delivery.eventId)", "topic": "\(delivery.event.topic)"])
            }
        } catch {
            logger.error(
                "Could not acknowledge a handled event; it is delivered again when its lease expires",
                metadata: ["event": "\(delivery.eventId)", "topic": "\(delivery.event.topic)", "error": "\(error)"])
        }
    }

    // MARK: Consumers

    /// Handles this service's events until the broker shuts down or the calling task is
    /// cancelled, running up to `concurrency` handlers at once (default:
    /// ``BrokerConfiguration/consumerConcurrency``). A handler that throws sends its event back to
    /// the front of the queue; the consumer goes on.
    ///
    /// An idle consumer sleeps in a blocking wait on the service's wake-up list, where each
    /// publish pushes one marker: one publish wakes one instance, never all of them.
    public func consume(
        concurrency: Int? = nil, _ handler: @escaping @Sendable (DeliveredEvent) async throws -> Void
    ) async throws {
        let concurrency = concurrency ?? configuration.consumerConcurrency
        guard concurrency >= 1 else {
            throw BrokerError.invalidConfiguration(setting: "concurrency", reason: "must be at least 1")
        }
        try work.enter()
        defer { work.leave() }
        let consumer = ConsumerLoop(broker: self, concurrency: concurrency, handler: handler)
        let id = ObjectIdentifier(consumer)
        let accepted = state.withLock { state in
            guard !state.isStopping else { return false }
            state.consumers[id] = consumer
            return true
        }
        guard accepted else { throw BrokerError.shutDown }
        defer { state.withLock { _ = $0.consumers.removeValue(forKey: id) } }
        await withTaskCancellationHandler {
            await consumer.run()
        } onCancel: {
            consumer.requestStop()
        }
    }

    /// Handles every event of this service in the background, as ``consume(concurrency:_:)``
    /// does, until ``shutdown()``. The original library's "pick on every notification".
    public func pickOnNotification(_ handler: @escaping @Sendable (DeliveredEvent) async throws -> Void) {
        let task = Task {
            do {
                try await consume(handler)
            } catch BrokerError.shutDown {
                return
            } catch {
                logger.error("pickOnNotification stopped", metadata: ["error": "\(error)"])
            }
        }
        state.withLock { $0.backgroundConsumers.append(task) }
    }

    /// Registers `handler`, called with the topic whenever an event is queued for this service
    /// (or a failed one comes back). Notifications are hints: they can be lost while the
    /// connection is down; ``pickOnNotification(_:)`` does not depend on them.
    public func onNotification(_ handler: @escaping @Sendable (String) async -> Void) {
        state.withLock { state in
            state.notificationHandlers.append(handler)
            if state.notificationListener == nil {
                state.notificationListener = NotificationListener(
                    endpoint: endpoint, channel: serviceKeys.notifyChannel,
                    clientName: Self.clientName(serviceName: serviceName, instanceId: instanceId, role: "notify"),
                    options: Self.connectionOptions(configuration, extraReadTime: .zero),
                    logger: logger,
                    handlers: { [weak self] in self?.state.withLock { $0.notificationHandlers } ?? [] })
            }
        }
    }

    /// The listener behind ``onNotification(_:)``, once one was registered.
    var notificationListener: NotificationListener? {
        state.withLock { $0.notificationListener }
    }

    /// A new connection for one consumer's blocking wait on the wake-up list.
    func makeWaitConnection() -> RedisConnection {
        RedisConnection(
            endpoint: endpoint,
            clientName: Self.clientName(serviceName: serviceName, instanceId: instanceId, role: "wait"),
            options: Self.connectionOptions(configuration, extraReadTime: configuration.idlePollInterval),
            logger: logger,
            onReconnect: nil)
    }

    // MARK: Shutdown

    /// Stops taking events, lets running handlers finish and acknowledge, then closes every
    /// connection. Later calls on this instance throw ``BrokerError/shutDown``.
    public func shutdown() async throws {
        work.close()
        let (consumers, backgroundConsumers) = state.withLock { state in
            state.isStopping = true
            return (Array(state.consumers.values), state.backgroundConsumers)
        }
        for consumer in consumers {
            consumer.requestStop()
        }
        for task in backgroundConsumers {
            await task.value
        }
        await work.drained()
        if let listener = state.withLock({ state in defer { state.notificationListener = nil }; return state.notificationListener }) {
            await listener.close()
        }
        reconnects.finish()
        await reconnectTask.withLock { $0 }?.value
        await connection.close()
        if let sharingKey {
            SharedBrokers.forget(sharingKey)
        }
        logger.info("Broker shut down", metadata: ["instance": "\(instanceId)"])
    }

    // MARK: Helpers

    static func clientName(serviceName: String, instanceId: String, role: String) -> String {
        "reb:\(KeyLayout.encode(serviceName)):\(instanceId.prefix(8)):\(role)"
    }

    static func connectionOptions(_ configuration: BrokerConfiguration, extraReadTime: Duration) -> RedisConnectionOptions {
        var options = RedisConnectionOptions()
        options.connectTimeout = configuration.connectTimeout
        options.commandTimeout = configuration.commandTimeout + extraReadTime
        return options
    }
}
