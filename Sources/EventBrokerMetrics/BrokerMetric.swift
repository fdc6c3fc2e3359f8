/// Every metric ``BrokerMetrics`` records. A plain enum, not one with `String` raw values: handles
/// are looked up by series at every recorded value, and a raw-value enum hashes its label.
enum BrokerMetric: Sendable, CaseIterable {
    case eventsPublished
    case eventsDelivered
    case eventsAcknowledged
    case eventsFailed
    case eventsRetried
    case eventsDeadLettered
    case leasesExpired
    case lateAcknowledgementsRejected
    case reconnects
    case scriptReloads
    case handlerDuration
    case endToEndLatency
    case publishDuration
    case queueDepth
    case inFlight
    case delayed
    case deadLetters

    /// The metric's label in the backend.
    var label: String {
        switch self {
        case .eventsPublished: "reb_events_published_total"
        case .eventsDelivered: "reb_events_delivered_total"
        case .eventsAcknowledged: "reb_events_acked_total"
        case .eventsFailed: "reb_events_failed_total"
        case .eventsRetried: "reb_events_retried_total"
        case .eventsDeadLettered: "reb_events_dead_lettered_total"
        case .leasesExpired: "reb_leases_expired_total"
        case .lateAcknowledgementsRejected: "reb_late_acks_rejected_total"
        case .reconnects: "reb_reconnects_total"
        case .scriptReloads: "reb_script_reloads_total"
        case .handlerDuration: "reb_handler_duration"
        case .endToEndLatency: "reb_end_to_end_latency"
        case .publishDuration: "reb_publish_duration"
        case .queueDepth: "reb_queue_depth"
        case .inFlight: "reb_in_flight"
        case .delayed: "reb_delayed"
        case .deadLetters: "reb_dead_letters"
        }
    }

    /// The timer recorded beside this counter at each step of an event's life (published,
    /// delivered, acknowledged), which counts the event and times the step; `nil` for the others.
    var stepTimer: BrokerMetric? {
        switch self {
        case .eventsPublished: .publishDuration
        case .eventsDelivered: .endToEndLatency
        case .eventsAcknowledged: .handlerDuration
        case .eventsFailed, .eventsRetried, .eventsDeadLettered, .leasesExpired, .lateAcknowledgementsRejected,
            .reconnects, .scriptReloads, .handlerDuration, .endToEndLatency, .publishDuration, .queueDepth, .inFlight,
            .delayed, .deadLetters:
            nil
        }
    }

    /// The name of the dimension a series carries besides `service`, if any.
    var detailDimension: String? {
        switch self {
        case .eventsPublished, .eventsDelivered, .eventsAcknowledged, .eventsFailed, .eventsRetried,
            .eventsDeadLettered, .lateAcknowledgementsRejected, .handlerDuration, .endToEndLatency, .publishDuration:
            "topic"
        case .reconnects:
            "role"
        case .scriptReloads:
            "script"
        case .leasesExpired, .queueDepth, .inFlight, .delayed, .deadLetters:
            nil
        }
    }
}

/// One series of a metric: the metric and the values of its dimensions.
struct MetricSeries: Hashable, Sendable {
    let metric: BrokerMetric
    let service: String
    /// The value of the metric's ``BrokerMetric/detailDimension``; `nil` leaves that dimension out.
    let detail: String?

    /// The dimensions as swift-metrics takes them.
    var dimensions: [(String, String)] {
        guard let name = metric.detailDimension, let detail else { return [("service", service)] }
        return [("service", service), (name, detail)]
    }
}
