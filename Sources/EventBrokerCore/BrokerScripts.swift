/// The broker's atomic operations: one script run each, keys built from the ``KeyLayout``,
/// replies parsed into Swift values.
package struct BrokerScripts: Sendable {
    /// Runs the scripts.
    let runner: ScriptRunner
    /// Names the keys.
    package let layout: KeyLayout

    /// Creates the operations over a connection's script runner and a key layout.
    package init(runner: ScriptRunner, layout: KeyLayout) {
        self.runner = runner
        self.layout = layout
    }

    /// What the publish script did.
    enum PublishOutcome: Equatable {
        /// The event is queued for this many services.
        case queued(services: Int)
        /// The subscribers changed since the caller's view; nothing was written.
        case stale(version: String, subscribers: [String])
    }

    /// What the pick script handed out.
    struct PickOutcome {
        /// Events left in the queue after this pick.
        let remaining: Int
        /// The picked events, oldest first; none when the queue was empty.
        let events: [Picked]
    }

    /// One event the pick script moved to in-flight.
    struct Picked {
        let eventId: String
        let envelope: [UInt8]
        let deliveryCount: Int
        let token: String
        let leaseDeadlineMilliseconds: Int64
    }

    /// What became of an event whose handler failed.
    enum NackOutcome: String {
        /// Back at the front of the queue.
        case requeued
        /// Waiting in the retry set for its delay.
        case delayed
        /// Moved to the dead-letter set: its deliveries were used up.
        case dead
        /// The caller no longer held the delivery; nothing changed.
        case lost
    }

    /// What one sweep of a service did.
    package struct SweepOutcome: Equatable, Sendable {
        /// Whether this call did the sweep (`false`: another instance holds the guard).
        package var swept: Bool
        /// Expired deliveries put back at the front of the queue.
        package var requeued: Int
        /// Due retries put back at the front of the queue.
        package var retried: Int
        /// Expired deliveries whose deliveries were used up, moved to the dead letters.
        package var deadLettered: Int
        /// Whether a batch limit was reached and work remains.
        package var more: Bool

        /// Creates an outcome from its figures.
        package init(swept: Bool, requeued: Int, retried: Int, deadLettered: Int, more: Bool) {
            self.swept = swept
            self.requeued = requeued
            self.retried = retried
            self.deadLettered = deadLettered
            self.more = more
        }
    }

    /// One dead letter as the dead-letters script returns it.
    package struct StoredDeadLetter: Sendable {
        package let eventId: String
        package let deadAtMilliseconds: Int64
        package let envelope: [UInt8]
        package let error: String
        package let deliveries: Int
    }

    /// Queues `events` of `topic`, `(id, envelope)` each (from 1 to ``publishBatchLimit``), for
    /// `subscribers` if `assumedVersion` is still the topic's version.
    func publish(
        events: [(id: String, envelope: [UInt8])], topic: String, assumedVersion: String, subscribers: [String]
    ) async throws -> PublishOutcome {
        let reply = try await runner.run(
            Self.publishCall(
                layout: layout, events: events, topic: topic, assumedVersion: assumedVersion, subscribers: subscribers))
        guard let items = reply.array, let status = items.first?.string else {
            throw unexpected("publish", reply)
        }
        switch status {
        case "ok":
            guard items.count == 2, let services = items[1].integer else { throw unexpected("publish", reply) }
            return .queued(services: Int(services))
        case "stale":
            let strings = items.dropFirst().compactMap(\.string)
            guard strings.count == items.count - 1, let version = strings.first else {
                throw unexpected("publish", reply)
            }
            return .stale(version: version, subscribers: Array(strings.dropFirst()))
        default:
            throw unexpected("publish", reply)
        }
    }

    /// The publish script's run for `events` of `topic` and the subscribers the caller assumes.
    package static func publishCall(
        layout: KeyLayout, events: [(id: String, envelope: [UInt8])], topic: String, assumedVersion: String,
        subscribers: [String]
    ) -> ScriptCall {
        let topicKeys = layout.topic(topic)
        var keys = [topicKeys.subscribers, topicKeys.version]
        var channels: [String] = []
        for subscriber in subscribers {
            let service = layout.service(subscriber)
            keys += [service.published, service.events, service.wake]
            channels.append(service.notifyChannel)
        }
        // Channel names are made of percent-encoded names, which hold no control characters.
        var arguments: [[UInt8]] = [
            Array(assumedVersion.utf8), Array(topic.utf8), Array(channels.joined(separator: "\n").utf8),
        ]
        for event in events {
            arguments += [Array(event.id.utf8), event.envelope]
        }
        return ScriptCall(script: .publish, keys: keys, arguments: arguments)
    }

    /// The most events one publish script run takes: fewer than a pick or an ack, since each
    /// carries its envelope.
    package static let publishBatchLimit = 100

    /// The most events one pick or ack script run takes.
    package static let batchLimit = 1000

    /// The pick script's run for up to `limit` events of `service` under leases owned by `owner`.
    package static func pickCall(
        service: ServiceKeys, owner: String, lease: Duration, limit: Int = 1
    ) -> ScriptCall {
        ScriptCall(
            script: .pick,
            keys: [service.published, service.events, service.inflight, service.leases, service.deliveries, service.wake],
            arguments: [
                Array(owner.utf8), Array(String(lease.wholeMilliseconds).utf8), Array(String(limit).utf8),
            ])
    }

    /// The ack script's run for deliveries `(eventId, token)` of `service`.
    package static func ackCall(service: ServiceKeys, deliveries: [(eventId: String, token: String)]) -> ScriptCall {
        ScriptCall(
            script: .ack, keys: [service.inflight, service.leases, service.events, service.deliveries],
            arguments: deliveries.flatMap { [Array($0.eventId.utf8), Array($0.token.utf8)] })
    }

    /// Moves the next events of `service`, up to `limit` (from 1 to ``batchLimit``), to
    /// in-flight under leases owned by `owner`.
    func pick(
        service: ServiceKeys, owner: String, lease: Duration, limit: Int = 1
    ) async throws -> PickOutcome {
        let reply = try await runner.run(
            Self.pickCall(service: service, owner: owner, lease: lease, limit: limit))
        return try pickOutcome(reply)
    }

    /// What a pick script's `reply` says.
    func pickOutcome(_ reply: RedisReply) throws -> PickOutcome {
        guard let items = reply.array, let remaining = items.first?.integer else { throw unexpected("pick", reply) }
        guard items.count > 1 else { return PickOutcome(remaining: Int(remaining), events: []) }
        guard items.count % 4 == 2, let deadline = items[1].integer else { throw unexpected("pick", reply) }
        let events = try stride(from: 2, to: items.count, by: 4).map { index in
            guard let eventId = items[index].string, let envelope = items[index + 1].bytes,
                let count = items[index + 2].integer, let token = items[index + 3].string
            else { throw unexpected("pick", reply) }
            return Picked(
                eventId: eventId, envelope: envelope, deliveryCount: Int(count), token: token,
                leaseDeadlineMilliseconds: deadline)
        }
        return PickOutcome(remaining: Int(remaining), events: events)
    }

    /// Removes handled events, `(eventId, token)` each (from 1 to ``batchLimit``); for each, in
    /// order, `false` when the caller's lease had passed to another delivery.
    func ack(service: ServiceKeys, deliveries: [(eventId: String, token: String)]) async throws -> [Bool] {
        let reply = try await runner.run(Self.ackCall(service: service, deliveries: deliveries))
        guard let items = reply.array, items.count == deliveries.count else { throw unexpected("ack", reply) }
        return try items.map { item in
            switch item.integer {
            case 1: return true
            case 0: return false
            default: throw unexpected("ack", reply)
            }
        }
    }

    /// Takes a failed event back: at once to the front, after `retryDelay`, or to the dead
    /// letters when it had `maxDeliveries` deliveries.
    func nack(
        service: ServiceKeys, eventId: String, token: String, topic: String, retryDelay: Duration,
        maxDeliveries: Int, deadLetterLimit: Int, error: String
    ) async throws -> NackOutcome {
        let reply = try await runner.run(
            .nack,
            keys: [
                service.inflight, service.leases, service.deliveries, service.published, service.wake, service.retries,
                service.events, service.dead, service.deadLetters,
            ],
            arguments: [
                bytes(eventId), bytes(token), milliseconds(retryDelay), bytes(String(maxDeliveries)),
                bytes(String(deadLetterLimit)), bytes(error), bytes(service.notifyChannel), bytes(topic),
            ])
        guard let outcome = reply.string.flatMap(NackOutcome.init(rawValue:)) else { throw unexpected("nack", reply) }
        return outcome
    }

    /// Extends the leases of deliveries `(eventId, token, lease)`; returns the ids whose
    /// delivery the caller no longer holds.
    func renew(service: ServiceKeys, deliveries: [(eventId: String, token: String, lease: Duration)]) async throws
        -> Set<String>
    {
        let reply = try await runner.run(
            .renew, keys: [service.inflight, service.leases],
            arguments: deliveries.flatMap { [bytes($0.eventId), bytes($0.token), milliseconds($0.lease)] })
        guard let lost = reply.array?.compactMap(\.string), lost.count == reply.array?.count else {
            throw unexpected("renew", reply)
        }
        return Set(lost)
    }

    /// Gives deliveries `(eventId, token)` back to the front of the queue without counting them;
    /// returns how many the caller still held.
    func release(service: ServiceKeys, deliveries: [(eventId: String, token: String)]) async throws -> Int {
        let reply = try await runner.run(
            .release, keys: [service.inflight, service.leases, service.deliveries, service.published, service.wake],
            arguments: deliveries.flatMap { [bytes($0.eventId), bytes($0.token)] })
        guard let released = reply.integer else { throw unexpected("release", reply) }
        return Int(released)
    }

    /// Puts expired deliveries and due retries of `service` back, unless another sweep holds the
    /// guard; `guardTime` `.zero` continues a sweep whose batch limit the caller reached.
    package func sweep(
        service: ServiceKeys, guardTime: Duration, limit: Int, maxDeliveries: Int, deadLetterLimit: Int
    ) async throws -> SweepOutcome {
        let reply = try await runner.run(
            .sweep,
            keys: [
                service.sweepGuard, service.published, service.wake, service.inflight, service.leases,
                service.deliveries, service.retries, service.events, service.dead, service.deadLetters,
            ],
            arguments: [
                milliseconds(guardTime), bytes(String(limit)), bytes(String(maxDeliveries)),
                bytes(String(deadLetterLimit)),
            ])
        guard let values = reply.array?.compactMap(\.integer), values.count == 5 else {
            throw unexpected("sweep", reply)
        }
        return SweepOutcome(
            swept: values[0] == 1, requeued: Int(values[1]), retried: Int(values[2]), deadLettered: Int(values[3]),
            more: values[4] == 1)
    }

    /// One page of the dead letters of `service`, oldest first, and how many there are in all.
    package func deadLetters(service: ServiceKeys, offset: Int, limit: Int) async throws
        -> (total: Int, page: [StoredDeadLetter])
    {
        let reply = try await runner.run(
            .deadLetters, keys: [service.dead, service.deadLetters],
            arguments: [bytes(String(offset)), bytes(String(limit))])
        guard let items = reply.array, let total = items.first?.integer, (items.count - 1) % 5 == 0 else {
            throw unexpected("dead-letters", reply)
        }
        var page: [StoredDeadLetter] = []
        for start in stride(from: 1, to: items.count, by: 5) {
            guard let id = items[start].string, let deadAt = items[start + 1].integer,
                let envelope = items[start + 2].bytes, let error = items[start + 3].string,
                let deliveries = items[start + 4].integer
            else { throw unexpected("dead-letters", reply) }
            page.append(
                StoredDeadLetter(
                    eventId: id, deadAtMilliseconds: deadAt, envelope: envelope, error: error,
                    deliveries: Int(deliveries)))
        }
        return (Int(total), page)
    }

    /// Puts the dead letters `eventIds` back at the back of the queue; returns how many.
    package func replayDeadLetters(service: ServiceKeys, eventIds: [String]) async throws -> Int {
        let reply = try await runner.run(
            .replayDead, keys: [service.dead, service.deadLetters, service.events, service.published, service.wake],
            arguments: eventIds.map(bytes))
        guard let replayed = reply.integer else { throw unexpected("replay-dead", reply) }
        return Int(replayed)
    }

    /// Deletes the dead letters `eventIds`, or all of them when `eventIds` is `nil`; returns how many.
    package func purgeDeadLetters(service: ServiceKeys, eventIds: [String]?) async throws -> Int {
        let reply = try await runner.run(
            .purgeDead, keys: [service.dead, service.deadLetters], arguments: (eventIds ?? []).map(bytes))
        guard let purged = reply.integer else { throw unexpected("purge-dead", reply) }
        return Int(purged)
    }

    /// How many events of `service` are queued, in flight, delayed and dead-lettered, read at once.
    package func depths(service: ServiceKeys) async throws -> QueueDepths {
        let reply = try await runner.run(
            .depths, keys: [service.published, service.inflight, service.retries, service.dead], arguments: [])
        guard let values = reply.array?.compactMap(\.integer), values.count == 4 else {
            throw unexpected("depths", reply)
        }
        return QueueDepths(
            queued: Int(values[0]), inFlight: Int(values[1]), delayed: Int(values[2]), deadLetters: Int(values[3]))
    }

    /// Adds `serviceName` to the subscribers of `topic` and to the registry of services (with
    /// ``SlotPlacement/perService``, first to the service's own topics, which publishing checks).
    func subscribe(serviceName: String, topic: String) async throws {
        if layout.placement == .perService {
            try await changeServiceTopics(.subscribe, serviceName: serviceName, topic: topic)
        }
        let topicKeys = layout.topic(topic)
        try await changeSubscription(
            .subscribe, keys: [topicKeys.subscribers, topicKeys.version, layout.services], serviceName: serviceName)
    }

    /// Removes `serviceName` from the subscribers of `topic` (with ``SlotPlacement/perService``,
    /// first from the service's own topics, so no publish queues for it from then on).
    func unsubscribe(serviceName: String, topic: String) async throws {
        if layout.placement == .perService {
            try await changeServiceTopics(.unsubscribe, serviceName: serviceName, topic: topic)
        }
        let topicKeys = layout.topic(topic)
        try await changeSubscription(.unsubscribe, keys: [topicKeys.subscribers, topicKeys.version], serviceName: serviceName)
    }

    /// Deletes every key of `serviceName` and removes it from the registry of services; returns
    /// how many of its keys there were. While one of `topics` still lists the service, nothing is
    /// written and ``RedisError/server(message:)`` says `BROKER_SUBSCRIBED …` (with
    /// ``SlotPlacement/perService``: while the service's own topics list any topic).
    package func forgetService(_ serviceName: String, topics: [String]) async throws -> Int {
        if layout.placement == .perService { return try await forgetServiceInItsSlot(serviceName) }
        let service = layout.service(serviceName)
        let keys = [
            layout.services, service.published, service.events, service.inflight, service.leases, service.deliveries,
            service.wake, service.retries, service.dead, service.deadLetters, service.sweepGuard,
        ]
        let reply = try await runner.run(
            .forgetService, keys: keys + topics.map { layout.topic($0).subscribers }, arguments: [bytes(serviceName)])
        guard let deleted = reply.integer else { throw unexpected("forget-service", reply) }
        return Int(deleted)
    }

    private func changeSubscription(_ script: RedisScript, keys: [String], serviceName: String) async throws {
        let reply = try await runner.run(script, keys: keys, arguments: [bytes(serviceName)])
        guard let items = reply.array, items.count == 2, items.allSatisfy({ $0.integer != nil }) else {
            throw unexpected(script.name, reply)
        }
    }

    private func bytes(_ string: String) -> [UInt8] {
        Array(string.utf8)
    }

    private func milliseconds(_ duration: Duration) -> [UInt8] {
        bytes(String(duration.wholeMilliseconds))
    }

    func unexpected(_ script: String, _ reply: RedisReply) -> BrokerError {
        BrokerError.unexpectedScriptReply(script: script, reply: String(String(describing: reply).prefix(200)))
    }
}
