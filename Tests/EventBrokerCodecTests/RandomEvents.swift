import EventBrokerTestSupport
import Foundation

/// A JSON-like value of any shape, decoded by trying each kind in turn, so that every codec must
/// keep the kinds apart (a string of digits stays a string, an integer stays an integer).
indirect enum Tree: Codable, Equatable {
    case null
    case bool(Bool)
    case integer(Int64)
    case number(Double)
    case string(String)
    case array([Tree])
    case object([String: Tree])

    init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        if container.decodeNil() {
            self = .null
        } else if let value = try? container.decode(Bool.self) {
            self = .bool(value)
        } else if let value = try? container.decode(Int64.self) {
            self = .integer(value)
        } else if let value = try? container.decode(Double.self) {
            self = .number(value)
        } else if let value = try? container.decode(String.self) {
            self = .string(value)
        } else if let value = try? container.decode([Tree].self) {
            self = .array(value)
        } else {
            self = .object(try container.decode([String: Tree].self))
        }
    }

    func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        switch self {
        case .null: try container.encodeNil()
        case .bool(let value): try container.encode(value)
        case .integer(let value): try container.encode(value)
        case .number(let value): try container.encode(value)
        case .string(let value): try container.encode(value)
        case .array(let value): try container.encode(value)
        case .object(let value): try container.encode(value)
        }
    }
}

/// A struct with a field of every kind Codable has.
struct Record: Codable, Equatable {
    struct Child: Codable, Equatable {
        var name: String
        var values: [Double]
        var flag: Bool?
    }

    enum Kind: String, Codable, CaseIterable {
        case created, paid, shipped
    }

    var int: Int
    var int8: Int8
    var uint64: UInt64
    var int64: Int64
    var double: Double
    var bool: Bool
    var string: String
    var digits: String
    var optional: String?
    var nestedOptional: Int??
    var date: Date
    var data: Data
    var tags: [String: Int]
    var byNumber: [Int: String]
    var children: [Child]
    var child: Child?
    var kind: Kind
}

/// The payload of a random event.
enum RandomPayload: Equatable {
    case tree(Tree)
    case record(Record)
}

/// Random events with strings from every Unicode plane, random headers and optional fields, and
/// random payloads: JSON-like trees or `Record`s.
struct RandomEvents {
    var generator: SeededGenerator

    /// The fields of an envelope, without its payload.
    struct Event {
        var id: String
        var streamId: String
        var topic: String
        var message: String?
        var headers: [String: String]
        var publishedAt: Int64
        var payload: RandomPayload?
    }

    mutating func event() -> Event {
        var headers: [String: String] = [:]
        for _ in 0..<Int.random(in: 0...4, using: &generator) {
            headers[string()] = string()
        }
        let payload: RandomPayload? =
            switch Int.random(in: 0..<3, using: &generator) {
            case 0: nil
            case 1: .tree(tree(depth: 0))
            default: .record(record())
            }
        return Event(
            id: Bool.random(using: &generator) ? UUID().uuidString.lowercased() : string(),
            streamId: string(), topic: string(), message: Bool.random(using: &generator) ? string() : nil,
            headers: headers, publishedAt: Int64.random(in: .min ... .max, using: &generator), payload: payload)
    }

    /// A string of up to 24 scalars from every plane, control characters, quotes and backslashes included.
    mutating func string() -> String {
        var scalars = String.UnicodeScalarView()
        for _ in 0..<Int.random(in: 0...24, using: &generator) {
            let range: ClosedRange<UInt32> =
                switch Int.random(in: 0..<5, using: &generator) {
                case 0: 0x00...0x1F
                case 1: 0x20...0x7F
                case 2: 0x80...0x7FF
                case 3: 0x800...0xFFFF
                default: 0x10000...0x10FFFF
                }
            // Only the surrogates D800-DFFF are no scalars; they are skipped.
            if let scalar = Unicode.Scalar(UInt32.random(in: range, using: &generator)) { scalars.append(scalar) }
        }
        return String(scalars)
    }

    /// A finite double with a fraction, so that no codec may read it as an integer.
    mutating func fraction() -> Double {
        while true {
            let value = Double(bitPattern: generator.next())
            if value.isFinite && value.rounded() != value { return value }
        }
    }

    mutating func tree(depth: Int) -> Tree {
        switch Int.random(in: 0..<(depth < 4 ? 9 : 6), using: &generator) {
        case 0: return .null
        case 1: return .bool(Bool.random(using: &generator))
        case 2: return .integer(Int64.random(in: .min ... .max, using: &generator))
        case 3: return .number(fraction())
        case 4: return .string(Bool.random(using: &generator) ? string() : String(Int.random(in: -99...999, using: &generator)))
        case 5: return .integer(Int64.random(in: -200...200, using: &generator))
        case 6, 7:
            return .array((0..<Int.random(in: 0...4, using: &generator)).map { _ in tree(depth: depth + 1) })
        default:
            var members: [String: Tree] = [:]
            for _ in 0..<Int.random(in: 0...4, using: &generator) {
                members[string()] = tree(depth: depth + 1)
            }
            return .object(members)
        }
    }

    mutating func record() -> Record {
        var tags: [String: Int] = [:]
        var byNumber: [Int: String] = [:]
        for _ in 0..<Int.random(in: 0...3, using: &generator) {
            tags[string()] = Int.random(in: .min ... .max, using: &generator)
            byNumber[Int.random(in: .min ... .max, using: &generator)] = string()
        }
        return Record(
            int: Int.random(in: .min ... .max, using: &generator),
            int8: Int8.random(in: .min ... .max, using: &generator),
            uint64: [UInt64.max, 0, UInt64.random(in: 0 ... .max, using: &generator)].randomElement(using: &generator)!,
            int64: [Int64.min, Int64.max, Int64.random(in: .min ... .max, using: &generator)].randomElement(
                using: &generator)!,
            double: fraction(), bool: Bool.random(using: &generator), string: string(),
            digits: String(UInt64.random(in: 0 ... .max, using: &generator)),
            optional: Bool.random(using: &generator) ? string() : nil,
            nestedOptional: Bool.random(using: &generator) ? .some(.some(Int.random(in: -5...5, using: &generator))) : .none,
            date: Date(timeIntervalSinceReferenceDate: Double.random(in: -1e10...1e10, using: &generator)),
            data: Data((0..<Int.random(in: 0...40, using: &generator)).map { _ in UInt8.random(in: 0...255, using: &generator) }),
            tags: tags, byNumber: byNumber,
            children: (0..<Int.random(in: 0...3, using: &generator)).map { _ in child() },
            child: Bool.random(using: &generator) ? child() : nil,
            kind: Record.Kind.allCases.randomElement(using: &generator)!)
    }

    mutating func child() -> Record.Child {
        Record.Child(
            name: string(), values: (0..<Int.random(in: 0...3, using: &generator)).map { _ in fraction() },
            flag: [true, false, nil].randomElement(using: &generator)!)
    }
}
