/// Writes the values of one array, in order.
struct PayloadUnkeyedEncodingContainer: UnkeyedEncodingContainer {
    let state: PayloadEncodingState
    /// The array container written to.
    let container: Int
    /// The path of the array.
    let path: CodingPath

    var codingPath: [any CodingKey] { path.keys }
    var count: Int { state.containers[container].count }

    /// The path of the element written next.
    private var nextPath: CodingPath { .index(count, path) }

    mutating func encodeNil() throws {
        state.beginEntry(in: container)
        state.writeNil()
    }

    mutating func encode(_ value: Bool) throws {
        state.beginEntry(in: container)
        state.writeBool(value)
    }

    mutating func encode(_ value: String) throws {
        state.beginEntry(in: container)
        state.writeString(value)
    }

    mutating func encode(_ value: Double) throws {
        state.beginEntry(in: container)
        state.writeDouble(value)
    }

    mutating func encode(_ value: Float) throws {
        state.beginEntry(in: container)
        state.writeFloat(value)
    }

    mutating func encode(_ value: Int) throws { encodeSigned(Int64(value)) }
    mutating func encode(_ value: Int8) throws { encodeSigned(Int64(value)) }
    mutating func encode(_ value: Int16) throws { encodeSigned(Int64(value)) }
    mutating func encode(_ value: Int32) throws { encodeSigned(Int64(value)) }
    mutating func encode(_ value: Int64) throws { encodeSigned(value) }
    mutating func encode(_ value: UInt) throws { encodeUnsigned(UInt64(value)) }
    mutating func encode(_ value: UInt8) throws { encodeUnsigned(UInt64(value)) }
    mutating func encode(_ value: UInt16) throws { encodeUnsigned(UInt64(value)) }
    mutating func encode(_ value: UInt32) throws { encodeUnsigned(UInt64(value)) }
    mutating func encode(_ value: UInt64) throws { encodeUnsigned(value) }

    mutating func encode<T: Encodable>(_ value: T) throws {
        let index = count
        state.beginEntry(in: container)
        try state.encode(value, in: container, path: .index(index, path))
    }

    mutating func nestedContainer<NestedKey: CodingKey>(keyedBy keyType: NestedKey.Type)
        -> KeyedEncodingContainer<NestedKey>
    {
        let path = nextPath
        state.beginEntry(in: container)
        let object = state.addContainer(.object, in: container)
        return KeyedEncodingContainer(PayloadKeyedEncodingContainer<NestedKey>(state: state, container: object, path: path))
    }

    mutating func nestedUnkeyedContainer() -> any UnkeyedEncodingContainer {
        let path = nextPath
        state.beginEntry(in: container)
        let array = state.addContainer(.array, in: container)
        return PayloadUnkeyedEncodingContainer(state: state, container: array, path: path)
    }

    mutating func superEncoder() -> any Encoder {
        let path = nextPath
        state.beginEntry(in: container)
        let slot = state.addContainer(.slot, in: container)
        return PayloadValueEncoder(state: state, target: slot, serial: 0, path: path)
    }

    @inline(__always)
    private mutating func encodeSigned(_ value: Int64) {
        state.beginEntry(in: container)
        state.writeSigned(value)
    }

    @inline(__always)
    private mutating func encodeUnsigned(_ value: UInt64) {
        state.beginEntry(in: container)
        state.writeUnsigned(value)
    }
}
