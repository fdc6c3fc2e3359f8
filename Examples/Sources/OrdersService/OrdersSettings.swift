import ShopSupport

/// What the orders service reads from its environment.
struct OrdersSettings {
    /// `MICROSERVICE_NAME`, default `orders`.
    var serviceName: String
    /// `ORDER_RATE`, default 10: orders placed per second.
    var ratePerSecond: Int
    /// `ORDER_COUNT`: how many orders to place before idling; unset or 0 for no end.
    var count: Int?
    /// `FIRST_ORDER`, default 1: the number of the first order. Instances of the service are given
    /// disjoint ranges, as a real shop's database would number its orders.
    var firstNumber: Int

    init(environment: ServiceEnvironment) throws {
        serviceName = environment.string("MICROSERVICE_NAME") ?? "orders"
        ratePerSecond = try environment.integer("ORDER_RATE", default: 10, in: 1...100_000)
        let count = try environment.integer("ORDER_COUNT", default: 0, in: 0...10_000_000)
        self.count = count == 0 ? nil : count
        firstNumber = try environment.integer("FIRST_ORDER", default: 1, in: 1...1_000_000_000)
    }
}
