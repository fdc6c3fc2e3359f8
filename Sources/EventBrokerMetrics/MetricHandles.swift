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

    /// The counter of `series`, a step of an event's life, and the timer recorded beside it
    /// (``BrokerMetric/stepTimer``) in the same service and detail, found by one lookup. They are
    /// the handles ``counter(_:)`` and ``timer(_:)`` give.
    func counterAndTimer(_ series: MetricSeries) -> (Counter, CoreMetrics.Timer) {
        if let handles = steps.withLock({ $0[series] }) { return handles }
        guard let timer = series.metric.stepTimer else {
            preconditionFailure("\(series.metric) is not the counter of an event's step")
        }
        let timerSeries = MetricSeries(metric: timer, service: series.service, detail: series.detail)
        let handles = (counter(series), self.timer(timerSeries))
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
