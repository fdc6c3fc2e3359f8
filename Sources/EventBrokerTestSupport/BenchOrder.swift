import Foundation

/// The payload of the codec benchmark: an order as a shop would publish it, with numbers, short
/// strings, dates, optional fields, line items and a little binary data.
public struct BenchOrder: Codable, Equatable, Sendable {
    /// One line item.
    public struct Line: Codable, Equatable, Sendable {
        public var sku: String
        public var name: String
        public var quantity: Int
        public var unitPrice: Double
        public var discount: Double?
        public var tags: [String]
    }

    public var orderId: Int64
    public var customerId: String
    public var status: String
    public var currency: String
    public var total: Double
    public var placedAt: Date
    public var lines: [Line]
    public var note: String?
    public var signature: Data?

    /// A reproducible order with `lineCount` line items and `signatureBytes` bytes of signature.
    public static func make(lineCount: Int, signatureBytes: Int, seed: UInt64) -> BenchOrder {
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
