import EventBrokerCodecBinary
import EventBrokerCodecJSON
import EventBrokerCore
import Logging

/// What `inspect` shows: the services of a key prefix with their queues, the topics with their
/// subscribers, and the deliveries in flight, as read at one moment of the Redis clock.
struct BrokerInspection: Sendable {
    /// The Redis read, without its password.
    let redis: String
    /// The key prefix read.
    let prefix: String
    /// When the inspection was read, in milliseconds since 1970 on the Redis clock (`TIME`).
    let redisTimeMilliseconds: Int64
    /// The services shown, by name.
    let services: [Service]
    /// The topics that have subscribers, by name; with `--service`, only those it subscribes to.
    let topics: [Topic]

    /// One service and its queue.
    struct Service: Sendable {
        /// The service's name.
        let name: String
        /// Its events queued, in flight, delayed and dead-lettered, counted in one snapshot.
        let depths: QueueDepths
        /// The topics it subscribes to, by name.
        let topics: [String]
        /// Its deliveries in flight, earliest lease deadline first, at most the inspection's limit.
        let inFlight: [Delivery]

        /// How many in-flight deliveries ``inFlight`` leaves out.
        var inFlightNotListed: Int { max(depths.inFlight - inFlight.count, 0) }
    }

    /// One topic and the services subscribed to it.
    struct Topic: Sendable {
        /// The topic's name.
        let name: String
        /// The services subscribed, by name.
        let subscribers: [String]
    }

    /// One delivery in flight: an event leased to an instance of the service.
    struct Delivery: Sendable {
        /// The event's id.
        let eventId: String
        /// The event's topic; `nil` when no codec of this tool reads its envelope.
        let topic: String?
        /// The event's stream id; `nil` when no codec of this tool reads its envelope.
        let streamId: String?
        /// The owner token of the delivery: `<instance id>.<pick>:<delivery count>` for this broker.
        let token: String
        /// How many times the event has been handed out, this delivery included.
        let deliveries: Int
        /// When the lease ends, in milliseconds since 1970 on the Redis clock.
        let leaseDeadlineMilliseconds: Int64

        /// The instance that holds the delivery: the token up to its first `.` or `:`.
        var instance: String { String(token.prefix { $0 != "." && $0 != ":" }) }
    }
}

extension BrokerInspection {
    /// Why an inspection could not be read.
    struct Failure: Error, CustomStringConvertible {
        let description: String
    }

    /// The codecs whose envelopes the in-flight listing decodes, by their tag byte.
    private static let codecs: [any EventCodec] = [JSONCodec(), BinaryCodec()]

    /// Reads the inspection of the prefix's keys in `placement`'s layout with read commands
    /// and the read-only `depths` script only: keyed commands through `commands`, `TIME` and
    /// `SCAN` on `prefixServer`, the server holding the prefix's topic keys. `service` limits it
    /// to one registered service, `limit` caps the deliveries listed per service.
    static func read(
        commands: RedisCommandTarget, prefixServer: RedisConnection, prefix: String, placement: SlotPlacement,
        service: String?, limit: Int, logger: Logger
    ) async throws -> BrokerInspection {
        let layout = try KeyLayout(prefix: prefix, placement: placement)
        let scripts = BrokerScripts(runner: ScriptRunner(target: commands, logger: logger), layout: layout)
        let now = try await redisTime(prefixServer)
        let registered = try await strings(commands.send("SMEMBERS", layout.services, key: layout.services)).sorted()
        if let service, !registered.contains(service) {
            throw Failure(
                description: "no service '\(service)' is registered under the key prefix '\(prefix)'"
                    + " (registered: \(registered.isEmpty ? "none" : registered.joined(separator: ", ")))")
        }
        let allTopics = try await topics(prefixServer, layout: layout)
        let names = service.map { [$0] } ?? registered
        var services: [Service] = []
        for name in names {
            let keys = layout.service(name)
            services.append(
                Service(
                    name: name, depths: try await scripts.depths(service: keys),
                    topics: allTopics.filter { $0.subscribers.contains(name) }.map(\.name),
                    inFlight: try await deliveries(commands, keys: keys, limit: limit)))
        }
        return BrokerInspection(
            redis: prefixServer.endpoint.description, prefix: prefix, redisTimeMilliseconds: now, services: services,
            topics: service.map { name in allTopics.filter { $0.subscribers.contains(name) } } ?? allTopics)
    }

    /// The Redis clock, in milliseconds since 1970.
    private static func redisTime(_ connection: RedisConnection) async throws -> Int64 {
        let reply = try await connection.send("TIME")
        guard let parts = reply.array?.compactMap(\.string).compactMap({ Int64($0) }), parts.count == 2 else {
            throw Failure(description: "unexpected reply to TIME: \(reply)")
        }
        return parts[0] * 1000 + parts[1] / 1000
    }

    /// Every topic with subscribers, found by SCAN from their subscriber sets, by name.
    private static func topics(_ connection: RedisConnection, layout: KeyLayout) async throws -> [Topic] {
        var cursor = "0"
        var keys: Set<String> = []
        repeat {
            let reply = try await connection.send("SCAN", cursor, "MATCH", layout.topicSubscribersPattern, "COUNT", "1000")
            guard let parts = reply.array, parts.count == 2, let next = parts[0].string, let found = parts[1].array else {
                throw Failure(description: "unexpected reply to SCAN: \(reply)")
            }
            keys.formUnion(found.compactMap(\.string))
            cursor = next
        } while cursor != "0"
        var topics: [Topic] = []
        for key in keys {
            guard let name = layout.topic(subscribersKey: key) else { continue }
            let subscribers = try await strings(connection.send("SMEMBERS", key)).sorted()
            if !subscribers.isEmpty {
                topics.append(Topic(name: name, subscribers: subscribers))
            }
        }
        return topics.sorted { $0.name < $1.name }
    }

    /// Up to `limit` deliveries in flight of a service, earliest lease deadline first; a
    /// delivery acknowledged between the reads is left out.
    private static func deliveries(_ commands: RedisCommandTarget, keys: ServiceKeys, limit: Int) async throws
        -> [Delivery]
    {
        guard limit > 0 else { return [] }
        let leases =
            try await commands.send("ZRANGE", keys.leases, "0", String(limit - 1), "WITHSCORES", key: keys.leases).array ?? []
        let ids = stride(from: 0, to: leases.count - 1, by: 2).compactMap { leases[$0].string }
        let deadlines = stride(from: 1, to: leases.count, by: 2).map { leases[$0].string.flatMap { Int64($0) } ?? 0 }
        guard !ids.isEmpty else { return [] }
        func fields(_ key: String) async throws -> [RedisReply] {
            try await commands.send((["HMGET", key] + ids).map { Array($0.utf8) }, key: key).array ?? []
        }
        let tokens = try await fields(keys.inflight)
        let counts = try await fields(keys.deliveries)
        let envelopes = try await fields(keys.events)
        guard tokens.count == ids.count, counts.count == ids.count, envelopes.count == ids.count else {
            throw Failure(description: "unexpected reply to HMGET for \(ids.count) fields")
        }
        return ids.indices.compactMap { index in
            // The reads are not atomic: an event acknowledged between them lacks a later field.
            guard let token = tokens[index].string, let count = counts[index].string.flatMap({ Int($0) }),
                let bytes = envelopes[index].bytes
            else { return nil }
            let envelope = decode(bytes)
            return Delivery(
                eventId: ids[index], topic: envelope?.topic, streamId: envelope?.streamId, token: token,
                deliveries: count, leaseDeadlineMilliseconds: deadlines[index])
        }
    }

    /// The envelope `bytes`, decoded by the codec its first byte names; `nil` when none does.
    private static func decode(_ bytes: [UInt8]) -> EventEnvelope? {
        guard let codec = codecs.first(where: { $0.tag == bytes.first }) else { return nil }
        return try? codec.decodeEnvelope(bytes)
    }

    /// The strings of an array reply.
    private static func strings(_ reply: RedisReply) -> [String] {
        reply.array?.compactMap(\.string) ?? []
    }
}

extension RedisConnection {
    /// Sends one command given as strings.
    fileprivate func send(_ arguments: [String]) async throws -> RedisReply {
        try await send(arguments.map { Array($0.utf8) })
    }
}
