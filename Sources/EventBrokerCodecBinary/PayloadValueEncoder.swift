/// The `Encoder` handed to a value's `encode(to:)`: it writes that one value, as a single value
/// or as the keyed or unkeyed container the value asks for, straight into the container whose
/// entry was begun for it, or into the slot of a `superEncoder()`. Three words, so that it fits
/// in an `any Encoder` without a heap box.
struct PayloadValueEncoder: Encoder, SingleValueEncodingContainer {
    let state: PayloadEncodingState
    /// The container the value goes into, and the serial number of the value (0 for a slot).
    private let target: UInt32
    private let serial: UInt32
    let path: CodingPath

    init(state: PayloadEncodingState, target: Int, serial: UInt32, path: CodingPath) {
        self.state = state
        self.target = UInt32(truncatingIfNeeded: target)
        self.serial = serial
        self.path = path
    }

    var codingPath: [any CodingKey] { path.keys }
    var userInfo: [CodingUserInfoKey: Any] { [:] }

    func container<Key: CodingKey>(keyedBy type: Key.Type) -> KeyedEncodingContainer<Key> {
        let object = valueContainer(.object)
        return KeyedEncodingContainer(PayloadKeyedEncodingContainer<Key>(state: state, container: object, path: path))
    }

    func unkeyedContainer() -> any UnkeyedEncodingContainer {
        let array = valueContainer(.array)
        return PayloadUnkeyedEncodingContainer(state: state, container: array, path: path)
    }

    func singleValueContainer() -> any SingleValueEncodingContainer {
        self
    }

    /// The keyed or unkeyed container of the value.
    private func valueContainer(_ kind: PayloadEncodingState.Container.Kind) -> Int {
        serial == 0
            ? state.valueContainer(of: Int(target), kind: kind, path: path)
            : state.directContainer(in: Int(target), serial: serial, kind: kind, path: path)
    }

    /// Starts the single value.
    @inline(__always)
    private func begin() throws(BinaryCodecError) {
        if serial == 0 {
            try state.beginSlotValue(Int(target), path: path)
        } else {
            try state.beginDirectValue(in: Int(target), serial: serial, path: path)
        }
    }

    // MARK: SingleValueEncodingContainer

    func encodeNil() throws {
        try begin()
        state.writeNil()
    }

    func encode(_ value: Bool) throws {
        try begin()
        state.writeBool(value)
    }

    func encode(_ value: String) throws {
        try begin()
        state.writeString(value)
    }

    func encode(_ value: Double) throws {
        try begin()
        state.writeDouble(value)
    }

    func encode(_ value: Float) throws {
        try begin()
        state.writeFloat(value)
    }

    func encode(_ value: Int) throws { try encodeSigned(Int64(value)) }
    func encode(_ value: Int8) throws { try encodeSigned(Int64(value)) }
    func encode(_ value: Int16) throws { try encodeSigned(Int64(value)) }
    func encode(_ value: Int32) throws { try encodeSigned(Int64(value)) }
    func encode(_ value: Int64) throws { try encodeSigned(value) }
    func encode(_ value: UInt) throws { try encodeUnsigned(UInt64(value)) }
    func encode(_ value: UInt8) throws { try encodeUnsigned(UInt64(value)) }
    func encode(_ value: UInt16) throws { try encodeUnsigned(UInt64(value)) }
    func encode(_ value: UInt32) throws { try encodeUnsigned(UInt64(value)) }
    func encode(_ value: UInt64) throws { try encodeUnsigned(value) }

    func encode<T: Encodable>(_ value: T) throws {
        try begin()
        try state.encode(value, in: Int(target), path: path)
    }

    private func encodeSigned(_ value: Int64) throws {
        try begin()
        state.writeSigned(value)
    }

    private func encodeUnsigned(_ value: UInt64) throws {
        try begin()
        state.writeUnsigned(value)
    }
}
