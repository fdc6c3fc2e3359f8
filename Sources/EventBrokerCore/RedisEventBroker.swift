import Foundation
import Logging
import Synchronization

/// Exchanges events with other microservices through Redis, with no broker service to deploy.
///
/// Each instance belongs to one service. Services ``subscribe(_:)`` to topics; ``publishEvent(_:)``
/// queues an event once for every subscribed service; one instance of each service takes it with
/// ``pick(_:)``, ``consume(concurrency:_:)`` or ``pickOnNotification(_:)``, under a lease, and the
/// event leaves Redis only after its handler succeeded. A failed handler puts the event back (at
/// the front of the queue at once, or after the ``TimeoutPolicy``'s delay) for any instance, and
/// to the dead letters after its last delivery; an instance that dies lets its lease expire,
/// and the lease checker puts the event back.
///
/// ```swift
/// let broker = try await RedisEventBroker.shared(BrokerConfiguration(serviceName: "billing"))
/// try await broker.subscribe("orders")
/// broker.pickOnNotification { event in
///     let order = try event.payload(as: Order.self)
///     try await bill(order)
/// }
/// ```
/// Call ``shutdown()`` before the process ends (or run the broker as a swift-service-lifecycle
/// `Service`): it lets running handlers finish, up to ``BrokerConfiguration/shutdownGracePeriod``.
public final class RedisEventBroker: Sendable {
    /// The configuration the broker was created with.
    public let configuration: BrokerConfiguration
    /// The service this instance belongs to.
    public let serviceName: String
    /// This instance's unique id; it owns the leases of the events it handles.
    public let instanceId: String

    /// The configured logger, with the service in its metadata.
    package let logger: Logger
    /// The server holding this service's keys, for the connections of blocking waits and
    /// notifications; in a cluster, the master of their slot when the broker started.
    let endpoint: RedisEndpoint
    let layout: KeyLayout
    /// The keys of this instance's service.
    package let serviceKeys: ServiceKeys
    /// Where scripts and other commands go: the server, or the cluster's masters.
    package let commands: RedisCommandTarget
    /// The broker's scripts, on the instance's command connection.
    package let scripts: BrokerScripts
    /// The timeout policy in force.
    package let timeoutPolicy: any TimeoutPolicy
    /// The codec new events are written with, and every codec envelopes are read with.
    let codecs: CodecSet
    /// The configured observers; empty, the broker does nothing for them.
    let observers: [any BrokerObserver]
    let work = InFlightWork()
    let leases = LeaseKeeper()
    /// The publishes of this instance, several of one topic per script run when they come together.
    private let publications = BatchedRuns<String, (id: String, envelope: [UInt8]), Int>(
        limit: BrokerScripts.publishBatchLimit)
    /// The acks of this instance, several per script run when handlers finish together.
    private let acknowledgements = BatchedRuns<String, (eventId: String, token: String), Bool>(
        limit: BrokerScripts.batchLimit)
    /// Producer spans around publishes and consumer spans around handlers, when a tracer is in force.
    let tracing: EventTracing
    /// Numbers this instance's picks, so every delivery gets its own owner token.
    private let picks = Atomic<UInt64>(0)

    private let sharingKey: BrokerConfiguration.SharingKey?
    private let state = Mutex(State())
    private let reconnects: AsyncStream<Void>.Continuation

    private struct State {
        var isStopping = false
        var subscribedTopics: Set<String> = []
        var subscriberViews: [String: SubscriberView] = [:]
        var notificationHandlers: [@Sendable (String) async -> Void] = []
        var notificationListener: NotificationListener?
        var consumers: [ObjectIdentifier: ConsumerLoop] = [:]
        /// The reconnect handler, the lease keeper and the companions: cancelled at shutdown.
        var backgroundTasks: [Task<Void, Never>] = []
    }

    /// A publisher's cached view of a topic's subscribers, checked by the publish script (with
    /// ``SlotPlacement/perService``, against the topic's version read beside each publish).
    struct SubscriberView {
        var version: String
        var services: [String]
    }

    /// Creates an instance with its own connections. Throws ``BrokerError/missingServiceName``
    /// or another configuration error before connecting, then ``RedisError`` if Redis is
    /// unreachable, refuses the URL's user, or denies it the keys of the key prefix
    /// (``RedisError/permissionDenied(endpoint:message:)``).
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
        let layout = try KeyLayout(prefix: configuration.keyPrefix, placement: configuration.slotPlacement)
        let codecs = try CodecSet(writer: configuration.codec, readers: configuration.readableCodecs)
        let instanceId = RandomID.make()
        var logger = configuration.logger
        logger[metadataKey: "service"] = "\(serviceName)"

        self.configuration = configuration
        self.serviceName = serviceName
        self.instanceId = instanceId
        self.logger = logger
        self.layout = layout
        self.serviceKeys = layout.service(serviceName)
        self.sharingKey = sharingKey
        self.timeoutPolicy = configuration.effectiveTimeoutPolicy
        self.codecs = codecs
        self.observers = configuration.observers
        let observeReconnect = Self.reconnectObserver(observers, service: serviceName, role: "commands")
        self.tracing = EventTracing(tracer: configuration.tracer, serviceName: serviceName)
        let (reconnectStream, reconnects) = AsyncStream.makeStream(of: Void.self, bufferingPolicy: .bufferingNewest(1))
        self.reconnects = reconnects
        let commands = try RedisCommandTarget(
            url: configuration.redisURL,
            clientName: Self.clientName(serviceName: serviceName, instanceId: instanceId, role: "commands"),
            options: Self.connectionOptions(configuration, extraReadTime: .zero),
            logger: logger,
            onReconnect: {
                reconnects.yield()
                observeReconnect?()
            })
        self.commands = commands
        self.scripts = BrokerScripts(
            runner: ScriptRunner(target: commands, logger: logger, observers: observers, serviceName: serviceName),
            layout: layout)

        do {
            try await commands.connect()
            // TYPE changes nothing, but fails when the user's ACL rules deny it the prefix's keys
            // (a user meant for another prefix): before any companion starts or anything is written.
            _ = try await commands.send("TYPE", serviceKeys.published, key: serviceKeys.published)
            try await Self.requireNoOtherPlacement(layout, commands: commands)
            self.endpoint = try await commands.endpoint(forKey: serviceKeys.wake)
        } catch {
            await commands.close()
            throw error
        }
        startBackgroundTasks(reconnects: reconnectStream)
        logger.info("Broker connected", metadata: ["redis": "\(endpoint)", "instance": "\(instanceId)"])
    }

    /// Starts what runs beside the broker until shutdown: subscriptions renewed after each
    /// reconnect, the lease keeper, the depth sampler (with observers), and the configured companions.
    private func startBackgroundTasks(reconnects: AsyncStream<Void>) {
        var tasks = [
            Task { [weak self] in
                for await _ in reconnects {
                    await self?.reassertSubscriptions()
                }
            },
            Task { [leases, scripts, serviceKeys, logger] in
                await leases.run(scripts: scripts, service: serviceKeys, logger: logger)
            },
        ]
        if let depthSampler {
            tasks.append(Task { await depthSampler.run() })
        }
        for companion in configuration.companions {
            tasks.append(
                Task { [logger] in
                    do {
                        try await companion.run(alongside: self)
                    } catch is CancellationError {
                        return
                    } catch {
                        logger.error(
                            "A broker companion stopped", metadata: ["companion": "\(companion)", "error": "\(error)"])
                    }
                })
        }
        state.withLock { $0.backgroundTasks = tasks }
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

    /// Subscribes again to every topic this instance subscribed to. A server that just
    /// restarted may still be loading its data (`LOADING`), so each topic is retried with
    /// backoff for about 10 seconds before the failure is logged as an error.
    private func reassertSubscriptions() async {
        let topics = state.withLock { $0.subscribedTopics }
        var renewed = 0
        for topic in topics {
            var delay = Duration.milliseconds(100)
            while !Task.isCancelled {
                do {
                    try await scripts.subscribe(serviceName: serviceName, topic: topic)
                    renewed += 1
                    break
                } catch {
                    let metadata: Logger.Metadata = ["topic": "\(topic)", "error": "\(error)"]
                    guard delay <= .seconds(5) else {
                        logger.error("Could not renew a subscription after reconnecting", metadata: metadata)
                        break
                    }
                    logger.warning("Could not renew a subscription after reconnecting yet; retrying", metadata: metadata)
                    try? await Task.sleep(for: delay)
                    delay *= 2
                }
            }
        }
        if renewed > 0 {
            logger.notice("Renewed subscriptions after reconnecting", metadata: ["topics": "\(renewed)"])
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
        let start = observationStart
        try BrokerName.validate(event.topic, as: .topic)
        try BrokerName.validate(event.streamId, as: .streamId)
        let id = RandomID.make()
        return try await tracing.publishing(event, id: id) { event in try await queue(event, id: id, start: start) }
    }

    /// Encodes `event` under `id` and queues it for the topic's subscribers; `start` is when
    /// `publishEvent` began, for the observers.
    private func queue(_ event: Event, id: String, start: ContinuousClock.Instant?) async throws -> String {
        let envelope = try encode(event, id: id)
        try work.enter()
        defer { work.leave() }

        let services = try await publications.run((id, envelope), key: event.topic) { batch in
            try await self.queue(batch, topic: event.topic)
        }
        logger.debug("Published", metadata: ["event": "\(id)", "topic": "\(event.topic)", "services": "\(services)"])
        observePublished(topic: event.topic, services: services, start: start)
        return id
    }

    /// This instance's last view of the subscribers of `topic` (none, at version "0", before the first publish).
    func subscriberView(of topic: String) -> SubscriberView {
        state.withLock { $0.subscriberViews[topic] } ?? SubscriberView(version: "0", services: [])
    }

    /// Remembers `view` as the subscribers of `topic`.
    func remember(_ view: SubscriberView, of topic: String) {
        state.withLock { $0.subscriberViews[topic] = view }
    }

    /// Queues `events` of `topic` for the topic's subscribers; returns for each event the
    /// number of services it was queued for.
    func queue(_ events: [(id: String, envelope: [UInt8])], topic: String) async throws -> [Int] {
        switch layout.placement {
        case .perPrefix: try await queueInOneRun(events, topic: topic)
        case .perService: try await queueForEachService(events, topic: topic)
        }
    }

    /// Queues `events` of `topic` in one publish script run for the topic's subscribers, as this
    /// instance last saw them, refreshing its view when the script says it is stale.
    private func queueInOneRun(_ events: [(id: String, envelope: [UInt8])], topic: String) async throws -> [Int] {
        for _ in 0..<8 {
            let view = subscriberView(of: topic)
            let outcome = try await scripts.publish(
                events: events, topic: topic, assumedVersion: view.version, subscribers: view.services)
            switch outcome {
            case .queued(let services):
                if services > 0, let replication = configuration.publishReplication {
                    try await waitForReplicas(replication, keys: [layout.topic(topic).subscribers])
                }
                return Array(repeating: services, count: events.count)
            case .stale(let version, let subscribers):
                remember(SubscriberView(version: version, services: subscribers.sorted()), of: topic)
            }
        }
        throw BrokerError.subscribersKeptChanging(topic: topic)
    }

    /// Waits until `replication`'s replicas hold what this instance wrote so far (Redis `WAIT`
    /// on the connections that ran the publish: those of `keys`, once per server), or throws
    /// ``BrokerError/notReplicated(acknowledged:required:)`` with the fewest replicas any confirmed.
    func waitForReplicas(_ replication: PublishReplication, keys: [String]) async throws {
        var servers: [RedisEndpoint: String] = [:]
        for key in keys {
            servers[try await commands.endpoint(forKey: key)] = key
        }
        for key in servers.values {
            let reply = try await commands.send(
                "WAIT", String(replication.replicas), String(replication.timeout.wholeMilliseconds), key: key)
            guard let acknowledged = reply.integer else {
                throw BrokerError.unexpectedScriptReply(script: "WAIT", reply: "\(reply)")
            }
            guard acknowledged >= replication.replicas else {
                throw BrokerError.notReplicated(acknowledged: Int(acknowledged), required: replication.replicas)
            }
        }
    }

    /// Throws ``BrokerError/invalidConfiguration(setting:reason:)`` when the key prefix holds a
    /// registry of services of the other ``SlotPlacement``: services of the two would not see
    /// each other's events.
    private static func requireNoOtherPlacement(_ layout: KeyLayout, commands: RedisCommandTarget) async throws {
        let other = layout.otherPlacementServices
        guard try await commands.send("TYPE", other, key: other).string == "none" else {
            throw BrokerError.invalidConfiguration(
                setting: "slotPlacement",
                reason: "the key prefix holds services of the other slot placement (\(other) exists); "
                    + "use the placement its other services use, or another key prefix")
        }
    }

    /// `event`'s envelope under `id`, in the writing codec.
    func encode(_ event: Event, id: String) throws -> [UInt8] {
        let codec = codecs.writer
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
    /// When the handler throws, `pick` rethrows its error and the event goes back for any
    /// instance, with its delivery count raised: at the front of the queue at once, or after the
    /// ``TimeoutPolicy``'s retry delay, or to the dead letters after its last delivery. The lease
    /// is renewed while the handler runs; ``BrokerError/leaseLost(eventId:)`` means it was lost
    /// anyway (the process stalled), and another instance has the event.
    @discardableResult
    public func pick(_ handler: (DeliveredEvent) async throws -> Void) async throws -> Bool {
        try work.enter()
        defer { work.leave() }
        let next = try await takeNext(limit: 1)
        switch next.taken.first {
        case nil:
            return false
        case .undecodable(let eventId, let reason):
            throw BrokerError.envelopeDecodingFailed(eventId: eventId, reason: reason)
        case .delivery(let delivery):
            let handlerStart = observeDelivery(delivery)
            do {
                try await tracing.processing(delivery.event, parent: .caller, handler)
            } catch {
                await fail(delivery, because: error, handlerDuration: elapsed(since: handlerStart))
                throw error
            }
            let handlerDuration = elapsed(since: handlerStart)
            defer { leases.letGo(delivery.eventId) }
            guard try await acknowledge(delivery) else {
                observeLateAcknowledgement(delivery)
                throw BrokerError.leaseLost(eventId: delivery.eventId)
            }
            observeAcknowledgement(delivery, handlerDuration: handlerDuration)
            return true
        }
    }

    /// What one pick script run gave this instance.
    struct Next {
        /// Events left in the queue after the pick.
        let remaining: Int
        /// What was taken, oldest first; nothing when the queue was empty.
        let taken: [Taken]
    }

    /// An event a pick took.
    enum Taken {
        /// An event, leased to this instance and kept by the lease keeper.
        case delivery(Delivery)
        /// An event whose stored form the codec refused; it was handed back as a failed delivery,
        /// so it reaches the dead letters after its last delivery.
        case undecodable(eventId: String, reason: String)
    }

    /// Runs the pick script once for up to `limit` events, decodes what it returned and starts
    /// keeping their leases.
    func takeNext(limit: Int) async throws -> Next {
        let initialLease = timeoutPolicy.lease(for: nil)
        let outcome = try await scripts.pick(
            service: serviceKeys, owner: nextPickOwner(), lease: initialLease, limit: limit)
        return try await accept(outcome, initialLease: initialLease)
    }

    /// Sends `wait` (a blocking wait for a wake-up marker) on `connection`, with a pick of up
    /// to `limit` events right behind it in the same write: Redis runs the pick as soon as the
    /// wait returns, so waking costs no round trip of its own. Returns what the pick took and
    /// the error the wait got, if any. Throws what the pick threw: `RedisError.server` for a
    /// pick that needs the script runner (`NOSCRIPT`, a cluster redirection), so the caller
    /// picks again with ``takeNext(limit:)``.
    func takeNext(
        limit: Int, behind wait: [[UInt8]], on connection: RedisConnection
    ) async throws -> (next: Next, waitError: RedisError?) {
        let initialLease = timeoutPolicy.lease(for: nil)
        let call = BrokerScripts.pickCall(
            service: serviceKeys, owner: nextPickOwner(), lease: initialLease, limit: limit)
        let (reply, waitError) = try await connection.send(call.command, behind: wait)
        return (try await accept(try scripts.pickOutcome(reply), initialLease: initialLease), waitError)
    }

    /// The owner of the next pick: unique per pick of this instance.
    private func nextPickOwner() -> String {
        "\(instanceId).\(picks.wrappingAdd(1, ordering: .relaxed).newValue)"
    }

    /// Decodes and holds what a pick took under `initialLease`, and applies the leases of
    /// topics that have their own.
    private func accept(_ outcome: BrokerScripts.PickOutcome, initialLease: Duration) async throws -> Next {
        var taken: [Taken] = []
        var ownLeases: [(eventId: String, token: String, lease: Duration)] = []
        for picked in outcome.events {
            let envelope: EventEnvelope
            let codec: any EventCodec
            do {
                (envelope, codec) = try codecs.decode(picked.envelope)
            } catch {
                let reason = "\(error)"
                logger.error(
                    "A stored event could not be decoded; it counts as a failed delivery",
                    metadata: ["event": "\(picked.eventId)", "delivery": "\(picked.deliveryCount)", "error": "\(reason)"])
                do {
                    try await settleFailure(
                        eventId: picked.eventId, token: picked.token, topic: "", deliveryCount: picked.deliveryCount,
                        error: "undecodable event: \(reason)", handlerDuration: .zero)
                } catch {
                    logger.error(
                        "Could not hand back an undecodable event; it returns when its lease expires",
                        metadata: ["event": "\(picked.eventId)", "error": "\(error)"])
                }
                taken.append(.undecodable(eventId: picked.eventId, reason: reason))
                continue
            }
            let event = DeliveredEvent(envelope: envelope, deliveryCount: picked.deliveryCount, codec: codec)
            let delivery = Delivery(
                eventId: picked.eventId, event: event, token: picked.token,
                leaseDeadlineMilliseconds: picked.leaseDeadlineMilliseconds)
            let lease = timeoutPolicy.lease(for: event.topic)
            leases.hold(delivery, lease: lease)
            if lease != initialLease {
                ownLeases.append((delivery.eventId, delivery.token, lease))
            }
            taken.append(.delivery(delivery))
        }
        if !ownLeases.isEmpty {
            // Topics with leases of their own: apply them now rather than at the next renewal,
            // which applies them anyway should this fail.
            do {
                let lost = try await scripts.renew(service: serviceKeys, deliveries: ownLeases)
                for eventId in lost { leases.letGo(eventId) }
            } catch {
                logger.warning(
                    "Could not apply the topics' own leases; the next renewal does",
                    metadata: ["events": "\(ownLeases.count)", "error": "\(error)"])
            }
        }
        return Next(remaining: outcome.remaining, taken: taken)
    }

    /// Hands back a delivery whose handler failed after `handlerDuration` (`nil` without
    /// observers), as the timeout policy says. A Redis failure here is logged: the event then
    /// comes back when its lease expires.
    func fail(_ delivery: Delivery, because handlerError: any Error, handlerDuration: Duration?) async {
        do {
            try await settleFailure(
                eventId: delivery.eventId, token: delivery.token, topic: delivery.event.topic,
                deliveryCount: delivery.event.deliveryCount, error: "\(handlerError)", handlerDuration: handlerDuration)
        } catch {
            logger.error(
                "Could not hand back a failed event; it returns when its lease expires",
                metadata: ["event": "\(delivery.eventId)", "topic": "\(delivery.event.topic)", "error": "\(error)"])
        }
    }

    /// Runs the nack script for a failed delivery, logs what became of the event and tells the observers.
    private func settleFailure(
        eventId: String, token: String, topic: String, deliveryCount: Int, error: String, handlerDuration: Duration?
    ) async throws {
        leases.letGo(eventId)
        let delay = max(timeoutPolicy.retryDelay(afterDelivery: deliveryCount, topic: topic), .zero)
        let outcome = try await scripts.nack(
            service: serviceKeys, eventId: eventId, token: token, topic: topic, retryDelay: delay,
            maxDeliveries: timeoutPolicy.maxDeliveries, deadLetterLimit: configuration.deadLetterLimit,
            error: String(error.prefix(Self.errorTextLimit)))
        observeFailure(topic: topic, outcome: outcome, handlerDuration: handlerDuration)
        var metadata: Logger.Metadata = [
            "event": "\(eventId)", "topic": "\(topic)", "delivery": "\(deliveryCount)", "error": "\(error)",
        ]
        switch outcome {
        case .requeued:
            logger.warning("Handler failed; the event is back at the front of the queue", metadata: metadata)
        case .delayed:
            metadata["retryIn"] = "\(delay)"
            logger.warning("Handler failed; the event is retried after a delay", metadata: metadata)
        case .dead:
            logger.error("Handler failed on the event's last delivery; it went to the dead letters", metadata: metadata)
        case .lost:
            logger.warning("Handler failed after its lease had passed to another delivery", metadata: metadata)
        }
    }

    /// The longest error text kept with a failed event.
    static let errorTextLimit = 2048

    /// Runs `handler` on a delivery taken by a consumer, then acks or hands it back; nothing is
    /// thrown, since a consumer goes on with the next event: failures are logged.
    func handle(_ delivery: Delivery, with handler: @Sendable (DeliveredEvent) async throws -> Void) async {
        let handlerStart = observeDelivery(delivery)
        do {
            try await tracing.processing(delivery.event, parent: .newTrace, handler)
        } catch {
            await fail(delivery, because: error, handlerDuration: elapsed(since: handlerStart))
            return
        }
        let handlerDuration = elapsed(since: handlerStart)
        defer { leases.letGo(delivery.eventId) }
        do {
            if try await acknowledge(delivery) {
                observeAcknowledgement(delivery, handlerDuration: handlerDuration)
            } else {
                observeLateAcknowledgement(delivery)
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

    /// Removes a handled event, in an ack script run shared with the handlers that finish at
    /// the same time; `false` when the delivery's lease had passed to another delivery.
    private func acknowledge(_ delivery: Delivery) async throws -> Bool {
        try await acknowledgements.run((delivery.eventId, delivery.token), key: serviceName) { batch in
            try await self.scripts.ack(service: self.serviceKeys, deliveries: batch)
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
        Task {
            do {
                try await consume(handler)
            } catch BrokerError.shutDown {
                return
            } catch {
                logger.error("pickOnNotification stopped", metadata: ["error": "\(error)"])
            }
        }
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
                    onReconnect: Self.reconnectObserver(observers, service: serviceName, role: "notify"),
                    handlers: { [weak self] in self?.state.withLock { $0.notificationHandlers } ?? [] })
            }
        }
    }

    /// The listener behind ``onNotification(_:)``, once one was registered.
    var notificationListener: NotificationListener? {
        state.withLock { $0.notificationListener }
    }

    /// A new connection for one consumer's blocking wait on the wake-up list, held by `endpoint`.
    func makeWaitConnection(to endpoint: RedisEndpoint) -> RedisConnection {
        RedisConnection(
            endpoint: endpoint,
            clientName: Self.clientName(serviceName: serviceName, instanceId: instanceId, role: "wait"),
            options: Self.connectionOptions(configuration, extraReadTime: configuration.idlePollInterval),
            logger: logger,
            onReconnect: Self.reconnectObserver(observers, service: serviceName, role: "wait"))
    }

    // MARK: Shutdown

    /// Stops taking events and lets running handlers finish and acknowledge, for up to
    /// ``BrokerConfiguration/shutdownGracePeriod``; then gives the events of handlers still
    /// running back to the front of the queue, so other instances take them at once, cancels
    /// those handlers, and closes every connection. Later calls throw ``BrokerError/shutDown``.
    public func shutdown() async throws {
        work.close()
        let consumers = state.withLock { state in
            state.isStopping = true
            return Array(state.consumers.values)
        }
        for consumer in consumers {
            consumer.requestStop()
        }
        if await !work.drained(within: configuration.shutdownGracePeriod) {
            await releaseHeldDeliveries()
            consumers.forEach { $0.cancelHandlers() }
        }
        let tasks = state.withLock { state in
            defer { state.backgroundTasks = [] }
            return state.backgroundTasks
        }
        reconnects.finish()
        for task in tasks {
            task.cancel()
            await task.value
        }
        if let listener = state.withLock({ state in defer { state.notificationListener = nil }; return state.notificationListener }) {
            await listener.close()
        }
        await commands.close()
        if let sharingKey {
            SharedBrokers.forget(sharingKey)
        }
        logger.info("Broker shut down", metadata: ["instance": "\(instanceId)"])
    }

    /// Gives back deliveries taken but never handled (what a stopping consumer prefetched) to
    /// the front of the queue, without counting them as deliveries. Should Redis fail, they
    /// return when their leases expire.
    func giveBack(_ deliveries: [Delivery]) async {
        guard !deliveries.isEmpty else { return }
        defer { deliveries.forEach { leases.letGo($0.eventId) } }
        do {
            _ = try await scripts.release(service: serviceKeys, deliveries: deliveries.map { ($0.eventId, $0.token) })
        } catch {
            logger.error(
                "Could not give back prefetched events; they return when their leases expire",
                metadata: ["events": "\(deliveries.count)", "error": "\(error)"])
        }
    }

    /// Gives back every delivery still held, without counting it as a delivery.
    private func releaseHeldDeliveries() async {
        let held = leases.deliveries
        guard !held.isEmpty else { return }
        do {
            let released = try await scripts.release(
                service: serviceKeys, deliveries: held.map { ($0.eventId, $0.held.token) })
            held.forEach { leases.letGo($0.eventId) }
            logger.warning(
                "Handlers outlived the shutdown grace period; their events went back to the queue",
                metadata: ["released": "\(released)", "held": "\(held.count)"])
        } catch {
            logger.error(
                "Could not give back the events of running handlers; they return when their leases expire",
                metadata: ["held": "\(held.count)", "error": "\(error)"])
        }
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
