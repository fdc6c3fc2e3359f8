import EventBrokerCore
import Foundation
import Logging

/// What a shop service that consumes orders does with each `orders` event: it logs that it
/// started (with how long the order waited since it was placed), works on it for a while, and
/// logs that it is done. The `step` metadata (`started`, `done`) and the event's id let a reader
/// of the logs, such as `event-broker demo`, follow every event.
public struct OrderWork: Sendable {
    /// The service's logger.
    public let logger: Logger
    /// How long handling one order takes, in milliseconds, drawn at random from this range.
    public let milliseconds: ClosedRange<Int>
    /// What the done line says, for example `Billed order`.
    public let doneMessage: String

    /// Creates the work of a service.
    public init(logger: Logger, milliseconds: ClosedRange<Int>, doneMessage: String) {
        self.logger = logger
        self.milliseconds = milliseconds
        self.doneMessage = doneMessage
    }

    /// Handles `event`: decodes its order, logs the start, sleeps for the work's duration and
    /// logs the end. A throw (an undecodable payload, a cancelled sleep) sends the event back.
    public func handle(_ event: DeliveredEvent) async throws {
        let order = try event.payload(as: OrderPlaced.self)
        var metadata: Logger.Metadata = [
            "event": "\(event.id)", "order": "\(order.number)", "delivery": "\(event.deliveryCount)",
        ]
        let waited = Date.now.timeIntervalSince(order.placedAt) * 1000
        logger.info(
            "Handling order",
            metadata: metadata.merging(["step": "started", "waited_ms": "\(String(format: "%.3f", waited))"]) { $1 })
        try await Task.sleep(for: .milliseconds(Int.random(in: milliseconds)))
        metadata["step"] = "done"
        metadata["total"] = "\(order.total)"
        logger.info("\(doneMessage)", metadata: metadata)
    }
}
