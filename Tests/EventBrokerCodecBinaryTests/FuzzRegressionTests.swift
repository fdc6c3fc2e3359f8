import EventBrokerCodecBinary
import Foundation
import Testing

/// Inputs the fuzzer found, kept as tests (docs/CODECS.md, "Fuzzing").
@Suite("Binary codec: fuzzer findings")
struct FuzzRegressionTests {
    /// The order type of Fuzz/FuzzPayloads.swift, compared by the bits of its numbers and dates.
    struct Order: Codable {
        struct Line: Codable {
            var sku: String
            var quantity: Int
            var unitPrice: Double
            var discount: Double?
            var tags: [String]
        }

        var orderId: Int64
        var customerId: String
        var total: Double
        var placedAt: Date
        var lines: [Line]
        var note: String?
        var signature: Data?
        var attributes: [String: Int]
        var byPosition: [Int: UInt8]

        /// Every field, numbers and dates as bit patterns.
        var bits: [String] {
            [
                "\(orderId)", customerId, "\(total.bitPattern)", "\(placedAt.timeIntervalSinceReferenceDate.bitPattern)",
                note ?? "-", signature?.base64EncodedString() ?? "-", "\(attributes.sorted { $0.key < $1.key })",
                "\(byPosition.sorted { $0.key < $1.key })",
            ]
                + lines.map {
                    "\($0.sku) \($0.quantity) \($0.unitPrice.bitPattern) \($0.discount?.bitPattern ?? 0) \($0.tags)"
                }
        }
    }

    /// An order whose date is a NaN with a payload (`f4fd64f0f97affff`): its bits survive a round
    /// trip, though `Date ==` calls it unequal to itself (the fuzz harness compared with `==` at first).
    @Test func nanDateKeepsItsBits() throws {
        let input = Hex.bytes(
            "10076f7264657249640a637573746f6d6572496405746f74616c08706c616365644174056c696e657303736b75087175"
                + "616e7469747909756e6974507269636508686973636f756e740474616773046e6f746f09736967616e747572650a61"
                + "747472696275746573037669700a6279506f736974696f6e01310c095c00470123232d310211be010309f4fd64f0f9"
                + "7affff040b022f0c05140523412d3106420712b607081102090b010221780c041505214206038c010706555555abaa"
                + "aa2a3f090b00000a216e0b0802dead0c0c01020d410e0c01020f42")
        let codec = BinaryCodec()
        let order = try codec.decodePayload(Order.self, from: input)
        #expect(order.placedAt.timeIntervalSinceReferenceDate.isNaN)
        #expect(order.placedAt.timeIntervalSinceReferenceDate.bitPattern == 0xFFFF_7AF9_F064_FDF4)
        let again = try codec.decodePayload(Order.self, from: codec.encodePayload(order))
        #expect(again.bits == order.bits)
    }
}
