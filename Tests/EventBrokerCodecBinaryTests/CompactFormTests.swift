import EventBrokerCodecBinary
import EventBrokerTestSupport
import Foundation
import Testing

/// The payload bytes of `value` after the empty key table (`00`).
private func valueBytes(_ value: some Encodable) throws -> [UInt8] {
    let payload = try BinaryCodec().encodePayload(value)
    #expect(payload.first == 0x00)
    return Array(payload.dropFirst())
}

private func roundTrip<T: Codable>(_ value: T) throws -> T {
    try BinaryCodec().decodePayload(T.self, from: BinaryCodec().encodePayload(value))
}

@Suite("Binary payloads: compact forms")
struct CompactFormTests {
    @Test func smallIntegersLiveInTheTag() throws {
        #expect(try valueBytes(0) == [0x40])
        #expect(try valueBytes(63) == [0x7F])
        #expect(try valueBytes(64) == [0x03, 0x80, 0x01])
        #expect(try valueBytes(-1) == [0x03, 0x01])
        #expect(try valueBytes(UInt8(63)) == [0x7F])
        #expect(try valueBytes(UInt64(64)) == [0x04, 0x40])
        for value in [0, 1, 62, 63, 64, 65, -1, -64, 127, 128, Int.max, Int.min] {
            #expect(try roundTrip(value) == value)
        }
        #expect(try BinaryCodec().decodePayload(Int8.self, from: [0x00, 0x7F]) == 63)
    }

    @Test func shortStringsCarryTheirLengthInTheTag() throws {
        #expect(try valueBytes("") == [0x20])
        #expect(try valueBytes("abc") == [0x23, 0x61, 0x62, 0x63])
        let longest = String(repeating: "x", count: 31)
        #expect(try valueBytes(longest) == [0x3F] + Array(longest.utf8))
        let longer = String(repeating: "x", count: 32)
        #expect(try valueBytes(longer) == [0x07, 0x20] + Array(longer.utf8))
        // The limit counts UTF-8 bytes, not characters: 11 × "日" is 33 bytes.
        let wide = String(repeating: "日", count: 11)
        #expect(try valueBytes(wide).first == 0x07)
        for value in ["", "a", longest, longer, wide, "🎉"] {
            #expect(try roundTrip(value) == value)
        }
    }

    @Test func decimalDoublesAreShortAndExact() throws {
        #expect(try valueBytes(0.0) == [0x10, 0x00])
        #expect(try valueBytes(2.0) == [0x10, 0x04])
        #expect(try valueBytes(9.5) == [0x11, 0xBE, 0x01])
        #expect(try valueBytes(-0.01) == [0x12, 0x01])
        #expect(try valueBytes(0.12345678) == [0x18, 0x9C, 0x85, 0xE3, 0x0B])
        // Not decimal within 8 places, negative zero, and non-finite values keep their 8 bytes.
        for value in [0.123456789, 1.0 / 3.0, -0.0, .infinity, .nan, 1e300, 1e17] {
            #expect(try valueBytes(value).first == 0x06, "\(value)")
        }
        var generator = SeededGenerator(seed: 53)
        for _ in 0..<10_000 {
            let cents = Double(Int.random(in: -10_000_000...10_000_000, using: &generator)) / 100
            let decoded = try roundTrip(cents)
            #expect(decoded.bitPattern == cents.bitPattern)
            #expect(try valueBytes(cents).first.map { (0x10...0x12).contains($0) } == true)
            let any = Double(bitPattern: UInt64.random(in: 0 ... .max, using: &generator))
            #expect(try roundTrip(any).bitPattern == any.bitPattern || any.isNaN)
        }
    }

    @Test func decimalsDecodeAsFloatWhenExact() throws {
        #expect(try BinaryCodec().decodePayload(Float.self, from: BinaryCodec().encodePayload(9.5)) == 9.5)
        #expect(throws: BinaryCodecError.self) {
            try BinaryCodec().decodePayload(Float.self, from: BinaryCodec().encodePayload(0.1))
        }
    }

    @Test func everyVectorDecodesAsAnyValueAndBack() throws {
        for hex in [
            TestVectors.lineItemHex, TestVectors.cartHex, TestVectors.scalarsHex, TestVectors.intKeysHex,
            TestVectors.digitsHex,
        ] {
            let value = try BinaryCodec().decodePayload(AnyValue.self, from: Hex.bytes(hex))
            #expect(try BinaryCodec().decodePayload(AnyValue.self, from: BinaryCodec().encodePayload(value)) == value)
        }
    }
}

/// Any payload value, decoded by trying each kind in turn; doubles compare by their bits.
indirect enum AnyValue: Codable, Equatable {
    case null
    case bool(Bool)
    case integer(Int64)
    case unsigned(UInt64)
    case number(UInt64)
    case string(String)
    case data(Data)
    case date(Date)
    case url(URL)
    case array([AnyValue])
    case object([String: AnyValue])

    init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        if container.decodeNil() {
            self = .null
        } else if let value = try? container.decode(Bool.self) {
            self = .bool(value)
        } else if let value = try? container.decode(Int64.self) {
            self = .integer(value)
        } else if let value = try? container.decode(UInt64.self) {
            self = .unsigned(value)
        } else if let value = try? container.decode(Double.self) {
            self = .number(value.bitPattern)
        } else if let value = try? container.decode(String.self) {
            self = .string(value)
        } else if let value = try? container.decode(Data.self) {
            self = .data(value)
        } else if let value = try? container.decode(Date.self) {
            self = .date(value)
        } else if let value = try? container.decode(URL.self) {
            self = .url(value)
        } else if let value = try? container.decode([AnyValue].self) {
            self = .array(value)
        } else {
            self = .object(try container.decode([String: AnyValue].self))
        }
    }

    func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        switch self {
        case .null: try container.encodeNil()
        case .bool(let value): try container.encode(value)
        case .integer(let value): try container.encode(value)
        case .unsigned(let value): try container.encode(value)
        case .number(let bits): try container.encode(Double(bitPattern: bits))
        case .string(let value): try container.encode(value)
        case .data(let value): try container.encode(value)
        case .date(let value): try container.encode(value)
        case .url(let value): try container.encode(value)
        case .array(let value): try container.encode(value)
        case .object(let value): try container.encode(value)
        }
    }
}
