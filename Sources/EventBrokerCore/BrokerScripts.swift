/// The broker's atomic operations: one script run each, keys built from the ``KeyLayout``,
/// replies parsed into Swift values.
struct BrokerScripts: Sendable {
    /// Runs the scripts.
    let runner: ScriptRunner
    /// Names the keys.
    let layout: KeyLayout

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
        /// The picked event, when there was one.
        let picked: Picked?
    }

    /// One event the pick script moved to in-flight.
    struct Picked {
        let eventId: String
        let envelope: [UInt8]
        let deliveryCount: Int
        let token: String
        let leaseDeadlineMilliseconds: Int64
    }

    /// Queues an envelope for `subscribers` if `assumedVersion` is still the topic's version.
    func publish(
        eventId: String, envelope: [UInt8], topic: String, assumedVersion: String, subscribers: [String]
    ) async throws -> PublishOutcome {
        let topicKeys = layout.topic(topic)
        var keys = [topicKeys.subscribers, topicKeys.version]
        var arguments: [[UInt8]] = [Array(assumedVersion.utf8), Array(eventId.utf8), envelope, Array(topic.utf8)]
        for subscriber in subscribers {
            let service = layout.service(subscriber)
            keys += [service.published, service.events, service.wake]
            arguments.append(Array(service.notifyChannel.utf8))
        }
        let reply = try await runner.run(.publish, keys: keys, arguments: arguments)
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

    /// Moves the next event of `service` to in-flight under a lease owned by `owner`.
    func pick(
        service: ServiceKeys, owner: String, leaseMilliseconds: Int64, markerTaken: Bool, reclaimLimit: Int
    ) async throws -> PickOutcome {
        let reply = try await runner.run(
            .pick,
            keys: [service.published, service.events, service.inflight, service.leases, service.deliveries, service.wake],
            arguments: [
                Array(owner.utf8), Array(String(leaseMilliseconds).utf8), Array((markerTaken ? "1" : "0").utf8),
                Array(String(reclaimLimit).utf8),
            ])
        guard let items = reply.array, let remaining = items.first?.integer else { throw unexpected("pick", reply) }
        guard items.count > 1 else { return PickOutcome(remaining: Int(remaining), picked: nil) }
        guard items.count == 6, let eventId = items[1].string, let envelope = items[2].bytes,
            let count = items[3].integer, let token = items[4].string, let deadline = items[5].integer
        else { throw unexpected("pick", reply) }
        return PickOutcome(
            remaining: Int(remaining),
            picked: Picked(
                eventId: eventId, envelope: envelope, deliveryCount: Int(count), token: token,
                leaseDeadlineMilliseconds: deadline))
    }

    /// Removes a handled event; `false` when the caller's lease had passed to another delivery.
    func ack(service: ServiceKeys, eventId: String, token: String) async throws -> Bool {
        let reply = try await runner.run(
            .ack, keys: [service.inflight, service.leases, service.events, service.deliveries],
            arguments: [Array(eventId.utf8), Array(token.utf8)])
        return try flag("ack", reply)
    }

    /// Puts a failed event back at the front of the queue; `false` when the lease was lost.
    func nack(service: ServiceKeys, eventId: String, token: String, topic: String) async throws -> Bool {
        let reply = try await runner.run(
            .nack, keys: [service.inflight, service.leases, service.published, service.wake],
            arguments: [Array(eventId.utf8), Array(token.utf8), Array(service.notifyChannel.utf8), Array(topic.utf8)])
        return try flag("nack", reply)
    }

    /// Adds `serviceName` to the subscribers of `topic`.
    func subscribe(serviceName: String, topic: String) async throws {
        try await changeSubscription(.subscribe, serviceName: serviceName, topic: topic)
    }

    /// Removes `serviceName` from the subscribers of `topic`.
    func unsubscribe(serviceName: String, topic: String) async throws {
        try await changeSubscription(.unsubscribe, serviceName: serviceName, topic: topic)
    }

    private func changeSubscription(_ script: RedisScript, serviceName: String, topic: String) async throws {
        let topicKeys = layout.topic(topic)
        let reply = try await runner.run(
            script, keys: [topicKeys.subscribers, topicKeys.version], arguments: [Array(serviceName.utf8)])
        guard let items = reply.array, items.count == 2, items.allSatisfy({ $0.integer != nil }) else {
            throw unexpected(script.name, reply)
        }
    }

    private func flag(_ script: String, _ reply: RedisReply) throws -> Bool {
        switch reply.integer {
        case 1: return true
        case 0: return false
        default: throw unexpected(script, reply)
        }
    }

    private func unexpected(_ script: String, _ reply: RedisReply) -> BrokerError {
        BrokerError.unexpectedScriptReply(script: script, reply: String(String(describing: reply).prefix(200)))
    }
}
