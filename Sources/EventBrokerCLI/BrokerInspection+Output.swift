import EventBrokerCore
import Foundation

extension BrokerInspection {
    /// The inspection for people: a line naming the Redis, the prefix and the time, then tables of
    /// the services, the topics and the deliveries in flight.
    var text: String {
        var lines = ["Redis \(redis), key prefix \(prefix), at \(Self.time(redisTimeMilliseconds)) (Redis clock)", ""]
        if services.isEmpty {
            lines.append("No service is registered under the key prefix \(prefix).")
        } else {
            var table = TextTable(
                ["SERVICE", "QUEUED", "IN FLIGHT", "DELAYED", "DEAD LETTERS", "TOPICS"], rightAligned: [1, 2, 3, 4])
            for service in services {
                let depths = service.depths
                table.rows.append([
                    service.name, String(depths.queued), String(depths.inFlight), String(depths.delayed),
                    String(depths.deadLetters), service.topics.isEmpty ? "-" : service.topics.joined(separator: ", "),
                ])
            }
            lines += table.lines
        }
        lines.append("")
        if topics.isEmpty {
            lines.append("No topic has subscribers.")
        } else {
            var table = TextTable(["TOPIC", "SUBSCRIBERS"])
            table.rows = topics.map { [$0.name, $0.subscribers.joined(separator: ", ")] }
            lines += table.lines
        }
        lines.append("")
        lines += inFlightLines
        return lines.joined(separator: "\n")
    }

    /// The deliveries in flight, earliest lease deadline first within each service, and a line
    /// per service saying how many the limit left out.
    private var inFlightLines: [String] {
        guard services.contains(where: { $0.depths.inFlight > 0 }) else { return ["Nothing in flight."] }
        var table = TextTable(
            ["SERVICE", "EVENT ID", "TOPIC", "STREAM ID", "INSTANCE", "DELIVERY", "LEASE DEADLINE", "LEASE"],
            rightAligned: [5])
        var notes: [String] = []
        for service in services {
            for delivery in service.inFlight {
                table.rows.append([
                    service.name, delivery.eventId, delivery.topic ?? "?", delivery.streamId ?? "?",
                    String(delivery.instance.prefix(8)), String(delivery.deliveries),
                    Self.time(delivery.leaseDeadlineMilliseconds), lease(delivery),
                ])
            }
            if service.inFlightNotListed > 0 {
                notes.append("\(service.name): \(service.inFlightNotListed) more in flight, not listed (--limit).")
            }
        }
        let title = "In flight, earliest lease deadline first:"
        return table.rows.isEmpty ? [title] + notes : [title] + table.lines + notes
    }

    /// How long the lease of `delivery` still runs, or since when it expired: "in 12.3 s",
    /// "expired 2.0 s ago".
    private func lease(_ delivery: Delivery) -> String {
        let remaining = delivery.leaseDeadlineMilliseconds - redisTimeMilliseconds
        return remaining >= 0 ? "in \(Self.seconds(remaining)) s" : "expired \(Self.seconds(-remaining)) s ago"
    }

    /// Milliseconds as seconds with one decimal, rounded: 12345 → "12.3".
    static func seconds(_ milliseconds: Int64) -> String {
        let tenths = (milliseconds + 50) / 100
        return "\(tenths / 10).\(tenths % 10)"
    }

    /// Milliseconds since 1970 as an ISO 8601 time with milliseconds, in UTC.
    static func time(_ milliseconds: Int64) -> String {
        Date(timeIntervalSince1970: Double(milliseconds) / 1000)
            .formatted(Date.ISO8601FormatStyle(includingFractionalSeconds: true))
    }

    /// The inspection as one JSON object (keys sorted, times in ISO 8601, lease remainders in
    /// milliseconds, negative once expired).
    func json() throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        return String(decoding: try encoder.encode(JSONInspection(self)), as: UTF8.self)
    }

    /// The JSON form of the inspection.
    private struct JSONInspection: Encodable {
        let redis: String
        let prefix: String
        let redisTime: String
        let services: [JSONService]
        let topics: [JSONTopic]

        init(_ inspection: BrokerInspection) {
            redis = inspection.redis
            prefix = inspection.prefix
            redisTime = BrokerInspection.time(inspection.redisTimeMilliseconds)
            services = inspection.services.map { JSONService($0, now: inspection.redisTimeMilliseconds) }
            topics = inspection.topics.map { JSONTopic(name: $0.name, subscribers: $0.subscribers) }
        }
    }

    /// The JSON form of one service.
    private struct JSONService: Encodable {
        let name: String
        let queued: Int
        let inFlight: Int
        let delayed: Int
        let deadLetters: Int
        let topics: [String]
        let inFlightDeliveries: [JSONDelivery]
        let inFlightNotListed: Int

        init(_ service: Service, now: Int64) {
            name = service.name
            queued = service.depths.queued
            inFlight = service.depths.inFlight
            delayed = service.depths.delayed
            deadLetters = service.depths.deadLetters
            topics = service.topics
            inFlightDeliveries = service.inFlight.map { JSONDelivery($0, now: now) }
            inFlightNotListed = service.inFlightNotListed
        }
    }

    /// The JSON form of one topic.
    private struct JSONTopic: Encodable {
        let name: String
        let subscribers: [String]
    }

    /// The JSON form of one delivery in flight; topic and stream id are `null` when unreadable.
    private struct JSONDelivery: Encodable {
        let eventId: String
        let topic: String?
        let streamId: String?
        let instance: String
        let token: String
        let deliveries: Int
        let leaseDeadline: String
        let leaseRemainingMilliseconds: Int64

        init(_ delivery: Delivery, now: Int64) {
            eventId = delivery.eventId
            topic = delivery.topic
            streamId = delivery.streamId
            instance = delivery.instance
            token = delivery.token
            deliveries = delivery.deliveries
            leaseDeadline = BrokerInspection.time(delivery.leaseDeadlineMilliseconds)
            leaseRemainingMilliseconds = delivery.leaseDeadlineMilliseconds - now
        }

        enum CodingKeys: String, CodingKey {
            case eventId, topic, streamId, instance, token, deliveries, leaseDeadline, leaseRemainingMilliseconds
        }

        func encode(to encoder: any Encoder) throws {
            var container = encoder.container(keyedBy: CodingKeys.self)
            try container.encode(eventId, forKey: .eventId)
            try container.encode(topic, forKey: .topic)
            try container.encode(streamId, forKey: .streamId)
            try container.encode(instance, forKey: .instance)
            try container.encode(token, forKey: .token)
            try container.encode(deliveries, forKey: .deliveries)
            try container.encode(leaseDeadline, forKey: .leaseDeadline)
            try container.encode(leaseRemainingMilliseconds, forKey: .leaseRemainingMilliseconds)
        }
    }
}
