import Synchronization

/// The value of the `topic` dimension for each topic under a ``TopicDimension``; remembers the
/// topics admitted under ``TopicDimension/limited(_:)``.
final class TopicNames: Sendable {
    /// The value later topics get once the limit is reached.
    static let other = "other"

    private let dimension: TopicDimension
    private let admitted = Mutex<Set<String>>([])

    /// Names topics under `dimension`.
    init(_ dimension: TopicDimension) {
        self.dimension = dimension
    }

    /// The dimension value for `topic`; `nil` when there is no topic dimension. The empty topic
    /// (not known: an undecodable event, a dead letter of the checker) takes no place in a limit.
    func value(for topic: String) -> String? {
        switch dimension {
        case .all:
            return topic
        case .none:
            return nil
        case .limited(let limit):
            guard !topic.isEmpty else { return topic }
            return admitted.withLock { admitted in
                if admitted.contains(topic) { return topic }
                guard admitted.count < limit else { return Self.other }
                admitted.insert(topic)
                return topic
            }
        }
    }
}
