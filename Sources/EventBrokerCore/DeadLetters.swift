import Foundation

/// The dead letters of one service: events whose last delivery failed or whose last lease
/// expired, kept with their last error until they are replayed or purged (at most
/// ``BrokerConfiguration/deadLetterLimit``; the oldest beyond it are deleted).
///
/// ```swift
/// let letters = try await broker.deadLetters.list()
/// for letter in letters.page { print(letter.eventId, letter.topic ?? "?", letter.error) }
/// try await broker.deadLetters.replay(topic: "orders")
/// ```
public struct DeadLetters: Sendable {
    let broker: RedisEventBroker

    /// How many dead letters the service holds.
    public func count() async throws -> Int {
        try await list(offset: 0, limit: 1).total
    }

    /// One page of dead letters, oldest first, and how many there are in all.
    public func list(offset: Int = 0, limit: Int = 100) async throws -> (total: Int, page: [DeadLetter]) {
        guard offset >= 0, limit >= 1 else {
            throw BrokerError.invalidConfiguration(setting: "offset/limit", reason: "use an offset >= 0 and a limit >= 1")
        }
        try broker.work.enter()
        defer { broker.work.leave() }
        let (total, stored) = try await broker.scripts.deadLetters(
            service: broker.serviceKeys, offset: offset, limit: limit)
        return (total, stored.map { DeadLetter($0, codecs: broker.codecs) })
    }

    /// Puts the given dead letters back at the back of the queue, their delivery count starting
    /// again; returns how many went back.
    @discardableResult
    public func replay(_ eventIds: [String]) async throws -> Int {
        guard !eventIds.isEmpty else { return 0 }
        try broker.work.enter()
        defer { broker.work.leave() }
        return try await broker.scripts.replayDeadLetters(service: broker.serviceKeys, eventIds: eventIds)
    }

    /// Replays every dead letter of `topic`; returns how many went back.
    @discardableResult
    public func replay(topic: String) async throws -> Int {
        try await replayAll { $0.topic == topic }
    }

    /// Replays every dead letter; returns how many went back.
    @discardableResult
    public func replayAll() async throws -> Int {
        try await replayAll { _ in true }
    }

    /// Deletes the given dead letters for good; returns how many were deleted.
    @discardableResult
    public func purge(_ eventIds: [String]) async throws -> Int {
        guard !eventIds.isEmpty else { return 0 }
        try broker.work.enter()
        defer { broker.work.leave() }
        return try await broker.scripts.purgeDeadLetters(service: broker.serviceKeys, eventIds: eventIds)
    }

    /// Deletes every dead letter of the service; returns how many were deleted.
    @discardableResult
    public func purgeAll() async throws -> Int {
        try broker.work.enter()
        defer { broker.work.leave() }
        return try await broker.scripts.purgeDeadLetters(service: broker.serviceKeys, eventIds: nil)
    }

    /// Pages through the dead letters, oldest first, replaying those `matches` accepts.
    private func replayAll(where matches: (DeadLetter) -> Bool) async throws -> Int {
        var offset = 0
        var replayed = 0
        while true {
            let page = try await list(offset: offset, limit: 500).page
            guard !page.isEmpty else { return replayed }
            let chosen = page.filter(matches).map(\.eventId)
            replayed += try await replay(chosen)
            offset += page.count - chosen.count
        }
    }
}

/// One dead letter: the event, when it still decodes, its last error and its deliveries.
public struct DeadLetter: Sendable {
    /// The event's id.
    public let eventId: String
    /// When the event was dead-lettered, on the Redis clock.
    public let deadAt: Date
    /// The last error: the handler's error text, or why the last lease expired.
    public let error: String
    /// How many deliveries the event had.
    public let deliveries: Int
    /// The event, or `nil` when the configured codec cannot decode its stored form (see ``decodingError``).
    public let event: DeliveredEvent?
    /// Why the stored form could not be decoded, when ``event`` is `nil`.
    public let decodingError: String?
    /// The stored form of the event, as the codec wrote it.
    public let envelope: [UInt8]

    /// The event's topic, when it decodes.
    public var topic: String? { event?.topic }

    init(_ stored: BrokerScripts.StoredDeadLetter, codecs: CodecSet) {
        eventId = stored.eventId
        deadAt = Date(timeIntervalSince1970: Double(stored.deadAtMilliseconds) / 1000)
        error = stored.error
        deliveries = stored.deliveries
        envelope = stored.envelope
        do {
            let (envelope, codec) = try codecs.decode(stored.envelope)
            event = DeliveredEvent(envelope: envelope, deliveryCount: stored.deliveries, codec: codec)
            decodingError = nil
        } catch {
            event = nil
            decodingError = "\(error)"
        }
    }
}

extension RedisEventBroker {
    /// The dead letters of this instance's service.
    public var deadLetters: DeadLetters { DeadLetters(broker: self) }
}
