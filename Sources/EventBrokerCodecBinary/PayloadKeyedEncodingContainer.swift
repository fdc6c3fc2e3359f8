/// Writes the entries of one object: each a key index into the payload's key table, then a value.
struct PayloadKeyedEncodingContainer<Key: CodingKey>: KeyedEncodingContainerProtocol {
    let state: PayloadEncodingState
    /// The object container written to.
    let container: Int
    /// The path of the object.
    let path: CodingPath
    /// The key index written last, which predicts the next one.
    private var previousKey = -1

    init(state: PayloadEncodingState, container: Int, path: CodingPath) {
        self.state = state
        self.container = container
        self.path = path
    }

    var codingPath: [any CodingKey] { path.keys }

    /// Starts the entry for `key`.
    @inline(__always)
    private mutating func begin(_ key: some CodingKey) {
        previousKey = state.beginEntry(in: container, key: key.stringValue, previousKey: previousKey)
    }

    mutating func encodeNil(forKey key: Key) throws {
        begin(key)
        state.writeNil()
    }

    mutating func encode(_ value: Bool, forKey key: Key) throws {
        begin(key)
        state.writeBool(value)
    }

    mutating func encode(_ value: String, forKey key: Key) throws {
        begin(key)
        state.writeString(value)
    }

    mutating func encode(_ value: Double, forKey key: Key) throws {
        begin(key)
        state.writeDouble(value)
    }

    mutating func encode(_ value: Float, forKey key: Key) throws {
        begin(key)
        state.writeFloat(value)
    }

    mutating func encode(_ value: Int, forKey key: Key) throws { encodeSigned(Int64(value), key) }
    mutating func encode(_ value: Int8, forKey key: Key) throws { encodeSigned(Int64(value), key) }
    mutating func encode(_ value: Int16, forKey key: Key) throws { encodeSigned(Int64(value), key) }
    mutating func encode(_ value: Int32, forKey key: Key) throws { encodeSigned(Int64(value), key) }
    mutating func encode(_ value: Int64, forKey key: Key) throws { encodeSigned(value, key) }
    mutating func encode(_ value: UInt, forKey key: Key) throws { encodeUnsigned(UInt64(value), key) }
    mutating func encode(_ value: UInt8, forKey key: Key) throws { encodeUnsigned(UInt64(value), key) }
    mutating func encode(_ value: UInt16, forKey key: Key) throws { encodeUnsigned(UInt64(value), key) }
    mutating func encode(_ value: UInt32, forKey key: Key) throws { encodeUnsigned(UInt64(value), key) }
    mutating func encode(_ value: UInt64, forKey key: Key) throws { encodeUnsigned(value, key) }

    mutating func encode<T: Encodable>(_ value: T, forKey key: Key) throws {
        begin(key)
        try state.encode(value, in: container, path: .key(key, path))
    }

    mutating func nestedContainer<NestedKey: CodingKey>(keyedBy keyType: NestedKey.Type, forKey key: Key)
        -> KeyedEncodingContainer<NestedKey>
    {
        begin(key)
        let object = state.addContainer(.object, in: container)
        return KeyedEncodingContainer(
            PayloadKeyedEncodingContainer<NestedKey>(state: state, container: object, path: .key(key, path)))
    }

    mutating func nestedUnkeyedContainer(forKey key: Key) -> any UnkeyedEncodingContainer {
        begin(key)
        let array = state.addContainer(.array, in: container)
        return PayloadUnkeyedEncodingContainer(state: state, container: array, path: .key(key, path))
    }

    mutating func superEncoder() -> any Encoder {
        superEncoder(as: SuperCodingKey())
    }

    mutating func superEncoder(forKey key: Key) -> any Encoder {
        superEncoder(as: key)
    }

    /// An encoder for a value stored under `key`, usable until the payload is finished.
    private mutating func superEncoder(as key: some CodingKey) -> any Encoder {
        begin(key)
        let slot = state.addContainer(.slot, in: container)
        return PayloadValueEncoder(state: state, target: slot, serial: 0, path: .key(key, path))
    }

    @inline(__always)
    private mutating func encodeSigned(_ value: Int64, _ key: Key) {
        begin(key)
        state.writeSigned(value)
    }

    @inline(__always)
    private mutating func encodeUnsigned(_ value: UInt64, _ key: Key) {
        begin(key)
        state.writeUnsigned(value)
    }
}
