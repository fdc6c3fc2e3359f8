import EventBrokerCodecBinary
import EventBrokerCore
import EventBrokerTestSupport
import Foundation
import Testing

/// Encodes `value` as a payload, carries it through a stored envelope, and decodes it back.
private func roundTrip<T: Codable>(_ value: T, as type: T.Type = T.self) throws -> T {
    let codec = BinaryCodec()
    let payload = try codec.encodePayload(value)
    let envelope = EventEnvelope(id: "e", streamId: "s", topic: "t", payload: payload, publishedAtMilliseconds: 0)
    let stored = try codec.decodeEnvelope(codec.encodeEnvelope(envelope))
    return try codec.decodePayload(type, from: #require(stored.payload))
}

private let sampleOrder = Order(
    id: Int64.min, customer: "Zoë \"the\" customer\n", note: nil,
    address: Address(street: "1 Rue de l'Église", zip: nil),
    lines: [
        LineItem(sku: "A-1", quantity: UInt64.max, price: 19.99),
        LineItem(sku: "", quantity: 0, price: -0.0),
    ],
    tags: ["vip": 1, "🎁": 2], byPosition: [1: "first", -7: "minus seven"],
    placedAt: Date(timeIntervalSinceReferenceDate: 754_316_256.789_123),
    signature: Data([0xDE, 0xAD, 0xBE, 0xEF]), paid: true)

@Suite("Binary payloads")
struct BinaryPayloadTests {
    @Test func nameTagAndVersion() {
        #expect(BinaryCodec().name == "binary")
        #expect(BinaryCodec().tag == 0x42)
        #expect(BinaryCodec.formatVersion == 1)
    }

    @Test func stringsOfDigitsStayStrings() throws {
        #expect(try roundTrip("123") == "123")
        let payload = try BinaryCodec().encodePayload("123")
        #expect(throws: BinaryCodecError.typeMismatch(expected: "Int", found: "a string", codingPath: "the top level")) {
            try BinaryCodec().decodePayload(Int.self, from: payload)
        }
    }

    @Test(arguments: [
        "", "héllo wörld", "日本語", "🎉👩‍👩‍👧", "quote \" backslash \\", "\u{0}\u{1}\n\t\u{7F}", "\u{2028}\u{FEFF}",
        String(repeating: "long ", count: 1000),
    ])
    func strings(_ value: String) throws {
        #expect(try roundTrip(value) == value)
    }

    @Test func integersAtTheirLimits() throws {
        #expect(try roundTrip(Int64.min) == Int64.min)
        #expect(try roundTrip(Int64.max) == Int64.max)
        #expect(try roundTrip(UInt64.max) == UInt64.max)
        #expect(try roundTrip(Int.min) == Int.min)
        #expect(try roundTrip(0) == 0)
        #expect(try roundTrip([Int8.min, 0, Int8.max]) == [Int8.min, 0, Int8.max])
        #expect(try roundTrip([Int16.min, Int16.max]) == [Int16.min, Int16.max])
        #expect(try roundTrip([Int32.min, Int32.max]) == [Int32.min, Int32.max])
        #expect(try roundTrip([UInt8.max, UInt8.min]) == [UInt8.max, UInt8.min])
        #expect(try roundTrip([UInt16.max]) == [UInt16.max])
        #expect(try roundTrip([UInt32.max]) == [UInt32.max])
        #expect(try roundTrip([UInt.max]) == [UInt.max])
    }

    @Test func integersConvertWhenTheyFit() throws {
        let codec = BinaryCodec()
        #expect(try codec.decodePayload(UInt8.self, from: codec.encodePayload(Int64(200))) == 200)
        #expect(try codec.decodePayload(Int64.self, from: codec.encodePayload(UInt64(5))) == 5)
        #expect(throws: BinaryCodecError.integerOutOfRange(value: "300", type: "UInt8", codingPath: "the top level")) {
            try codec.decodePayload(UInt8.self, from: codec.encodePayload(300))
        }
        #expect(throws: BinaryCodecError.integerOutOfRange(value: "-1", type: "UInt64", codingPath: "[0]")) {
            try codec.decodePayload([UInt64].self, from: codec.encodePayload([-1]))
        }
        #expect(
            throws: BinaryCodecError.integerOutOfRange(
                value: "18446744073709551615", type: "Int64", codingPath: "lines[0].quantity")
        ) {
            struct SignedLine: Decodable { var quantity: Int64 }
            struct SignedOrder: Decodable { var lines: [SignedLine] }
            _ = try codec.decodePayload(SignedOrder.self, from: codec.encodePayload(sampleOrder))
        }
    }

    @Test(arguments: [
        0.0, -0.0, 0.1, 1.0 / 3.0, -1.5e300, Double.leastNonzeroMagnitude, Double.greatestFiniteMagnitude,
        Double.infinity, -Double.infinity, 123_456_789.123_456_78,
    ])
    func doublesKeepTheirBits(_ value: Double) throws {
        #expect(try roundTrip(value).bitPattern == value.bitPattern)
    }

    @Test func nanStaysNaN() throws {
        #expect(try roundTrip(Double.nan).isNaN)
        #expect(try roundTrip(Float.nan).isNaN)
        #expect(try roundTrip(Double.signalingNaN).isNaN)
    }

    @Test func floats() throws {
        for value: Float in [0, -0.0, 1.5, .pi, .greatestFiniteMagnitude, .leastNonzeroMagnitude, -.infinity] {
            #expect(try roundTrip(value).bitPattern == value.bitPattern)
        }
        let codec = BinaryCodec()
        #expect(try codec.decodePayload(Double.self, from: codec.encodePayload(Float(1.5))) == 1.5)
        #expect(try codec.decodePayload(Float.self, from: codec.encodePayload(0.25)) == 0.25)
        #expect(throws: BinaryCodecError.self) { try codec.decodePayload(Float.self, from: codec.encodePayload(0.1)) }
    }

    @Test func bools() throws {
        #expect(try roundTrip(true) == true)
        #expect(try roundTrip(false) == false)
        #expect(try roundTrip([true, false]) == [true, false])
    }

    @Test func optionals() throws {
        #expect(try roundTrip(Int?.none, as: Int?.self) == nil)
        #expect(try roundTrip(Int?.some(7), as: Int?.self) == 7)
        #expect(try roundTrip(Address(street: "Main", zip: nil)) == Address(street: "Main", zip: nil))
        #expect(try roundTrip(Address(street: "Main", zip: "0")) == Address(street: "Main", zip: "0"))
        #expect(try roundTrip([1, nil, 3] as [Int?]) == [1, nil, 3])
        #expect(try roundTrip(["a": nil, "b": 2] as [String: Int?]) == ["a": nil, "b": 2])
        // Codable writes .some(nil) as nil, so a nested optional comes back one level flatter.
        #expect(try roundTrip(Int??.some(.some(4)), as: Int??.self) == .some(.some(4)))
        #expect(try roundTrip(Int??.none, as: Int??.self) == .none)
    }

    @Test func nilAndAbsentDiffer() throws {
        for value in [
            ExplicitNil(value: nil, isExplicitNil: true), ExplicitNil(value: nil, isExplicitNil: false),
            ExplicitNil(value: 3, isExplicitNil: false),
        ] {
            #expect(try roundTrip(value) == value)
        }
        let codec = BinaryCodec()
        #expect(
            try codec.encodePayload(ExplicitNil(value: nil, isExplicitNil: true)).count
                > codec.encodePayload(ExplicitNil(value: nil, isExplicitNil: false)).count)
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
        #expect(try BinaryCodec().encodePayload(Data([0, 1, 2, 255])) == [0x00, 0x08, 0x04, 0x00, 0x01, 0x02, 0xFF])
    }

    @Test func urls() throws {
        let urls = [
            URL(string: "https://example.com/a/b?c=d#e")!, URL(string: "file:///tmp/x%20y")!,
            URL(string: "relative/path")!,
        ]
        #expect(try roundTrip(urls) == urls)
    }

    @Test func arraysAndDictionaries() throws {
        #expect(try roundTrip([1, 2, 3]) == [1, 2, 3])
        #expect(try roundTrip([String]()) == [])
        #expect(try roundTrip(["a": [1.5], "": [], "ключ": [-2]]) == ["a": [1.5], "": [], "ключ": [-2]])
        #expect(try roundTrip([[String: Bool]]([["x": true], [:]])) == [["x": true], [:]])
        #expect(try roundTrip([1: "one", -2: "minus two", Int.max: "max"]) == [1: "one", -2: "minus two", Int.max: "max"])
        #expect(try roundTrip([Color.red: 1, .green: 2]) == [Color.red: 1, .green: 2])
        #expect(try roundTrip([[1, 2], [], [3]]) == [[1, 2], [], [3]])
        #expect(try roundTrip(Set(["x", "y"])) == Set(["x", "y"]))
    }

    @Test func nestedStructsAndArraysOfStructs() throws {
        #expect(try roundTrip(sampleOrder) == sampleOrder)
        let many = (0..<500).map { LineItem(sku: "SKU-\($0)", quantity: UInt64($0), price: Double($0) / 4) }
        #expect(try roundTrip(many) == many)
    }

    @Test func fieldNamesAreWrittenOncePerPayload() throws {
        let lines = (0..<100).map { LineItem(sku: "S\($0)", quantity: 1, price: 1) }
        let payload = try BinaryCodec().encodePayload(lines)
        let text = String(decoding: payload, as: UTF8.self)
        #expect(text.components(separatedBy: "quantity").count == 2)
    }

    @Test func enumsAndRawValues() throws {
        #expect(try roundTrip([Color.red, .green]) == [.red, .green])
        #expect {
            try BinaryCodec().decodePayload(Color.self, from: BinaryCodec().encodePayload("blue"))
        } throws: { error in
            guard case .decodingFailed(let path, let reason) = error as? BinaryCodecError else { return false }
            return path == "the top level" && reason.contains("blue")
        }
    }

    @Test func superEncoderAndSharedContainers() throws {
        let animals: [Animal] = [Dog(name: "Rex", goodBoy: true), Cat(name: "Tom", lives: 9)]
        #expect(try roundTrip(animals[0] as! Dog) == animals[0])
        #expect(try roundTrip(animals[1] as! Cat) == animals[1])
    }

    @Test func writesToAContainerAfterItsParentMovedOn() throws {
        let value = OutOfOrderWriter(first: 1, second: 2, outer: "o")
        #expect(try roundTrip(value) == value)
    }

    @Test func nestingUpToTheLimit() throws {
        let deepest = Nest(depth: BinaryCodec.maximumNestingDepth - 1)
        #expect(try roundTrip(deepest) == deepest)
        #expect(throws: BinaryCodecError.nestingTooDeep(offset: -1)) {
            try BinaryCodec().encodePayload(Nest(depth: BinaryCodec.maximumNestingDepth))
        }
    }

    @Test func valuesThatEncodeNothingOrTooMuch() throws {
        struct Nothing: Encodable {
            func encode(to encoder: any Encoder) throws {}
        }
        struct Twice: Encodable {
            func encode(to encoder: any Encoder) throws {
                var container = encoder.singleValueContainer()
                try container.encode(1)
                try container.encode(2)
            }
        }
        struct Failing: Encodable {
            func encode(to encoder: any Encoder) throws {
                throw EncodingError.invalidValue(1, .init(codingPath: [], debugDescription: "no"))
            }
        }
        #expect(throws: BinaryCodecError.encodingFailed(codingPath: "the top level", reason: "the value encoded nothing")) {
            try BinaryCodec().encodePayload(Nothing())
        }
        // Nested, a value that writes nothing is an empty object, as with JSONEncoder.
        #expect(try BinaryCodec().encodePayload([Nothing()]) == [0x00, 0x0B, 0x01, 0x03, 0x0C, 0x00, 0x00])
        #expect(throws: BinaryCodecError.self) { try BinaryCodec().encodePayload(Twice()) }
        #expect(throws: BinaryCodecError.encodingFailed(codingPath: "the top level", reason: "no")) {
            try BinaryCodec().encodePayload(Failing())
        }
    }

    @Test func typeMismatchesNameThePath() throws {
        let codec = BinaryCodec()
        struct WrongLine: Decodable { var sku: Int }
        struct WrongOrder: Decodable { var lines: [WrongLine] }
        #expect(throws: BinaryCodecError.typeMismatch(expected: "Int", found: "a string", codingPath: "lines[0].sku")) {
            try codec.decodePayload(WrongOrder.self, from: codec.encodePayload(sampleOrder))
        }
        struct Missing: Decodable { var absent: String }
        #expect(throws: BinaryCodecError.keyNotFound(key: "absent", codingPath: "the top level")) {
            try codec.decodePayload(Missing.self, from: codec.encodePayload(sampleOrder))
        }
        #expect(throws: BinaryCodecError.typeMismatch(expected: "an object", found: "an array", codingPath: "the top level")) {
            try codec.decodePayload(Address.self, from: codec.encodePayload([1]))
        }
        #expect(throws: BinaryCodecError.typeMismatch(expected: "String", found: "nil", codingPath: "zip")) {
            struct NilZip: Encodable {
                enum CodingKeys: CodingKey { case zip }
                func encode(to encoder: any Encoder) throws {
                    var container = encoder.container(keyedBy: CodingKeys.self)
                    try container.encodeNil(forKey: .zip)
                }
            }
            struct Strict: Decodable { var zip: String }
            _ = try codec.decodePayload(Strict.self, from: codec.encodePayload(NilZip()))
        }
    }

    @Test func keysDecodeInAnyOrder() throws {
        struct Reordered: Decodable, Equatable {
            var price: Double
            var sku: String
            var quantity: UInt64
            init(from decoder: any Decoder) throws {
                let container = try decoder.container(keyedBy: CodingKeys.self)
                quantity = try container.decode(UInt64.self, forKey: .quantity)
                price = try container.decode(Double.self, forKey: .price)
                sku = try container.decode(String.self, forKey: .sku)
            }
            enum CodingKeys: CodingKey { case price, sku, quantity }
        }
        let line = LineItem(sku: "x", quantity: 3, price: 2.5)
        let decoded = try BinaryCodec().decodePayload(Reordered.self, from: BinaryCodec().encodePayload(line))
        #expect(decoded.price == 2.5 && decoded.sku == "x" && decoded.quantity == 3)
    }

    @Test func unkeyedContainersDoNotConsumeAMismatch() throws {
        struct Tolerant: Decodable {
            var values: [String] = []
            init(from decoder: any Decoder) throws {
                var container = try decoder.unkeyedContainer()
                #expect(container.count == 3)
                while !container.isAtEnd {
                    if let number = try? container.decode(Int.self) {
                        values.append("#\(number)")
                    } else if try container.decodeNil() {
                        values.append("nil")
                    } else {
                        values.append(try container.decode(String.self))
                    }
                }
                #expect(throws: BinaryCodecError.endOfContainer(codingPath: "the top level")) {
                    try container.decode(Int.self)
                }
            }
        }
        let payload = try BinaryCodec().encodePayload(["a", nil, "b"] as [String?])
        #expect(try BinaryCodec().decodePayload(Tolerant.self, from: payload).values == ["a", "nil", "b"])
    }

    @Test func codingPathsAreReported() throws {
        struct PathProbe: Codable {
            var inner: [Inner]
            struct Inner: Codable {
                init() {}
                init(from decoder: any Decoder) throws {
                    #expect(decoder.codingPath.first?.stringValue == "inner")
                    #expect(decoder.codingPath.last?.intValue != nil)
                }
                func encode(to encoder: any Encoder) throws {
                    var container = encoder.unkeyedContainer()
                    try container.encode(encoder.codingPath.map(\.stringValue).joined(separator: "/"))
                }
            }
        }
        let payload = try BinaryCodec().encodePayload(PathProbe(inner: [.init(), .init()]))
        #expect(try BinaryCodec().decodePayload([String: [[String]]].self, from: payload) == ["inner": [["inner/Index 0"], ["inner/Index 1"]]])
        _ = try BinaryCodec().decodePayload(PathProbe.self, from: payload)
    }
}
