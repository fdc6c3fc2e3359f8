import EventBrokerTestSupport
import Foundation

/// The payload of the codec benchmark: an order as a shop would publish it, with numbers, short
/// strings, dates, optional fields, line items and a little binary data.
struct BenchOrder: Codable, Equatable {
    /// One line item.
    struct Line: Codable, Equatable {
        var sku: String
        var name: String
        var quantity: Int
        var unitPrice: Double
        var discount: Double?
        var tags: [String]
    }

    var orderId: Int64
    var customerId: String
    var status: String
    var currency: String
    var total: Double
    var placedAt: Date
    var lines: [Line]
    var note: String?
    var signature: Data?

    /// A reproducible order with `lineCount` line items and `signatureBytes` bytes of signature.
    static func make(lineCount: Int, signatureBytes: Int, seed: UInt64) -> BenchOrder {
        var random = SeededGenerator(seed: seed)
        let products = ["Espresso beans 1 kg", "Milk frother", "Ceramic mug", "Paper filters", "Grinder burr set"]
        let lines = (0..<lineCount).map { index in
            Line(
                sku: "SKU-\(10_000 + index)",
                name: products[index % products.count],
                quantity: Int.random(in: 1...12, using: &random),
                unitPrice: Double(Int.random(in: 99...99_999, using: &random)) / 100,
                discount: index % 3 == 0 ? 0.1 : nil,
                tags: index % 2 == 0 ? ["coffee", "gift"] : ["kitchen"])
        }
        return BenchOrder(
            orderId: Int64.random(in: 1_000_000...9_999_999, using: &random),
            customerId: "cus-\(Int.random(in: 1000...9999, using: &random))",
            status: "placed",
            currency: "EUR",
            total: lines.reduce(0) { $0 + $1.unitPrice * Double($1.quantity) },
            placedAt: Date(timeIntervalSinceReferenceDate: 754_316_256.789 + Double(seed)),
            lines: lines,
            note: lineCount > 0 ? "Leave at the door" : nil,
            signature: signatureBytes > 0
                ? Data((0..<signatureBytes).map { _ in UInt8.random(in: 0...255, using: &random) }) : nil)
    }
}
