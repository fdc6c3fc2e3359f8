/// The operations of the ``SlotPlacement/perService`` placement, where a service's keys and the
/// topic registry live in different slots (maybe on different nodes of a cluster), so that what
/// one script does with ``SlotPlacement/perPrefix`` takes a script per slot.
extension BrokerScripts {
    /// What a publish-service run did.
    enum ServicePublishOutcome: Equatable {
        /// This many of the events were queued; the others were queued before, within the dedup window.
        case queued(events: Int)
        /// The service no longer subscribes to the topic; nothing was written.
        case unsubscribed
    }

    /// Queues `events` of `topic` for `service` if it still subscribes to the topic, leaving
    /// out the ids it queued within `dedupWindow`.
    func publish(
        events: [(id: String, envelope: [UInt8])], topic: String, toService service: ServiceKeys, dedupWindow: Duration
    ) async throws -> ServicePublishOutcome {
        let reply = try await runner.run(
            Self.publishServiceCall(service: service, events: events, topic: topic, dedupWindow: dedupWindow))
        guard let items = reply.array, let status = items.first?.string else { throw unexpected("publish-service", reply) }
        switch (status, items.count) {
        case ("ok", 2):
            guard let queued = items[1].integer else { throw unexpected("publish-service", reply) }
            return .queued(events: Int(queued))
        case ("unsubscribed", 1):
            return .unsubscribed
        default:
            throw unexpected("publish-service", reply)
        }
    }

    /// The publish-service script's run for `events` of `topic` and one subscribed `service`.
    package static func publishServiceCall(
        service: ServiceKeys, events: [(id: String, envelope: [UInt8])], topic: String, dedupWindow: Duration
    ) -> ScriptCall {
        var arguments: [[UInt8]] = [
            Array(topic.utf8), Array(service.notifyChannel.utf8), Array(String(max(1, dedupWindow.wholeMilliseconds)).utf8),
        ]
        for event in events {
            arguments += [Array(event.id.utf8), event.envelope]
        }
        return ScriptCall(
            script: .publishService, keys: [service.topics, service.published, service.events, service.wake, service.recent],
            arguments: arguments)
    }

    /// The topic's subscriber version: "0" for a topic never subscribed.
    func version(of topic: String) async throws -> String {
        let key = layout.topic(topic).version
        let reply = try await runner.target.send("GET", key, key: key)
        if reply.isNull { return "0" }
        guard let version = reply.string else { throw unexpected("GET", reply) }
        return version
    }

    /// The topic's version and its subscribers, read in that order: the subscribers are at least
    /// as new as the version, so a change between the two reads shows at the next comparison.
    func subscribers(of topic: String) async throws -> (version: String, services: [String]) {
        let version = try await version(of: topic)
        let key = layout.topic(topic).subscribers
        let reply = try await runner.target.send("SMEMBERS", key, key: key)
        guard let members = reply.array?.compactMap(\.string) else { throw unexpected("SMEMBERS", reply) }
        return (version, members.sorted())
    }

    /// Adds `topic` to, or removes it from, the topics `serviceName` subscribes to on the
    /// service's own node, which its publish-service runs check.
    func changeServiceTopics(_ change: SubscriptionChange, serviceName: String, topic: String) async throws {
        let key = layout.service(serviceName).topics
        _ = try await runner.target.send(change == .subscribe ? "SADD" : "SREM", key, topic, key: key)
    }

    /// forget-service's work where the service's keys and the registry of services are in
    /// different slots: a check of the service's own topics, one `DEL` of its keys on its node,
    /// then its removal from the registry. Not one atomic step: a service that subscribes again
    /// meanwhile loses its queue (the `tail` command forgets only its own tap services).
    func forgetServiceInItsSlot(_ serviceName: String) async throws -> Int {
        let service = layout.service(serviceName)
        let subscribed = try await runner.target.send("SMEMBERS", service.topics, key: service.topics).array ?? []
        if !subscribed.isEmpty {
            throw RedisError.server(
                message: "BROKER_SUBSCRIBED \(service.topics) still lists \(subscribed.compactMap(\.string).sorted()); "
                    + "unsubscribe first; nothing was written")
        }
        let keys = [
            service.published, service.events, service.inflight, service.leases, service.deliveries, service.wake,
            service.retries, service.dead, service.deadLetters, service.sweepGuard, service.topics, service.recent,
        ]
        let reply = try await runner.target.send((["DEL"] + keys).map { Array($0.utf8) }, key: service.published)
        guard let deleted = reply.integer else { throw unexpected("DEL", reply) }
        _ = try await runner.target.send("SREM", layout.services, serviceName, key: layout.services)
        return Int(deleted)
    }

    /// Whether a service starts or stops subscribing to a topic.
    enum SubscriptionChange {
        case subscribe, unsubscribe
    }
}
