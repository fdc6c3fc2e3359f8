import Synchronization

@testable import EventBrokerCore

/// Records every call a broker makes on its observer, in order.
final class RecordingObserver: BrokerObserver {
    /// One call, with the arguments a test can check exactly (durations only for being non-negative).
    enum Call: Equatable, Sendable {
        case published(service: String, topic: String, services: Int)
        case delivered(service: String, topic: String, deliveryCount: Int)
        case acknowledged(service: String, topic: String)
        case failed(service: String, topic: String, outcome: FailureOutcome)
        case lateAcknowledgement(service: String, topic: String)
        case swept(service: String, expiredRequeued: Int, retriesDue: Int, deadLettered: Int)
        case reconnected(service: String, role: String)
        case reloaded(service: String, script: String)
        case sampled(service: String, depths: QueueDepths)

        /// Whether the call is about one event (not a sweep, a connection, a script or a sample).
        var isAboutAnEvent: Bool {
            switch self {
            case .published, .delivered, .acknowledged, .failed, .lateAcknowledgement: true
            case .swept, .reconnected, .reloaded, .sampled: false
            }
        }
    }

    private let recorded = Mutex<[Call]>([])
    private let negativeDurations = Atomic<Int>(0)

    /// Every call so far.
    var calls: [Call] { recorded.withLock { $0 } }
    /// The calls about events, in order.
    var eventCalls: [Call] { calls.filter(\.isAboutAnEvent) }
    /// How many durations or latencies were below zero.
    var durationsBelowZero: Int { negativeDurations.load(ordering: .relaxed) }

    private func record(_ call: Call, _ durations: Duration...) {
        recorded.withLock { $0.append(call) }
        for duration in durations where duration < .zero {
            negativeDurations.add(1, ordering: .relaxed)
        }
    }

    func eventPublished(service: String, topic: String, services: Int, duration: Duration) {
        record(.published(service: service, topic: topic, services: services), duration)
    }

    func eventDelivered(service: String, topic: String, deliveryCount: Int, latency: Duration) {
        record(.delivered(service: service, topic: topic, deliveryCount: deliveryCount), latency)
    }

    func eventAcknowledged(service: String, topic: String, handlerDuration: Duration) {
        record(.acknowledged(service: service, topic: topic), handlerDuration)
    }

    func eventFailed(service: String, topic: String, outcome: FailureOutcome, handlerDuration: Duration) {
        record(.failed(service: service, topic: topic, outcome: outcome), handlerDuration)
    }

    func lateAcknowledgementRejected(service: String, topic: String) {
        record(.lateAcknowledgement(service: service, topic: topic))
    }

    func queueSwept(service: String, expiredRequeued: Int, retriesDue: Int, deadLettered: Int) {
        record(.swept(service: service, expiredRequeued: expiredRequeued, retriesDue: retriesDue, deadLettered: deadLettered))
    }

    func redisReconnected(service: String, role: String) {
        record(.reconnected(service: service, role: role))
    }

    func scriptReloaded(service: String, script: String) {
        record(.reloaded(service: service, script: script))
    }

    func queueDepthsSampled(service: String, depths: QueueDepths) {
        record(.sampled(service: service, depths: depths))
    }
}
