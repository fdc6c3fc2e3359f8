/// The `Decoder` handed to a type's `init(from:)`: it reads the one value at `offset`, as a
/// single value or as the keyed or unkeyed container the type asks for.
struct PayloadValueDecoder: Decoder, SingleValueDecodingContainer {
    let state: PayloadDecodingState
    /// The offset of the value's tag.
    let offset: Int
    let path: CodingPath

    var codingPath: [any CodingKey] { path.keys }
    var userInfo: [CodingUserInfoKey: Any] { [:] }

    func container<Key: CodingKey>(keyedBy type: Key.Type) throws -> KeyedDecodingContainer<Key> {
        let (count, content) = try state.container(at: offset, isObject: true, path: path)
        return KeyedDecodingContainer(
            PayloadKeyedDecodingContainer<Key>(
                state: state, content: content, entryCount: count, path: path))
    }

    func unkeyedContainer() throws -> any UnkeyedDecodingContainer {
        let (count, content) = try state.container(at: offset, isObject: false, path: path)
        return PayloadUnkeyedDecodingContainer(
            state: state, elementCount: count, offset: content.lowerBound, path: path)
    }

    func singleValueContainer() -> any SingleValueDecodingContainer {
        self
    }

    // MARK: SingleValueDecodingContainer

    func decodeNil() -> Bool {
        (try? state.decodeNil(at: offset)) ?? false
    }

    func decode(_ type: Bool.Type) throws -> Bool { try state.decodeBool(at: offset, path: path) }
    func decode(_ type: String.Type) throws -> String { try state.decodeString(at: offset, path: path) }
    func decode(_ type: Double.Type) throws -> Double { try state.decodeDouble(at: offset, path: path) }
    func decode(_ type: Float.Type) throws -> Float { try state.decodeFloat(at: offset, path: path) }
    func decode(_ type: Int.Type) throws -> Int { try integer() }
    func decode(_ type: Int8.Type) throws -> Int8 { try integer() }
    func decode(_ type: Int16.Type) throws -> Int16 { try integer() }
    func decode(_ type: Int32.Type) throws -> Int32 { try integer() }
    func decode(_ type: Int64.Type) throws -> Int64 { try integer() }
    func decode(_ type: UInt.Type) throws -> UInt { try integer() }
    func decode(_ type: UInt8.Type) throws -> UInt8 { try integer() }
    func decode(_ type: UInt16.Type) throws -> UInt16 { try integer() }
    func decode(_ type: UInt32.Type) throws -> UInt32 { try integer() }
    func decode(_ type: UInt64.Type) throws -> UInt64 { try integer() }

    func decode<T: Decodable>(_ type: T.Type) throws -> T {
        try state.decode(T.self, at: offset, path: path)
    }

    @inline(__always)
    private func integer<T: FixedWidthInteger>() throws -> T {
        try state.decodeInteger(T.self, at: offset, path: path)
    }
}
