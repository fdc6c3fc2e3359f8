import Foundation

/// Where the broker tells its ``BrokerConfiguration/observers`` what happened. Without observers
/// every call here returns at once: no clock is read and nothing is allocated.
extension RedisEventBroker {
    /// Now, when someone observes; `nil` (and no clock read) otherwise.
    var observationStart: ContinuousClock.Instant? {
        observers.isEmpty ? nil : .now
    }

    /// The time since `start`, or `nil` when nobody observes (`start` is then `nil`).
    func elapsed(since start: ContinuousClock.Instant?) -> Duration? {
        start.map { .now - $0 }
    }

    /// `publishEvent` queued an event of `topic` for `services` services; it started at `start`.
    func observePublished(topic: String, services: Int, start: ContinuousClock.Instant?) {
        guard let duration = elapsed(since: start) else { return }
        for observer in observers {
            observer.eventPublished(service: serviceName, topic: topic, services: services, duration: duration)
        }
    }

    /// The handler of `delivery` is about to start. Returns when it starts, or `nil` without observers.
    func observeDelivery(_ delivery: Delivery) -> ContinuousClock.Instant? {
        guard !observers.isEmpty else { return nil }
        let event = delivery.event
        let latency = Duration.seconds(max(Date().timeIntervalSince(event.publishedAt), 0))
        for observer in observers {
            observer.eventDelivered(
                service: serviceName, topic: event.topic, deliveryCount: event.deliveryCount, latency: latency)
        }
        return .now
    }

    /// `delivery` was acknowledged; its handler ran `handlerDuration` (`nil` without observers).
    func observeAcknowledgement(_ delivery: Delivery, handlerDuration: Duration?) {
        guard let handlerDuration else { return }
        for observer in observers {
            observer.eventAcknowledged(service: serviceName, topic: delivery.event.topic, handlerDuration: handlerDuration)
        }
    }

    /// The ack of `delivery` came after its lease had passed to another delivery.
    func observeLateAcknowledgement(_ delivery: Delivery) {
        for observer in observers {
            observer.lateAcknowledgementRejected(service: serviceName, topic: delivery.event.topic)
        }
    }

    /// An event of `topic` failed (empty: undecodable) and the nack script answered `outcome`.
    func observeFailure(topic: String, outcome: BrokerScripts.NackOutcome, handlerDuration: Duration?) {
        guard !observers.isEmpty else { return }
        let failure = FailureOutcome(outcome)
        for observer in observers {
            observer.eventFailed(
                service: serviceName, topic: topic, outcome: failure, handlerDuration: handlerDuration ?? .zero)
        }
    }

    /// What a connection of `role` calls after each reconnect: tells `observers`; `nil` without any.
    package static func reconnectObserver(_ observers: [any BrokerObserver], service: String, role: String)
        -> (@Sendable () -> Void)?
    {
        guard !observers.isEmpty else { return nil }
        return {
            for observer in observers {
                observer.redisReconnected(service: service, role: role)
            }
        }
    }

    /// The sampler of this instance's queue depths, when someone observes them.
    var depthSampler: DepthSampler? {
        guard !observers.isEmpty else { return nil }
        return DepthSampler(
            scripts: scripts, service: serviceKeys, serviceName: serviceName,
            interval: configuration.depthSamplingInterval, observers: observers, logger: logger)
    }
}

extension FailureOutcome {
    /// The outcome the nack script answered.
    init(_ outcome: BrokerScripts.NackOutcome) {
        switch outcome {
        case .requeued: self = .requeued
        case .delayed: self = .delayed
        case .dead: self = .deadLettered
        case .lost: self = .leaseLost
        }
    }
}
