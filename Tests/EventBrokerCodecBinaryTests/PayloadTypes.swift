import Foundation

/// Payload types the binary codec's tests encode.
struct LineItem: Codable, Equatable {
    var sku: String
    var quantity: UInt64
    var price: Double
}

struct Address: Codable, Equatable {
    var street: String
    var zip: String?
}

struct Order: Codable, Equatable {
    var id: Int64
    var customer: String
    var note: String?
    var address: Address
    var lines: [LineItem]
    var tags: [String: Int]
    var byPosition: [Int: String]
    var placedAt: Date
    var signature: Data
    var paid: Bool
}

/// Writes `nil` explicitly where Codable would leave the key out, so "nil" and "absent" differ.
struct ExplicitNil: Codable, Equatable {
    var value: Int?
    var isExplicitNil: Bool

    enum CodingKeys: String, CodingKey { case value }

    init(value: Int?, isExplicitNil: Bool) {
        self.value = value
        self.isExplicitNil = isExplicitNil
    }

    init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        isExplicitNil = try container.contains(.value) && container.decodeNil(forKey: .value)
        value = try container.decodeIfPresent(Int.self, forKey: .value)
    }

    func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        if isExplicitNil {
            try container.encodeNil(forKey: .value)
        } else {
            try container.encodeIfPresent(value, forKey: .value)
        }
    }
}

/// A class hierarchy that uses `superEncoder()` and `superDecoder()`.
class Animal: Codable, Equatable {
    var name: String

    init(name: String) { self.name = name }

    static func == (lhs: Animal, rhs: Animal) -> Bool {
        lhs.name == rhs.name && type(of: lhs) == type(of: rhs) && lhs.isEqual(to: rhs)
    }

    func isEqual(to other: Animal) -> Bool { true }
}

final class Dog: Animal {
    var goodBoy: Bool

    init(name: String, goodBoy: Bool) {
        self.goodBoy = goodBoy
        super.init(name: name)
    }

    enum CodingKeys: String, CodingKey { case goodBoy }

    required init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        goodBoy = try container.decode(Bool.self, forKey: .goodBoy)
        try super.init(from: container.superDecoder())
    }

    override func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(goodBoy, forKey: .goodBoy)
        try super.encode(to: container.superEncoder())
    }

    override func isEqual(to other: Animal) -> Bool { (other as? Dog)?.goodBoy == goodBoy }
}

/// A subclass that shares its superclass's container instead of nesting it.
final class Cat: Animal {
    var lives: Int

    init(name: String, lives: Int) {
        self.lives = lives
        super.init(name: name)
    }

    enum CodingKeys: String, CodingKey { case lives }

    required init(from decoder: any Decoder) throws {
        lives = try decoder.container(keyedBy: CodingKeys.self).decode(Int.self, forKey: .lives)
        try super.init(from: decoder)
    }

    override func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(lives, forKey: .lives)
        try super.encode(to: encoder)
    }

    override func isEqual(to other: Animal) -> Bool { (other as? Cat)?.lives == lives }
}

/// Writes to a nested container after its parent moved on, which Codable allows.
struct OutOfOrderWriter: Codable, Equatable {
    var first: Int
    var second: Int
    var outer: String

    enum CodingKeys: String, CodingKey { case inner, outer }
    enum InnerKeys: String, CodingKey { case first, second }

    init(first: Int, second: Int, outer: String) {
        self.first = first
        self.second = second
        self.outer = outer
    }

    init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        let inner = try container.nestedContainer(keyedBy: InnerKeys.self, forKey: .inner)
        first = try inner.decode(Int.self, forKey: .first)
        second = try inner.decode(Int.self, forKey: .second)
        outer = try container.decode(String.self, forKey: .outer)
    }

    func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        var inner = container.nestedContainer(keyedBy: InnerKeys.self, forKey: .inner)
        try inner.encode(first, forKey: .first)
        try container.encode(outer, forKey: .outer)
        try inner.encode(second, forKey: .second)
    }
}

/// A recursive type, to nest as deep as a test wants.
indirect enum Nest: Codable, Equatable {
    case leaf
    case node([Nest])

    init(depth: Int) {
        self = .leaf
        for _ in 0..<depth {
            self = .node([self])
        }
    }

    init(from decoder: any Decoder) throws {
        var container = try decoder.unkeyedContainer()
        var children: [Nest] = []
        while !container.isAtEnd {
            children.append(try container.decode(Nest.self))
        }
        self = children.isEmpty ? .leaf : .node(children)
    }

    func encode(to encoder: any Encoder) throws {
        var container = encoder.unkeyedContainer()
        if case .node(let children) = self {
            for child in children {
                try container.encode(child)
            }
        }
    }
}

enum Color: String, Codable {
    case red, green
}
