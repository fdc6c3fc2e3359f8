/// Any JSON value, as `publish --payload` reads it and `tail` prints a payload.
///
/// It is `Codable` in any format, so a payload given as JSON on the command line goes through
/// either codec: the JSON codec writes it back as the same JSON, the binary codec as the values
/// a matching `Codable` struct reads (whole numbers as integers, numbers with a fraction or an
/// exponent as `Double`s). Objects are written with their keys sorted.
enum JSONValue: Sendable, Hashable {
    /// `null`.
    case null
    /// `true` or `false`.
    case bool(Bool)
    /// A number written without a fraction or an exponent that fits in 64 bits.
    case integer(Int64)
    /// Any other number.
    case number(Double)
    /// A string.
    case string(String)
    /// An array.
    case array([JSONValue])
    /// An object; a key occurs once.
    case object([String: JSONValue])
}

extension JSONValue: Codable {
    /// A key of an object, any string.
    private struct Key: CodingKey {
        let stringValue: String
        var intValue: Int? { nil }

        init(stringValue: String) {
            self.stringValue = stringValue
        }

        init?(intValue: Int) {
            return nil
        }
    }

    /// Reads whatever value the decoder holds, trying the scalar kinds first (integers before
    /// doubles, so that a whole number stays an integer), then arrays, then objects.
    init(from decoder: any Decoder) throws {
        if let scalar = Self.scalar(from: decoder) {
            self = scalar
        } else if var elements = try? decoder.unkeyedContainer() {
            var array: [JSONValue] = []
            while !elements.isAtEnd {
                array.append(try elements.decode(JSONValue.self))
            }
            self = .array(array)
        } else {
            let members = try decoder.container(keyedBy: Key.self)
            var object: [String: JSONValue] = [:]
            for key in members.allKeys {
                object[key.stringValue] = try members.decode(JSONValue.self, forKey: key)
            }
            self = .object(object)
        }
    }

    /// The decoder's value when it is null, a Boolean, a number or a string.
    private static func scalar(from decoder: any Decoder) -> JSONValue? {
        guard let value = try? decoder.singleValueContainer() else { return nil }
        if value.decodeNil() { return .null }
        if let bool = try? value.decode(Bool.self) { return .bool(bool) }
        if let integer = try? value.decode(Int64.self) { return .integer(integer) }
        if let number = try? value.decode(Double.self) { return .number(number) }
        if let string = try? value.decode(String.self) { return .string(string) }
        return nil
    }

    func encode(to encoder: any Encoder) throws {
        switch self {
        case .array(let elements):
            var container = encoder.unkeyedContainer()
            for element in elements {
                try container.encode(element)
            }
        case .object(let members):
            var container = encoder.container(keyedBy: Key.self)
            for (key, value) in members.sorted(by: { $0.key < $1.key }) {
                try container.encode(value, forKey: Key(stringValue: key))
            }
        case .null:
            var container = encoder.singleValueContainer()
            try container.encodeNil()
        case .bool(let bool):
            var container = encoder.singleValueContainer()
            try container.encode(bool)
        case .integer(let integer):
            var container = encoder.singleValueContainer()
            try container.encode(integer)
        case .number(let number):
            var container = encoder.singleValueContainer()
            try container.encode(number)
        case .string(let string):
            var container = encoder.singleValueContainer()
            try container.encode(string)
        }
    }
}
