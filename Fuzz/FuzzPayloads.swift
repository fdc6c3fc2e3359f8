import Foundation

/// The payload types the fuzz targets decode into: an order with every common field kind, and a
/// JSON-like tree that accepts any value shape. Both are equal when their numbers and dates have
/// the same bits: NaN is not equal to itself, yet must survive a round trip.
struct FuzzOrder: Codable, Equatable {
    struct Line: Codable, Equatable {
        var sku: String
        var quantity: Int
        var unitPrice: Double
        var discount: Double?
        var tags: [String]

        static func == (lhs: Line, rhs: Line) -> Bool {
            lhs.sku == rhs.sku && lhs.quantity == rhs.quantity && lhs.unitPrice.bitPattern == rhs.unitPrice.bitPattern
                && lhs.discount?.bitPattern == rhs.discount?.bitPattern && lhs.tags == rhs.tags
        }
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

    static func == (lhs: FuzzOrder, rhs: FuzzOrder) -> Bool {
        lhs.orderId == rhs.orderId && lhs.customerId == rhs.customerId && lhs.total.bitPattern == rhs.total.bitPattern
            && lhs.placedAt.timeIntervalSinceReferenceDate.bitPattern
                == rhs.placedAt.timeIntervalSinceReferenceDate.bitPattern
            && lhs.lines == rhs.lines && lhs.note == rhs.note && lhs.signature == rhs.signature
            && lhs.attributes == rhs.attributes && lhs.byPosition == rhs.byPosition
    }
}

/// Any value: decoded by trying each kind in turn.
indirect enum FuzzTree: Codable, Equatable {
    case null
    case bool(Bool)
    case integer(Int64)
    case unsigned(UInt64)
    case number(Double)
    case string(String)
    case data(Data)
    case array([FuzzTree])
    case object([String: FuzzTree])

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
            self = .number(value)
        } else if let value = try? container.decode(String.self) {
            self = .string(value)
        } else if let value = try? container.decode(Data.self) {
            self = .data(value)
        } else if let value = try? container.decode([FuzzTree].self) {
            self = .array(value)
        } else {
            self = .object(try container.decode([String: FuzzTree].self))
        }
    }

    static func == (lhs: FuzzTree, rhs: FuzzTree) -> Bool {
        switch (lhs, rhs) {
        case (.null, .null): true
        case (.bool(let left), .bool(let right)): left == right
        case (.integer(let left), .integer(let right)): left == right
        case (.unsigned(let left), .unsigned(let right)): left == right
        case (.number(let left), .number(let right)): left.bitPattern == right.bitPattern
        case (.string(let left), .string(let right)): left == right
        case (.data(let left), .data(let right)): left == right
        case (.array(let left), .array(let right)): left == right
        case (.object(let left), .object(let right)): left == right
        default: false
        }
    }

    func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        switch self {
        case .null: try container.encodeNil()
        case .bool(let value): try container.encode(value)
        case .integer(let value): try container.encode(value)
        case .unsigned(let value): try container.encode(value)
        case .number(let value): try container.encode(value)
        case .string(let value): try container.encode(value)
        case .data(let value): try container.encode(value)
        case .array(let value): try container.encode(value)
        case .object(let value): try container.encode(value)
        }
    }
}
