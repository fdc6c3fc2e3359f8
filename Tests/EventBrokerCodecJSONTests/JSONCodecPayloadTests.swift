import EventBrokerCodecJSON
import EventBrokerCore
import EventBrokerTestSupport
import Foundation
import Testing

/// Encodes `value` as a payload, carries it through a stored envelope, and decodes it back.
private func roundTrip<T: Codable & Equatable>(_ value: T, codec: JSONCodec = JSONCodec()) throws -> T {
    let payload = try codec.encodePayload(value)
    let envelope = EventEnvelope(id: "e", streamId: "s", topic: "t", payload: payload, publishedAtMilliseconds: 0)
    let stored = try codec.decodeEnvelope(codec.encodeEnvelope(envelope))
    return try codec.decodePayload(T.self, from: #require(stored.payload))
}

private struct Address: Codable, Equatable {
    var street: String
    var zip: String?
}

private struct Order: Codable, Equatable {
    var id: Int64
    var customer: String
    var note: String?
    var address: Address
    var lines: [Line]
    var tags: [String: Int]
    var placedAt: Date
    var signature: Data
    var paid: Bool

    struct Line: Codable, Equatable {
        var sku: String
        var quantity: UInt64
        var price: Double
    }
}

@Suite("JSONCodec payloads")
struct JSONCodecPayloadTests {
    @Test func nameIsJSON() {
        #expect(JSONCodec().name == "json")
    }

    @Test func stringsOfDigitsStayStrings() throws {
        let codec = JSONCodec()
        #expect(try codec.encodePayload("123") == Array(#""123""#.utf8))
        #expect(try roundTrip("123") == "123")
        #expect(throws: JSONCodecError.self) { try codec.decodePayload(Int.self, from: codec.encodePayload("123")) }
    }

    @Test(arguments: [
        "", "héllo wörld", "日本語", "🎉👩‍👩‍👧", "quote \" backslash \\ slash /", "\u{0}\u{1}\n\t\u{7F}", "\u{2028}\u{FEFF}",
    ])
    func strings(_ value: String) throws {
        #expect(try roundTrip(value) == value)
    }

    @Test func integersAtTheirLimits() throws {
        #expect(try roundTrip(Int64.min) == Int64.min)
        #expect(try roundTrip(Int64.max) == Int64.max)
        #expect(try roundTrip(UInt64.max) == UInt64.max)
        #expect(try roundTrip(0) == 0)
        #expect(try roundTrip([Int8.min, 0, Int8.max]) == [Int8.min, 0, Int8.max])
    }

    @Test(arguments: [
        0.0, -0.0, 0.1, 1.0 / 3.0, -1.5e300, Double.leastNonzeroMagnitude, Double.greatestFiniteMagnitude,
        123_456_789.123_456_78,
    ])
    func doubles(_ value: Double) throws {
        let decoded = try roundTrip(value)
        #expect(decoded.bitPattern == value.bitPattern)
    }

    @Test func nonFiniteDoublesAreRefusedByDefault() {
        #expect {
            try JSONCodec().encodePayload(Double.nan)
        } throws: { error in
            guard case .payloadEncodingFailed = error as? JSONCodecError else { return false }
            return true
        }
    }

    @Test func bools() throws {
        #expect(try roundTrip(true) == true)
        #expect(try roundTrip(false) == false)
    }

    @Test func optionals() throws {
        #expect(try roundTrip(Int?.none) == nil)
        #expect(try roundTrip(Int?.some(7)) == 7)
        #expect(try roundTrip(Address(street: "Main", zip: nil)) == Address(street: "Main", zip: nil))
        #expect(try roundTrip(Address(street: "Main", zip: "0")) == Address(street: "Main", zip: "0"))
        #expect(try JSONCodec().encodePayload(String?.none) == Array("null".utf8))
    }

    @Test(arguments: [
        Date(timeIntervalSinceReferenceDate: 12345.678901),
        Date(timeIntervalSince1970: 1_732_623_456.789),
        Date(timeIntervalSinceReferenceDate: -987_654_321.000_001),
        Date(timeIntervalSinceReferenceDate: 0.1 + 0.2),
        Date.distantPast,
        Date.distantFuture,
    ])
    func datesAreExact(_ date: Date) throws {
        let decoded = try roundTrip(date)
        #expect(decoded.timeIntervalSinceReferenceDate.bitPattern == date.timeIntervalSinceReferenceDate.bitPattern)
    }

    @Test func manyRandomDatesAreExact() throws {
        var generator = SeededGenerator(seed: 7)
        for _ in 0..<1_000 {
            let date = Date(timeIntervalSinceReferenceDate: Double.random(in: -1e10...1e10, using: &generator))
            #expect(try roundTrip(date) == date)
        }
    }

    @Test func dataIsRawBytes() throws {
        let bytes = Data((0...255).map { UInt8($0) })
        #expect(try roundTrip(bytes) == bytes)
        #expect(try roundTrip(Data()) == Data())
        #expect(try JSONCodec().encodePayload(Data([0, 1, 2, 255])) == Array(#""AAEC/w==""#.utf8))
    }

    @Test func arraysAndDictionaries() throws {
        #expect(try roundTrip([1, 2, 3]) == [1, 2, 3])
        #expect(try roundTrip([String]()) == [])
        #expect(try roundTrip(["a": [1.5], "": [], "ключ": [-2]]) == ["a": [1.5], "": [], "ключ": [-2]])
        #expect(try roundTrip([[String: Bool]]([["x": true], [:]])) == [["x": true], [:]])
    }

    @Test func nestedStructs() throws {
        let order = Order(
            id: Int64.min, customer: "Zoë \"the\" customer\n", note: nil,
            address: Address(street: "1 Rue de l'Église", zip: nil),
            lines: [
                Order.Line(sku: "A-1", quantity: UInt64.max, price: 19.99),
                Order.Line(sku: "", quantity: 0, price: -0.0),
            ],
            tags: ["vip": 1, "🎁": 2],
            placedAt: Date(timeIntervalSinceReferenceDate: 754_316_256.789_123),
            signature: Data([0xDE, 0xAD, 0xBE, 0xEF]), paid: true)
        #expect(try roundTrip(order) == order)
    }

    @Test func payloadTextIsEmbeddedNotQuoted() throws {
        let codec = JSONCodec()
        let payload = try codec.encodePayload(Address(street: "a/b", zip: nil))
        let envelope = EventEnvelope(id: "1", streamId: "s", topic: "t", payload: payload, publishedAtMilliseconds: 5)
        #expect(
            String(decoding: try codec.encodeEnvelope(envelope), as: UTF8.self)
                == #"{"v":1,"id":"1","streamId":"s","topic":"t","payload":{"street":"a/b"},"publishedAt":5}"#)
    }

    @Test func decodingAsTheWrongTypeIsATypedError() throws {
        let codec = JSONCodec()
        let payload = try codec.encodePayload(Address(street: "x", zip: nil))
        #expect {
            try codec.decodePayload(Order.self, from: payload)
        } throws: { error in
            guard case .payloadDecodingFailed(let message) = error as? JSONCodecError else { return false }
            return message.contains("id")
        }
        #expect(throws: JSONCodecError.self) { try codec.decodePayload(Int.self, from: Array("{".utf8)) }
    }

    @Test func customCodersAreUsed() throws {
        let codec = JSONCodec(
            makeEncoder: {
                let encoder = JSONCodec.defaultEncoder()
                encoder.dateEncodingStrategy = .millisecondsSince1970
                return encoder
            },
            makeDecoder: {
                let decoder = JSONCodec.defaultDecoder()
                decoder.dateDecodingStrategy = .millisecondsSince1970
                return decoder
            })
        let date = Date(timeIntervalSince1970: 1_732_623_456)
        #expect(try codec.encodePayload(date) == Array("1732623456000".utf8))
        #expect(try roundTrip(date, codec: codec) == date)
    }
}
