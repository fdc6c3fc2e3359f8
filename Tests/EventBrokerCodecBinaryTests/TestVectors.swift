import EventBrokerCodecBinary
import EventBrokerCore
import Foundation
import Testing

/// The test vectors of docs/CODECS.md: each the exact bytes of an envelope or a payload.
enum TestVectors {
    /// An envelope and its bytes.
    struct EnvelopeVector: CustomTestStringConvertible, Sendable {
        let name: String
        let hex: String
        let envelope: EventEnvelope
        var testDescription: String { name }
    }

    static let envelopes: [EnvelopeVector] = [
        EnvelopeVector(
            name: "minimal: non-UUID id, no message, no payload, no headers",
            hex: "420100056576742d31017301740000",
            envelope: EventEnvelope(id: "evt-1", streamId: "s", topic: "t", publishedAtMilliseconds: 0)),
        EnvelopeVector(
            name: "UUID id, message and headers, no payload",
            hex: "4201055f0c6c1e8a4b4d2e9b7a3c1d2e4f5a6b086f726465722d3135066f72646572730b4f72646572506c616365640206736f757263650473686f700b7472616365706172656e740930302d6162632d3031aae8be86ed64",
            envelope: EventEnvelope(
                id: "5f0c6c1e-8a4b-4d2e-9b7a-3c1d2e4f5a6b", streamId: "order-15", topic: "orders",
                message: "OrderPlaced", headers: ["traceparent": "00-abc-01", "source": "shop"],
                publishedAtMilliseconds: 1_732_623_456_789)),
        EnvelopeVector(
            name: "an uppercase UUID is not canonical: stored as a string",
            hex: "4201002435463043364331452d384134422d344432452d394237412d334331443245344635413642017301740001",
            envelope: EventEnvelope(
                id: "5F0C6C1E-8A4B-4D2E-9B7A-3C1D2E4F5A6B", streamId: "s", topic: "t", publishedAtMilliseconds: -1)),
        EnvelopeVector(
            name: "unicode in every string",
            hex: "42010104c3bc2d3105e6b5812d3709636f6d6d616e646573095a6fc3ab20f09f8e890102c3a906e697a5e69cac02",
            envelope: EventEnvelope(
                id: "ü-1", streamId: "流-7", topic: "commandes", message: "Zoë 🎉", headers: ["é": "日本"],
                publishedAtMilliseconds: 1)),
        EnvelopeVector(
            name: "empty strings, an empty payload, the earliest time",
            hex: "4201030000000000010000ffffffffffffffffff01",
            envelope: EventEnvelope(
                id: "", streamId: "", topic: "", message: "", payload: [], headers: ["": ""],
                publishedAtMilliseconds: Int64.min)),
        EnvelopeVector(
            name: "a payload: {sku: \"A-1\", quantity: 2, price: 9.5}",
            hex: "4201060b7e6e6e2c1a4f3b8d5e9a0b1c2d3e4f06636172742d390463617274220303736b75087175616e746974790570726963650c030b0023412d3101420211be0100aae8be86ed64",
            envelope: EventEnvelope(
                id: "0b7e6e6e-2c1a-4f3b-8d5e-9a0b1c2d3e4f", streamId: "cart-9", topic: "cart",
                payload: Hex.bytes(lineItemHex),
                publishedAtMilliseconds: 1_732_623_456_789)),
        EnvelopeVector(
            name: "a W3C traceparent packed in 25 bytes after the other headers",
            hex: "42010c5f0c6c1e8a4b4d2e9b7a3c1d2e4f5a6b017301740106736f757263650473686f704bf92f3577b34da6a3ce929d0e0e473600f067aa0ba902b70100",
            envelope: EventEnvelope(
                id: "5f0c6c1e-8a4b-4d2e-9b7a-3c1d2e4f5a6b", streamId: "s", topic: "t",
                headers: ["traceparent": "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01", "source": "shop"],
                publishedAtMilliseconds: 0)),
    ]

    /// A line item with the key order of `LineItem`, under other names.
    struct Line: Codable, Equatable {
        var sku: String
        var qty: Int
    }

    /// A payload with nested objects in an array: the keys `sku` and `qty` are written once.
    struct Cart: Codable, Equatable {
        var id: Int64
        var lines: [Line]
        var paid: Bool
    }

    /// One field of every scalar kind.
    struct Scalars: Codable, Equatable {
        var min: Int64
        var max: UInt64
        var negativeZero: Double
        var price: Double
        var third: Double
        var float: Float
        var digits: String
        var date: Date
        var data: Data
        var url: URL
        var optionals: [Int?]
    }

    static let lineItemHex = "0303736b75087175616e746974790570726963650c030b0023412d3101420211be01"
    static let lineItem = LineItem(sku: "A-1", quantity: 2, price: 9.5)

    static let cartHex = "05026964056c696e657303736b750371747904706169640c03180047010b02100c020502214103410c020502214203420401"
    static let cart = Cart(id: 7, lines: [Line(sku: "A", qty: 1), Line(sku: "B", qty: 2)], paid: false)

    static let scalarsHex =
        "0b036d696e036d61780c6e656761746976655a65726f05707269636505746869726405666c6f617406646967697473046461746504646174610375726c096f7074696f6e616c730c0b640003ffffffffffffffffff010104ffffffffffffffffff010206000000000000008003129e1f0406555555555555d53f05050000c03f06233132330709000000000000f83f080803010203090a0e68747470733a2f2f782e696f2f610a0b030441000301"
    static let scalars = Scalars(
        min: Int64.min, max: UInt64.max, negativeZero: -0.0, price: 19.99, third: 1.0 / 3.0, float: 1.5, digits: "123",
        date: Date(timeIntervalSinceReferenceDate: 1.5), data: Data([1, 2, 3]), url: URL(string: "https://x.io/a")!,
        optionals: [1, nil, -1])

    static let intKeysHex = "01022d330c010d002b6d696e7573207468726565"
    static let intKeys: [Int: String] = [-3: "minus three"]

    static let digitsHex = "0023313233"
    static let digits = "123"
}
