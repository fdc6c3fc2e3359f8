/// Reads the entries of one object by key. Keys are found by comparing names with the payload's
/// key table, starting after the entry found last, so decoding in the written order costs one
/// comparison per key; `decodeIfPresent` looks up once instead of three times.
struct PayloadKeyedDecodingContainer<Key: CodingKey>: KeyedDecodingContainerProtocol {
    let state: PayloadDecodingState
    /// The bytes of the entries.
    let content: Range<Int>
    let entryCount: Int
    /// The path of the object.
    let path: CodingPath

    var codingPath: [any CodingKey] { path.keys }

    var allKeys: [Key] {
        ((try? state.keys(inObject: content, count: entryCount)) ?? []).compactMap { Key(stringValue: $0) }
    }

    func contains(_ key: Key) -> Bool {
        ((try? state.find(key.stringValue, inObject: content, count: entryCount)) ?? nil) != nil
    }

    /// The offset of the value for `key`, which must be there.
    @inline(__always)
    private func offset(of key: some CodingKey) throws(BinaryCodecError) -> Int {
        guard let offset = try state.find(key.stringValue, inObject: content, count: entryCount) else {
            throw .keyNotFound(key: key.stringValue, codingPath: path.text)
        }
        return offset
    }

    func decodeNil(forKey key: Key) throws -> Bool {
        try state.decodeNil(at: offset(of: key))
    }

    func decode(_ type: Bool.Type, forKey key: Key) throws -> Bool {
        try state.decodeBool(at: offset(of: key), path: .key(key, path))
    }

    func decode(_ type: String.Type, forKey key: Key) throws -> String {
        try state.decodeString(at: offset(of: key), path: .key(key, path))
    }

    func decode(_ type: Double.Type, forKey key: Key) throws -> Double {
        try state.decodeDouble(at: offset(of: key), path: .key(key, path))
    }

    func decode(_ type: Float.Type, forKey key: Key) throws -> Float {
        try state.decodeFloat(at: offset(of: key), path: .key(key, path))
    }

    func decode(_ type: Int.Type, forKey key: Key) throws -> Int { try integer(key) }
    func decode(_ type: Int8.Type, forKey key: Key) throws -> Int8 { try integer(key) }
    func decode(_ type: Int16.Type, forKey key: Key) throws -> Int16 { try integer(key) }
    func decode(_ type: Int32.Type, forKey key: Key) throws -> Int32 { try integer(key) }
    func decode(_ type: Int64.Type, forKey key: Key) throws -> Int64 { try integer(key) }
    func decode(_ type: UInt.Type, forKey key: Key) throws -> UInt { try integer(key) }
    func decode(_ type: UInt8.Type, forKey key: Key) throws -> UInt8 { try integer(key) }
    func decode(_ type: UInt16.Type, forKey key: Key) throws -> UInt16 { try integer(key) }
    func decode(_ type: UInt32.Type, forKey key: Key) throws -> UInt32 { try integer(key) }
    func decode(_ type: UInt64.Type, forKey key: Key) throws -> UInt64 { try integer(key) }

    func decode<T: Decodable>(_ type: T.Type, forKey key: Key) throws -> T {
        try state.decode(T.self, at: offset(of: key), path: .key(key, path))
    }

    func decodeIfPresent<T: Decodable>(_ type: T.Type, forKey key: Key) throws -> T? {
        guard let offset = try presentOffset(of: key) else { return nil }
        return try state.decode(T.self, at: offset, path: .key(key, path))
    }

    func decodeIfPresent(_ type: Bool.Type, forKey key: Key) throws -> Bool? {
        guard let offset = try presentOffset(of: key) else { return nil }
        return try state.decodeBool(at: offset, path: .key(key, path))
    }

    func decodeIfPresent(_ type: String.Type, forKey key: Key) throws -> String? {
        guard let offset = try presentOffset(of: key) else { return nil }
        return try state.decodeString(at: offset, path: .key(key, path))
    }

    func decodeIfPresent(_ type: Double.Type, forKey key: Key) throws -> Double? {
        guard let offset = try presentOffset(of: key) else { return nil }
        return try state.decodeDouble(at: offset, path: .key(key, path))
    }

    func decodeIfPresent(_ type: Float.Type, forKey key: Key) throws -> Float? {
        guard let offset = try presentOffset(of: key) else { return nil }
        return try state.decodeFloat(at: offset, path: .key(key, path))
    }

    func decodeIfPresent(_ type: Int.Type, forKey key: Key) throws -> Int? { try integerIfPresent(key) }
    func decodeIfPresent(_ type: Int8.Type, forKey key: Key) throws -> Int8? { try integerIfPresent(key) }
    func decodeIfPresent(_ type: Int16.Type, forKey key: Key) throws -> Int16? { try integerIfPresent(key) }
    func decodeIfPresent(_ type: Int32.Type, forKey key: Key) throws -> Int32? { try integerIfPresent(key) }
    func decodeIfPresent(_ type: Int64.Type, forKey key: Key) throws -> Int64? { try integerIfPresent(key) }
    func decodeIfPresent(_ type: UInt.Type, forKey key: Key) throws -> UInt? { try integerIfPresent(key) }
    func decodeIfPresent(_ type: UInt8.Type, forKey key: Key) throws -> UInt8? { try integerIfPresent(key) }
    func decodeIfPresent(_ type: UInt16.Type, forKey key: Key) throws -> UInt16? { try integerIfPresent(key) }
    func decodeIfPresent(_ type: UInt32.Type, forKey key: Key) throws -> UInt32? { try integerIfPresent(key) }
    func decodeIfPresent(_ type: UInt64.Type, forKey key: Key) throws -> UInt64? { try integerIfPresent(key) }

    /// The offset of the value for `key` unless it is absent or nil: one lookup, where the
    /// default `decodeIfPresent` makes three (`contains`, `decodeNil`, `decode`).
    @inline(__always)
    private func presentOffset(of key: Key) throws(BinaryCodecError) -> Int? {
        guard let offset = try state.find(key.stringValue, inObject: content, count: entryCount),
            try !state.decodeNil(at: offset)
        else { return nil }
        return offset
    }

    @inline(__always)
    private func integerIfPresent<T: FixedWidthInteger>(_ key: Key) throws -> T? {
        guard let offset = try presentOffset(of: key) else { return nil }
        return try state.decodeInteger(T.self, at: offset, path: .key(key, path))
    }

    func nestedContainer<NestedKey: CodingKey>(keyedBy type: NestedKey.Type, forKey key: Key) throws
        -> KeyedDecodingContainer<NestedKey>
    {
        try decoder(for: key).container(keyedBy: type)
    }

    func nestedUnkeyedContainer(forKey key: Key) throws -> any UnkeyedDecodingContainer {
        try decoder(for: key).unkeyedContainer()
    }

    func superDecoder() throws -> any Decoder {
        try decoder(for: SuperCodingKey())
    }

    func superDecoder(forKey key: Key) throws -> any Decoder {
        try decoder(for: key)
    }

    /// A decoder of the value for `key`.
    private func decoder(for key: some CodingKey) throws(BinaryCodecError) -> PayloadValueDecoder {
        PayloadValueDecoder(state: state, offset: try offset(of: key), path: .key(key, path))
    }

    @inline(__always)
    private func integer<T: FixedWidthInteger>(_ key: Key) throws -> T {
        try state.decodeInteger(T.self, at: offset(of: key), path: .key(key, path))
    }
}
