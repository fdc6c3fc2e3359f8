/// The constants of binary format version 1, specified byte by byte in `docs/CODECS.md`.
enum BinaryFormat {
    /// The first byte of every binary envelope: `B`.
    static let tag: UInt8 = 0x42
    /// The format version written right after the tag.
    static let version: UInt8 = 1

    /// The header of the W3C trace context, packed when flag ``Flag/traceContext`` is set.
    static let traceparentHeader = "traceparent"

    /// The envelope's presence-flags byte: the third byte of every envelope.
    enum Flag {
        /// A `message` string follows the topic.
        static let message: UInt8 = 0x01
        /// A length-prefixed payload follows the message.
        static let payload: UInt8 = 0x02
        /// The id is a canonical lowercase UUID, stored as its 16 bytes instead of a string.
        static let uuidIdentifier: UInt8 = 0x04
        /// A W3C `traceparent` header of version `00` in lowercase follows the headers as its
        /// 25 bytes (trace id, parent id, flags) instead of being one of them.
        static let traceContext: UInt8 = 0x08
        /// Every bit this version defines; a reader refuses the others.
        static let all: UInt8 = 0x0F
    }
}

/// The first byte of every payload value, saying what follows. Most kinds have one tag byte;
/// short strings, small integers and decimal doubles carry their length, value or scale in it.
enum ValueTag: Equatable {
    /// `00`: `nil`; nothing follows.
    case null
    /// `01`: `false`; nothing follows.
    case falseValue
    /// `02`: `true`; nothing follows.
    case trueValue
    /// `03`: a signed integer: a zigzag varint.
    case signed
    /// `04`: an unsigned integer: a varint.
    case unsigned
    /// `05`: a `Float`: 4 bytes, IEEE 754 binary32, little-endian.
    case float32
    /// `06`: a `Double`: 8 bytes, IEEE 754 binary64, little-endian.
    case float64
    /// `07`: a string: a varint byte length, then that many bytes of UTF-8.
    case string
    /// `08`: `Data`: a varint byte length, then the raw bytes.
    case data
    /// `09`: a `Date`: its `timeIntervalSinceReferenceDate` as 8 bytes of binary64, little-endian.
    case date
    /// `0A`: a `URL`: its `absoluteString`, as a varint byte length and UTF-8.
    case url
    /// `0B`: an unkeyed container: a varint count, a varint byte length, then `count` values.
    case array
    /// `0C`: a keyed container: a varint count, a varint byte length, then `count` entries, each
    /// a varint index into the key table followed by a value.
    case object
    /// `10`–`18`: a `Double` that is `m / 10^scale` exactly: a zigzag varint `m`.
    case decimal(scale: Int)
    /// `20`–`3F`: a string of 0 to 31 bytes of UTF-8, its length in the tag.
    case shortString(length: Int)
    /// `40`–`7F`: an integer from 0 to 63, in the tag.
    case smallInteger(UInt8)

    /// The tag of the byte `byte`, or `nil` for a reserved byte.
    @inline(__always)
    init?(byte: UInt8) {
        switch byte {
        case 0x00: self = .null
        case 0x01: self = .falseValue
        case 0x02: self = .trueValue
        case 0x03: self = .signed
        case 0x04: self = .unsigned
        case 0x05: self = .float32
        case 0x06: self = .float64
        case 0x07: self = .string
        case 0x08: self = .data
        case 0x09: self = .date
        case 0x0A: self = .url
        case 0x0B: self = .array
        case 0x0C: self = .object
        case Self.decimalBase...Self.decimalBase + UInt8(Self.maximumDecimalScale):
            self = .decimal(scale: Int(byte - Self.decimalBase))
        case Self.shortStringBase..<Self.smallIntegerBase: self = .shortString(length: Int(byte - Self.shortStringBase))
        case Self.smallIntegerBase...0x7F: self = .smallInteger(byte - Self.smallIntegerBase)
        default: return nil
        }
    }

    /// The byte of the fixed tags.
    static let nullByte: UInt8 = 0x00
    static let falseByte: UInt8 = 0x01
    static let trueByte: UInt8 = 0x02
    static let signedByte: UInt8 = 0x03
    static let unsignedByte: UInt8 = 0x04
    static let float32Byte: UInt8 = 0x05
    static let float64Byte: UInt8 = 0x06
    static let stringByte: UInt8 = 0x07
    static let dataByte: UInt8 = 0x08
    static let dateByte: UInt8 = 0x09
    static let urlByte: UInt8 = 0x0A
    static let arrayByte: UInt8 = 0x0B
    static let objectByte: UInt8 = 0x0C
    /// The first byte of the ranges whose tags carry a number.
    static let decimalBase: UInt8 = 0x10
    static let shortStringBase: UInt8 = 0x20
    static let smallIntegerBase: UInt8 = 0x40
    /// The largest scale of a decimal `Double`: up to 8 digits after the point.
    static let maximumDecimalScale = 8
    /// The longest string whose length fits in its tag.
    static let maximumShortStringLength = 31
    /// The largest integer that fits in its tag.
    static let maximumSmallInteger: UInt64 = 63

    /// How error messages name a value of this kind.
    var noun: String {
        switch self {
        case .null: "nil"
        case .falseValue, .trueValue: "a Bool"
        case .signed, .unsigned, .smallInteger: "an integer"
        case .float32: "a Float"
        case .float64, .decimal: "a Double"
        case .string, .shortString: "a string"
        case .data: "Data"
        case .date: "a Date"
        case .url: "a URL"
        case .array: "an array"
        case .object: "an object"
        }
    }
}

/// Doubles written as a decimal integer `m` and a scale `k`, exactly `m / 10^k`: prices, rates
/// and amounts take 2 to 4 bytes instead of 9.
enum DecimalDouble {
    /// 10^0 … 10^8, each exact in binary64.
    static let powersOfTen: [Double] = [1, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8]

    /// `m` and `k` with `Double(m) / 10^k == value` bit for bit, `k` as small as possible and
    /// `|m| <= 2^53`; `nil` for values that have no such form (and for -0.0, NaN, infinities).
    @inline(__always)
    static func split(_ value: Double) -> (mantissa: Int64, scale: Int)? {
        guard value.isFinite, value != 0 || value.sign == .plus else { return nil }
        for scale in 0...ValueTag.maximumDecimalScale {
            let scaled = value * powersOfTen[scale]
            guard abs(scaled) <= 9_007_199_254_740_992 else { return nil }
            let mantissa = scaled.rounded()
            // Cheap filter first; the division proves that decoding gives back the same bits.
            if abs(scaled - mantissa) <= 1e-6 * max(1, abs(scaled)) && mantissa / powersOfTen[scale] == value {
                return (Int64(mantissa), scale)
            }
        }
        return nil
    }

    /// The value of a decimal `m / 10^k`.
    @inline(__always)
    static func value(mantissa: Int64, scale: Int) -> Double {
        Double(mantissa) / powersOfTen[scale]
    }
}
