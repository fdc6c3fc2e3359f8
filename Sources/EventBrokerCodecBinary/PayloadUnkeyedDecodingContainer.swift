/// Reads the elements of one array in order. A value that does not decode as the requested type
/// is not consumed, so the caller may try another type.
struct PayloadUnkeyedDecodingContainer: UnkeyedDecodingContainer {
    let state: PayloadDecodingState
    let elementCount: Int
    /// The offset of the next element.
    private(set) var offset: Int
    /// The path of the array.
    let path: CodingPath
    private(set) var currentIndex = 0

    init(state: PayloadDecodingState, elementCount: Int, offset: Int, path: CodingPath) {
        self.state = state
        self.elementCount = elementCount
        self.offset = offset
        self.path = path
    }

    var codingPath: [any CodingKey] { path.keys }
    var count: Int? { elementCount }
    var isAtEnd: Bool { currentIndex >= elementCount }

    /// The path of the next element.
    private var elementPath: CodingPath { .index(currentIndex, path) }

    /// The offset of the next element; throws at the end of the array.
    @inline(__always)
    private func next() throws(BinaryCodecError) -> Int {
        guard !isAtEnd else { throw .endOfContainer(codingPath: path.text) }
        return offset
    }

    /// Moves past the element just decoded.
    @inline(__always)
    private mutating func advance() throws(BinaryCodecError) {
        offset = try state.end(ofValueAt: offset)
        currentIndex += 1
    }

    mutating func decodeNil() throws -> Bool {
        guard try state.decodeNil(at: next()) else { return false }
        try advance()
        return true
    }

    mutating func decode(_ type: Bool.Type) throws -> Bool {
        let value = try state.decodeBool(at: next(), path: elementPath)
        try advance()
        return value
    }

    mutating func decode(_ type: String.Type) throws -> String {
        let value = try state.decodeString(at: next(), path: elementPath)
        try advance()
        return value
    }

    mutating func decode(_ type: Double.Type) throws -> Double {
        let value = try state.decodeDouble(at: next(), path: elementPath)
        try advance()
        return value
    }

    mutating func decode(_ type: Float.Type) throws -> Float {
        let value = try state.decodeFloat(at: next(), path: elementPath)
        try advance()
        return value
    }

    mutating func decode(_ type: Int.Type) throws -> Int { try integer() }
    mutating func decode(_ type: Int8.Type) throws -> Int8 { try integer() }
    mutating func decode(_ type: Int16.Type) throws -> Int16 { try integer() }
    mutating func decode(_ type: Int32.Type) throws -> Int32 { try integer() }
    mutating func decode(_ type: Int64.Type) throws -> Int64 { try integer() }
    mutating func decode(_ type: UInt.Type) throws -> UInt { try integer() }
    mutating func decode(_ type: UInt8.Type) throws -> UInt8 { try integer() }
    mutating func decode(_ type: UInt16.Type) throws -> UInt16 { try integer() }
    mutating func decode(_ type: UInt32.Type) throws -> UInt32 { try integer() }
    mutating func decode(_ type: UInt64.Type) throws -> UInt64 { try integer() }

    mutating func decode<T: Decodable>(_ type: T.Type) throws -> T {
        let value = try state.decode(T.self, at: next(), path: elementPath)
        try advance()
        return value
    }

    mutating func nestedContainer<NestedKey: CodingKey>(keyedBy type: NestedKey.Type) throws
        -> KeyedDecodingContainer<NestedKey>
    {
        let container = try elementDecoder().container(keyedBy: type)
        try advance()
        return container
    }

    mutating func nestedUnkeyedContainer() throws -> any UnkeyedDecodingContainer {
        let container = try elementDecoder().unkeyedContainer()
        try advance()
        return container
    }

    mutating func superDecoder() throws -> any Decoder {
        let decoder = try elementDecoder()
        try advance()
        return decoder
    }

    /// A decoder of the next element.
    private func elementDecoder() throws(BinaryCodecError) -> PayloadValueDecoder {
        PayloadValueDecoder(state: state, offset: try next(), path: elementPath)
    }

    @inline(__always)
    private mutating func integer<T: FixedWidthInteger>() throws -> T {
        let value = try state.decodeInteger(T.self, at: next(), path: elementPath)
        try advance()
        return value
    }
}
