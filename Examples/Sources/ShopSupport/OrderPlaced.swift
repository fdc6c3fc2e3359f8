import Foundation

/// The payload of an `orderPlaced` event on the `orders` topic, as the orders service publishes it.
public struct OrderPlaced: Codable, Sendable {
    /// The order's number, unique in the shop.
    public var number: Int
    /// Who ordered.
    public var customer: String
    /// What the customer pays, in euros.
    public var total: Double
    /// How many items the order holds.
    public var items: Int
    /// When the customer placed it: just before the event was published.
    public var placedAt: Date

    /// Creates an order.
    public init(number: Int, customer: String, total: Double, items: Int, placedAt: Date) {
        self.number = number
        self.customer = customer
        self.total = total
        self.items = items
        self.placedAt = placedAt
    }
}
