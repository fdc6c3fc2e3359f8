/// How ``BrokerMetrics`` names the `topic` dimension of its per-event metrics. Each distinct
/// value is a series of its own in the metrics backend, so a service with many topics may want
/// to bound them.
public enum TopicDimension: Sendable, Hashable {
    /// Every topic is a value of its own.
    case all
    /// The first `n` distinct topics seen keep their name; later ones are reported as `other`.
    case limited(Int)
    /// No topic dimension: the per-event metrics carry `service` alone.
    case none
}
