import CoreMetrics
import EventBrokerCore
import Metrics

/// A ``BrokerObserver`` that records the broker's work as swift-metrics counters, timers and
/// gauges, named `reb_…` with the dimensions `service` and `topic` (docs/OBSERVABILITY.md
/// lists them all).
///
/// ```swift
/// MetricsSystem.bootstrap(PrometheusMetricsFactory())   // any swift-metrics backend, first
/// var configuration = BrokerConfiguration(serviceName: "billing")
/// configuration.observers.append(BrokerMetrics())
/// ```
///
/// Handles are made through the factory once per series and kept, so recording costs a lookup
/// (one per event's step for its counter and its timer).
/// The same value can observe several brokers, and a `StandaloneChecker`.
public struct BrokerMetrics: BrokerObserver {
    private let handles: MetricHandles
    private let topics: TopicNames

    /// Records through `factory` (by default the one `MetricsSystem.bootstrap` installed, so
    /// bootstrap first), naming topics as `topicDimension` says.
    public init(factory: any MetricsFactory = MetricsSystem.factory, topicDimension: TopicDimension = .all) {
        handles = MetricHandles(factory: factory)
        topics = TopicNames(topicDimension)
    }

    /// Counts the event in `reb_events_published_total` and times the call in `reb_publish_duration`.
    public func eventPublished(service: String, topic: String, services: Int, duration: Duration) {
        let (published, publishDuration) = handles.counterAndTimer(
            MetricSeries(metric: .eventsPublished, service: service, detail: topics.value(for: topic)))
        published.increment()
        publishDuration.record(duration: duration)
    }

    /// Counts the delivery in `reb_events_delivered_total` and records `reb_end_to_end_latency`.
    public func eventDelivered(service: String, topic: String, deliveryCount: Int, latency: Duration) {
        let (delivered, endToEndLatency) = handles.counterAndTimer(
            MetricSeries(metric: .eventsDelivered, service: service, detail: topics.value(for: topic)))
        delivered.increment()
        endToEndLatency.record(duration: latency)
    }

    /// Counts the event in `reb_events_acked_total` and times its handler in `reb_handler_duration`.
    public func eventAcknowledged(service: String, topic: String, handlerDuration: Duration) {
        let (acknowledged, handlerTime) = handles.counterAndTimer(
            MetricSeries(metric: .eventsAcknowledged, service: service, detail: topics.value(for: topic)))
        acknowledged.increment()
        handlerTime.record(duration: handlerDuration)
    }

    /// Counts the failure in `reb_events_failed_total`, times its handler in
    /// `reb_handler_duration` (an undecodable event, whose topic is empty, had none), and counts
    /// the outcome: `reb_events_retried_total` (requeued or delayed),
    /// `reb_events_dead_lettered_total`, or `reb_late_acks_rejected_total` (lease lost).
    public func eventFailed(service: String, topic: String, outcome: FailureOutcome, handlerDuration: Duration) {
        let handlerRan = !topic.isEmpty
        let topic = topics.value(for: topic)
        handles.counter(MetricSeries(metric: .eventsFailed, service: service, detail: topic)).increment()
        if handlerRan {
            handles.timer(MetricSeries(metric: .handlerDuration, service: service, detail: topic))
                .record(duration: handlerDuration)
        }
        let counted: BrokerMetric
        switch outcome {
        case .requeued, .delayed: counted = .eventsRetried
        case .deadLettered: counted = .eventsDeadLettered
        case .leaseLost: counted = .lateAcknowledgementsRejected
        }
        handles.counter(MetricSeries(metric: counted, service: service, detail: topic)).increment()
    }

    /// Counts the rejected acknowledgement in `reb_late_acks_rejected_total`.
    public func lateAcknowledgementRejected(service: String, topic: String) {
        handles.counter(
            MetricSeries(metric: .lateAcknowledgementsRejected, service: service, detail: topics.value(for: topic))
        ).increment()
    }

    /// Adds the expired leases put back to `reb_leases_expired_total`, and the events the sweep
    /// dead-lettered to `reb_events_dead_lettered_total` with an empty topic (the checker does not
    /// read events).
    public func queueSwept(service: String, expiredRequeued: Int, retriesDue: Int, deadLettered: Int) {
        if expiredRequeued > 0 {
            handles.counter(MetricSeries(metric: .leasesExpired, service: service, detail: nil))
                .increment(by: expiredRequeued)
        }
        if deadLettered > 0 {
            handles.counter(
                MetricSeries(metric: .eventsDeadLettered, service: service, detail: topics.value(for: ""))
            ).increment(by: deadLettered)
        }
    }

    /// Counts the reconnect in `reb_reconnects_total` by the connection's role.
    public func redisReconnected(service: String, role: String) {
        handles.counter(MetricSeries(metric: .reconnects, service: service, detail: role)).increment()
    }

    /// Counts the reload in `reb_script_reloads_total` by script.
    public func scriptReloaded(service: String, script: String) {
        handles.counter(MetricSeries(metric: .scriptReloads, service: service, detail: script)).increment()
    }

    /// Sets the gauges `reb_queue_depth`, `reb_in_flight`, `reb_delayed` and `reb_dead_letters`.
    public func queueDepthsSampled(service: String, depths: QueueDepths) {
        handles.gauge(MetricSeries(metric: .queueDepth, service: service, detail: nil)).record(depths.queued)
        handles.gauge(MetricSeries(metric: .inFlight, service: service, detail: nil)).record(depths.inFlight)
        handles.gauge(MetricSeries(metric: .delayed, service: service, detail: nil)).record(depths.delayed)
        handles.gauge(MetricSeries(metric: .deadLetters, service: service, detail: nil)).record(depths.deadLetters)
    }
}
