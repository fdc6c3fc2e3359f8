/// The payload of an `orders` event, as the shop publishes it.
struct Order: Codable, Sendable {
    /// The order's number.
    var number: Int
    /// What the customer pays.
    var total: Double
}
