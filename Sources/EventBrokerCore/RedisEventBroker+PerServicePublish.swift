import Logging

/// Publishing with ``SlotPlacement/perService``: the topic's version read on the node of the
/// prefix's slot, then one publish-service run per subscribed service, each on the node of that
/// service's slot.
extension RedisEventBroker {
    /// How often a service's run is sent again after the connection failed under it: the run
    /// may or may not have happened, and the service's dedup window makes sending it again safe.
    private static let serviceRunAttempts = 3

    /// Queues `events` of `topic` for each subscriber, after reading the topic's version: when
    /// it moved from this instance's view, the subscribers are read again first. A service that
    /// subscribed before this call began raised the version before that read, so it is never
    /// missed; one that unsubscribed meanwhile refuses the events on its own node. Returns for
    /// each event the number of services it was queued for.
    func queueForEachService(_ events: [(id: String, envelope: [UInt8])], topic: String) async throws -> [Int] {
        var view = subscriberView(of: topic)
        if try await scripts.version(of: topic) != view.version {
            let current = try await scripts.subscribers(of: topic)
            view = SubscriberView(version: current.version, services: current.services)
            remember(view, of: topic)
        }
        let queuedFor = try await publish(events, topic: topic, to: view.services).compactMap { service, outcome in
            outcome == .unsubscribed ? nil : service
        }
        if !queuedFor.isEmpty, let replication = configuration.publishReplication {
            try await waitForReplicas(replication, keys: queuedFor.map { layout.service($0).published })
        }
        return Array(repeating: queuedFor.count, count: events.count)
    }

    /// Runs publish-service for each of `services` at once (runs for services on one node share
    /// its pipelined connection); throws the first failure after every run ended.
    private func publish(
        _ events: [(id: String, envelope: [UInt8])], topic: String, to services: [String]
    ) async throws -> [(String, BrokerScripts.ServicePublishOutcome)] {
        try await withThrowingTaskGroup(of: (String, BrokerScripts.ServicePublishOutcome).self) { group in
            for service in services {
                group.addTask {
                    (service, try await self.publishWithRetries(events, topic: topic, to: self.layout.service(service)))
                }
            }
            var outcomes: [(String, BrokerScripts.ServicePublishOutcome)] = []
            var failure: (any Error)?
            while let result = await group.nextResult() {
                switch result {
                case .success(let outcome): outcomes.append(outcome)
                case .failure(let error): failure = failure ?? error
                }
            }
            if let failure { throw failure }
            return outcomes
        }
    }

    /// One service's run, sent again when the connection failed under it.
    private func publishWithRetries(
        _ events: [(id: String, envelope: [UInt8])], topic: String, to service: ServiceKeys
    ) async throws -> BrokerScripts.ServicePublishOutcome {
        var attempt = 1
        while true {
            do {
                return try await scripts.publish(
                    events: events, topic: topic, toService: service, dedupWindow: configuration.publishDedupWindow)
            } catch let error as RedisError where error.mayNotHaveRun && attempt < Self.serviceRunAttempts {
                logger.warning(
                    "A publish to a service failed; sending it again",
                    metadata: ["topic": "\(topic)", "attempt": "\(attempt)", "error": "\(error)"])
                attempt += 1
            }
        }
    }
}
