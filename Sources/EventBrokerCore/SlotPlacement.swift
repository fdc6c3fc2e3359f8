/// How the keys of a key prefix spread over the hash slots of a Redis Cluster. On one server
/// either works; every instance, checker and tool of a prefix must use the same one (a broker
/// refuses to start on a prefix that holds the other's services).
public enum SlotPlacement: String, Sendable, Hashable, CaseIterable {
    /// Every key of the prefix in the slot of `{<prefix>}` (key layout v1): every script, a
    /// publish to many services included, is one atomic step on one node, and the whole prefix
    /// lives on one master. The default.
    case perPrefix = "per-prefix"
    /// Each service's queue in a slot of its own, `{<prefix>/<service>}`, and the topics'
    /// subscriber registry in the slot of `{<prefix>}` (key layout v2): one prefix's services
    /// spread over the masters. A publish runs one script per subscribed service, each atomic on
    /// its node, and each service remembers the ids it queued for
    /// ``BrokerConfiguration/publishDedupWindow``, so a publish sent again after a failure is
    /// queued once per service.
    case perService = "per-service"
}
