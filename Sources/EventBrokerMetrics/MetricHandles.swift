import CoreMetrics
import Synchronization

/// The metric handles made so far through one factory, one per series, so recording a value
/// makes no new handler.
final class MetricHandles: Sendable {
    private let factory: any MetricsFactory
    private let counters = Mutex<[MetricSeries: Counter]>([:])
    private let timers = Mutex<[MetricSeries: CoreMetrics.Timer]>([:])
    private let gauges = Mutex<[MetricSeries: Gauge]>([:])
    /// The counter and timer an event's step records, by the counter's series.
    private let steps = Mutex<[MetricSeries: (Counter, CoreMetrics.Timer)]>([:])

    /// Makes handles through `factory`.
    init(factory: any MetricsFactory) {
        self.factory = factory
    }

    /// The counter of `series`, made on first use.
    func counter(_ series: MetricSeries) -> Counter {
        counters.withLock { counters in
            if let counter = counters[series] { return counter }
            let counter = Counter(label: series.metric.label, dimensions: series.dimensions, factory: factory)
            counters[series] = counter
            return counter
        }
    }

    /// The timer of `series`, made on first use; it records nanoseconds.
    func timer(_ series: MetricSeries) -> CoreMetrics.Timer {
        timers.withLock { timers in
            if let timer = timers[series] { return timer }
            let timer = CoreMetrics.Timer(label: series.metric.label, dimensions: series.dimensions, factory: factory)
            timers[series] = timer
            return timer
        }
    }

    /// The counter of `series` and the timer `timer` of the same service and detail, found by
    /// one lookup: each step of an event's life (published, delivered, acknowledged) counts the
    /// event and records a duration. They are the handles ``counter(_:)`` and ``timer(_:)`` give.
    func counterAndTimer(_ series: MetricSeries, timer: BrokerMetric) -> (Counter, CoreMetrics.Timer) {
        if let handles = steps.withLock({ $0[series] }) { return handles }
        let handles = (
            counter(series), self.timer(MetricSeries(metric: timer, service: series.service, detail: series.detail))
        )
        steps.withLock { $0[series] = handles }
        return handles
    }

    /// The gauge of `series`, made on first use.
    func gauge(_ series: MetricSeries) -> Gauge {
        gauges.withLock { gauges in
            if let gauge = gauges[series] { return gauge }
            let gauge = Gauge(label: series.metric.label, dimensions: series.dimensions, factory: factory)
            gauges[series] = gauge
            return gauge
        }
    }
}
