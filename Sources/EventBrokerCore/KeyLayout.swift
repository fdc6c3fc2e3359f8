/// Where the broker keeps its state in Redis: every key name, built in one place.
///
/// Layout version 1 (``SlotPlacement/perPrefix``) puts every key of one prefix in the hash slot
/// of `{<prefix>}`, so each script, publishing to several services included, touches one slot
/// on any Redis, Cluster too (see docs/ARCHITECTURE.md). Service names and topics appear
/// percent-encoded: every byte outside `A-Z a-z 0-9 . _ -` becomes `%XX`, so no name can forge
/// another name's key, a hash tag, or a pattern.
///
/// ```
/// {reb}:v1:s:<service>:published   list   queued event ids, the next one at the right end
/// {reb}:v1:s:<service>:events      hash   event id → envelope
/// {reb}:v1:s:<service>:inflight    hash   event id → owner token of the current delivery
/// {reb}:v1:s:<service>:leases      zset   event id → lease deadline (ms, Redis clock)
/// {reb}:v1:s:<service>:deliveries  hash   event id → times handed out
/// {reb}:v1:s:<service>:wake        list   wake-up markers, one per instance that should wake
/// {reb}:v1:s:<service>:stop:<consumer> list  a stopping consumer's marker, gone once it stopped
/// {reb}:v1:s:<service>:retries     zset   event id → when a failed event may run again (ms)
/// {reb}:v1:s:<service>:dead        zset   dead-lettered event id → when it died (ms)
/// {reb}:v1:s:<service>:dead-letters hash  "<id>:envelope", "<id>:error", "<id>:deliveries"
/// {reb}:v1:s:<service>:sweep-guard string held by the instance sweeping this interval
/// {reb}:v1:t:<topic>:subscribers   set    names of the subscribed services
/// {reb}:v1:t:<topic>:version       string counter raised by every subscriber change
/// {reb}:v1:services                set    every service that ever subscribed (for the checker)
/// channel {reb}:v1:s:<service>:notify     message: the topic of a newly queued event
/// ```
///
/// Layout version 2 (``SlotPlacement/perService``) keeps the topic keys and the registry of
/// services in the slot of `{<prefix>}` and gives each service's keys the hash tag
/// `{<prefix>/<service>}`, so one prefix's services spread over a cluster's slots. A service
/// has the keys of version 1 plus two:
///
/// ```
/// {reb}:v2:t:<topic>:subscribers, {reb}:v2:t:<topic>:version, {reb}:v2:services   as in v1
/// {reb/<service>}:v2:published, …:events, …, channel {reb/<service>}:v2:notify      as in v1
/// {reb/<service>}:v2:topics   set    the topics the service subscribes to, which publishing checks
/// {reb/<service>}:v2:recent   zset   event id → when it was queued (ms): ids seen within the dedup window
/// ```
package struct KeyLayout: Sendable, Hashable {
    /// The longest key prefix, in bytes.
    static let maximumPrefixLength = 64

    /// How the prefix's keys spread over hash slots.
    package let placement: SlotPlacement
    /// The beginning of every topic and registry key: hash tag and layout version.
    let root: String
    /// The key prefix.
    private let prefix: String
    /// The glob patterns of every key and pub/sub channel of the prefix, whatever the layout
    /// version: `{reb}:*` and `{reb/*`. The prefix holds no glob character and no `/`, so they
    /// match nothing else.
    package let patterns: [String]
    /// The registry of services of the other placement on the same prefix: a broker refuses to
    /// start where it exists, since the two would not see each other's services.
    let otherPlacementServices: String

    /// Creates the layout of a key prefix; throws for an empty, long or non-alphanumeric prefix.
    package init(prefix: String, placement: SlotPlacement = .perPrefix) throws {
        let allowed = prefix.utf8.allSatisfy { byte in
            Self.isUnreserved(byte) || byte == UInt8(ascii: ":")
        }
        guard !prefix.isEmpty, prefix.utf8.count <= Self.maximumPrefixLength, allowed else {
            throw BrokerError.invalidName(
                kind: .keyPrefix, value: prefix,
                reason: "use 1 to \(Self.maximumPrefixLength) characters of A-Z a-z 0-9 . _ - :")
        }
        self.placement = placement
        let (version, otherVersion) = placement == .perPrefix ? ("v1", "v2") : ("v2", "v1")
        root = "{\(prefix)}:\(version)"
        otherPlacementServices = "{\(prefix)}:\(otherVersion):services"
        self.prefix = prefix
        patterns = ["{\(prefix)}:*", "{\(prefix)/*"]
    }

    /// The keys of one service's queue.
    package func service(_ name: String) -> ServiceKeys {
        switch placement {
        case .perPrefix: ServiceKeys(base: "\(root):s:\(Self.encode(name))")
        case .perService: ServiceKeys(base: "{\(prefix)/\(Self.encode(name))}:v2")
        }
    }

    /// The registry keys of one topic.
    package func topic(_ name: String) -> TopicKeys {
        TopicKeys(base: "\(root):t:\(Self.encode(name))")
    }

    /// The set of every service that ever subscribed, which the standalone checker sweeps.
    package var services: String { root + ":services" }

    /// Percent-encodes every byte outside `A-Z a-z 0-9 . _ -`.
    package static func encode(_ name: String) -> String {
        var encoded = ""
        encoded.reserveCapacity(name.utf8.count)
        for byte in name.utf8 {
            if isUnreserved(byte) {
                encoded.unicodeScalars.append(Unicode.Scalar(byte))
            } else {
                encoded += "%"
                encoded += hexDigit(byte >> 4)
                encoded += hexDigit(byte & 0x0F)
            }
        }
        return encoded
    }

    private static func isUnreserved(_ byte: UInt8) -> Bool {
        switch byte {
        case UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "a")...UInt8(ascii: "z"),
            UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "."), UInt8(ascii: "_"), UInt8(ascii: "-"):
            return true
        default:
            return false
        }
    }

    private static func hexDigit(_ value: UInt8) -> String {
        String(value, radix: 16, uppercase: true)
    }
}

/// The Redis keys of one service's queue (see ``KeyLayout``).
package struct ServiceKeys: Sendable, Hashable {
    /// The shared beginning of the service's keys.
    let base: String

    /// List of queued event ids; the next one is at the right end.
    package var published: String { base + ":published" }
    /// Hash of event id to envelope.
    package var events: String { base + ":events" }
    /// Hash of event id to the owner token of its current delivery.
    package var inflight: String { base + ":inflight" }
    /// Sorted set of event id by lease deadline.
    package var leases: String { base + ":leases" }
    /// Hash of event id to the number of deliveries so far.
    package var deliveries: String { base + ":deliveries" }
    /// List of wake-up markers that idle instances wait on with BLPOP.
    package var wake: String { base + ":wake" }
    /// List of one consumer's stop marker: the consumer waits on it beside ``wake``, and its
    /// shutdown pushes a marker there to end that wait; deleted once the consumer stopped.
    func stop(consumer: String) -> String { base + ":stop:" + consumer }
    /// Sorted set of failed event id by the time it may be delivered again.
    var retries: String { base + ":retries" }
    /// Sorted set of dead-lettered event id by the time it was dead-lettered.
    var dead: String { base + ":dead" }
    /// Hash of `<id>:envelope`, `<id>:error` and `<id>:deliveries` per dead letter.
    var deadLetters: String { base + ":dead-letters" }
    /// Set of the topics the service subscribes to (``SlotPlacement/perService`` only), which a
    /// publish checks on the service's node.
    var topics: String { base + ":topics" }
    /// Sorted set of the event ids queued within the dedup window, by when (ms;
    /// ``SlotPlacement/perService`` only).
    var recent: String { base + ":recent" }
    /// String held for one interval by the instance that sweeps the service.
    var sweepGuard: String { base + ":sweep-guard" }
    /// Pub/sub channel announcing the topic of each newly queued event.
    var notifyChannel: String { base + ":notify" }
}

/// The Redis keys of one topic's subscriber registry (see ``KeyLayout``).
package struct TopicKeys: Sendable, Hashable {
    /// The shared beginning of the topic's keys.
    let base: String

    /// Set of the names of the subscribed services.
    var subscribers: String { base + ":subscribers" }
    /// Counter raised by every change of the subscribers.
    package var version: String { base + ":version" }
}
