import Foundation

/// The working memory of one payload encoding: every byte the value writes, in the order the
/// `Encodable` code writes it, and the containers that own ranges of those bytes.
///
/// Codable lets a value write to a container after writing to one nested inside it, or keep a
/// `superEncoder()` and use it later, so bytes are not always written in their final order.
/// A nested value writes straight into its parent; only a `superEncoder()` gets a slot.
/// Each container therefore owns a chain of segments (a range of ``scratch`` followed by an
/// optional nested container); ``finish()`` writes the key table and then walks the containers,
/// prefixing each with its count and byte length. In the usual order of writes a container owns
/// one segment per nested container, and the output is one copy of the scratch bytes.
///
/// The stored properties skip the runtime exclusivity checks, which stood out in profiles: one
/// payload is encoded on one thread, and every access is a short read or mutation that calls no
/// code which could touch the same property while it lasts.
final class PayloadEncodingState {
    /// A container: the top-level slot, the slot of a `superEncoder()`, an array or an object.
    struct Container {
        /// What the container is.
        enum Kind {
            /// Holds exactly one value and adds no bytes of its own (the top level, a
            /// `superEncoder()`).
            case slot
            /// An unkeyed container.
            case array
            /// A keyed container.
            case object
        }

        let kind: Kind
        /// How many arrays and objects enclose this one, itself included.
        let depth: Int
        /// The values (array, slot) or entries (object) written.
        var count = 0
        /// For a slot, the container that is its value, if any.
        var value = -1
        /// For the container of a nested value written straight into its parent, the serial
        /// number of that value's encoder (0 otherwise).
        var owner: UInt32 = 0
        /// The first and last segment of the chain, -1 when none.
        var firstSegment = -1
        var lastSegment = -1
        /// The byte length of the content, computed by ``finish()``.
        var contentLength = 0
    }

    /// A range of ``scratch`` owned by a container, then optionally a nested container.
    struct Segment {
        var start: Int
        var end: Int
        var child = -1
        var next = -1
    }

    /// A key of the key table.
    struct Key {
        let name: String
        /// The index of the key that followed this one last time in an object, or -1.
        var successor = -1
    }

    /// The bytes of every scalar, key index and entry, in the order written.
    @exclusivity(unchecked) var scratch = ByteWriter()
    /// Every container; index 0 is the top-level slot. A nested container always has a higher
    /// index than its parent.
    @exclusivity(unchecked) private(set) var containers: [Container] = []
    @exclusivity(unchecked) private var segments: [Segment] = []
    /// The container whose last segment ends at the end of ``scratch`` and still grows, or -1.
    @exclusivity(unchecked) private var writer = -1
    /// Up to this many keys, a key's index is found by searching ``keys``; beyond, by hashing.
    private static let searchedKeyCount = 16
    /// The key table: every key name in the order first used, and, once it has more than
    /// ``searchedKeyCount`` keys, the index of each.
    @exclusivity(unchecked) private var keys: [Key] = []
    @exclusivity(unchecked) private var keyIndices: [String: Int] = [:]
    /// The ``KeyTable/lengthBit(of:)`` of every key in the table.
    @exclusivity(unchecked) private var keyLengths: UInt64 = 0
    /// The key that started an object last time. With ``Key/successor``, it predicts the next key:
    /// objects of one type write their keys in the same order, so this usually spares the search.
    @exclusivity(unchecked) private var firstKey = -1
    /// The serial number of the last nested value written straight into its parent, and of the
    /// last such value that wrote a single value.
    @exclusivity(unchecked) private var lastSerial: UInt32 = 0
    @exclusivity(unchecked) private var lastScalarSerial: UInt32 = 0
    /// A problem found where Codable gives no way to throw (`container(keyedBy:)`), thrown by
    /// the next encoding call and by ``finish()``.
    @exclusivity(unchecked) private(set) var failure: BinaryCodecError?

    init() {
        scratch.bytes.reserveCapacity(256)
        containers.reserveCapacity(8)
        containers.append(Container(kind: .slot, depth: 0))
        segments.reserveCapacity(16)
        keys.reserveCapacity(Self.searchedKeyCount)
    }

    // MARK: Writing

    /// Starts the next entry of `container`: for an object, writes the index of `key` first.
    /// `previousKey` is the index of the key written before in the same object (-1 for none);
    /// returns the index of `key`.
    @inline(__always)
    @discardableResult
    func beginEntry(in container: Int, key: String? = nil, previousKey: Int = -1) -> Int {
        if writer != container { switchWriter(to: container) }
        containers[container].count += 1
        guard let key else { return -1 }
        let index = keyIndex(of: key, after: previousKey)
        scratch.appendVarint(UInt64(index))
        return index
    }

    /// Starts the value of the slot `slot`, which must not hold one yet.
    func beginSlotValue(_ slot: Int, path: @autoclosure () -> CodingPath) throws(BinaryCodecError) {
        guard containers[slot].count == 0 else {
            throw .encodingFailed(
                codingPath: path().text, reason: "a single value container was asked to encode a second value")
        }
        beginEntry(in: slot)
    }

    /// The index of `key` in the key table, adding it when new.
    @inline(__always)
    private func keyIndex(of key: String, after previous: Int) -> Int {
        let predicted = previous >= 0 ? keys[previous].successor : firstKey
        if predicted >= 0 && keys[predicted].name == key { return predicted }
        let index: Int
        let lengthBit = KeyTable.lengthBit(of: key)
        let known =
            keys.count > Self.searchedKeyCount ? keyIndices[key]
            // A key of a new length is new; comparing the lengths first spares most slow
            // comparisons of different strings.
            : keyLengths & lengthBit == 0 ? nil
            : keys.firstIndex { $0.name.utf8.count == key.utf8.count && $0.name == key }
        if let known {
            index = known
        } else {
            index = keys.count
            keys.append(Key(name: key))
            keyLengths |= lengthBit
            if keys.count > Self.searchedKeyCount {
                // From here on a hash table beats searching the keys.
                if keyIndices.isEmpty {
                    for (known, entry) in keys.enumerated() {
                        keyIndices[entry.name] = known
                    }
                } else {
                    keyIndices[key] = index
                }
            }
        }
        if previous >= 0 {
            keys[previous].successor = index
        } else {
            firstKey = index
        }
        return index
    }

    /// Makes `container` the owner of the bytes appended next.
    private func switchWriter(to container: Int) {
        closeSegment()
        let segment = segments.count
        segments.append(Segment(start: scratch.bytes.count, end: scratch.bytes.count))
        if containers[container].lastSegment >= 0 {
            segments[containers[container].lastSegment].next = segment
        } else {
            containers[container].firstSegment = segment
        }
        containers[container].lastSegment = segment
        writer = container
    }

    /// Ends the growing segment at the current end of ``scratch``.
    private func closeSegment() {
        guard writer >= 0 else { return }
        segments[containers[writer].lastSegment].end = scratch.bytes.count
        writer = -1
    }

    /// Adds a container of `kind` as the value being written into `parent` (whose entry was begun)
    /// and returns it. Beyond the nesting limit, it records the failure and returns a container
    /// that belongs to nothing.
    func addContainer(_ kind: Container.Kind, in parent: Int) -> Int {
        let depth = containers[parent].depth + (kind == .slot ? 0 : 1)
        let index = containers.count
        containers.append(Container(kind: kind, depth: depth))
        guard depth <= BinaryCodec.maximumNestingDepth else {
            failure = failure ?? .nestingTooDeep(offset: -1)
            return index
        }
        if writer != parent { switchWriter(to: parent) }
        closeSegment()
        segments[containers[parent].lastSegment].child = index
        return index
    }

    /// The container of `kind` that is the value of `slot`: created on the first call, the same
    /// one on later calls (as a subclass and its superclass both ask the same encoder). Asking
    /// for another kind after a value was written is recorded as a failure.
    func valueContainer(of slot: Int, kind: Container.Kind, path: @autoclosure () -> CodingPath) -> Int {
        if containers[slot].count == 0 {
            beginEntry(in: slot)
            let container = addContainer(kind, in: slot)
            containers[slot].value = container
            return container
        }
        let existing = containers[slot].value
        if existing >= 0 && containers[existing].kind == kind { return existing }
        failure =
            failure
            ?? .encodingFailed(
                codingPath: path().text,
                reason: "a \(kind == .object ? "keyed" : "unkeyed") container was asked for after another value")
        // Writes to it go nowhere: ``finish()`` throws the failure.
        containers.append(Container(kind: kind, depth: containers[slot].depth + 1))
        return containers.count - 1
    }

    /// The container of `kind` that is the value of the nested value `serial`, whose entry in
    /// `parent` was begun: created on the first call, the same one on later calls. While the
    /// value encodes, nothing else writes to `parent`, so its newest child is that container.
    func directContainer(in parent: Int, serial: UInt32, kind: Container.Kind, path: @autoclosure () -> CodingPath)
        -> Int
    {
        let last = containers[parent].lastSegment
        if last >= 0, case let child = segments[last].child, child >= 0, containers[child].owner == serial {
            if containers[child].kind == kind { return child }
        } else if lastScalarSerial != serial {
            let container = addContainer(kind, in: parent)
            containers[container].owner = serial
            return container
        }
        failure =
            failure
            ?? .encodingFailed(
                codingPath: path().text,
                reason: "a \(kind == .object ? "keyed" : "unkeyed") container was asked for after another value")
        // Writes to it go nowhere: ``finish()`` throws the failure.
        containers.append(Container(kind: kind, depth: containers[parent].depth + 1))
        return containers.count - 1
    }

    /// Starts the single value of the nested value `serial`, whose entry in `parent` was begun.
    func beginDirectValue(in parent: Int, serial: UInt32, path: @autoclosure () -> CodingPath)
        throws(BinaryCodecError)
    {
        let last = containers[parent].lastSegment
        let hasContainer = last >= 0 && segments[last].child >= 0 && containers[segments[last].child].owner == serial
        guard lastScalarSerial != serial && !hasContainer else {
            throw .encodingFailed(
                codingPath: path().text, reason: "a single value container was asked to encode a second value")
        }
        lastScalarSerial = serial
        if writer != parent { switchWriter(to: parent) }
    }

    // MARK: Values

    /// Writes `value` as the entry begun in `container`: primitives, `Date`, `Data` and `URL`
    /// directly, anything else through its own `encode(to:)` straight into `container`. `path`
    /// is the path of the value. A nested value that writes nothing becomes an empty object, as
    /// with JSONEncoder; at the top level it is an error.
    func encode<T: Encodable>(_ value: T, in container: Int, path: @autoclosure () -> CodingPath) throws {
        if let failure { throw failure }
        if T.self == String.self {
            writeString(value as! String)
        } else if T.self == Int.self {
            writeSigned(Int64(value as! Int))
        } else if T.self == Double.self {
            writeDouble(value as! Double)
        } else if T.self == Bool.self {
            writeBool(value as! Bool)
        } else if T.self == Int64.self {
            writeSigned(value as! Int64)
        } else if T.self == UInt64.self {
            writeUnsigned(value as! UInt64)
        } else if T.self == Date.self {
            scratch.append(ValueTag.dateByte)
            scratch.appendFixed64((value as! Date).timeIntervalSinceReferenceDate.bitPattern)
        } else if T.self == Data.self {
            scratch.append(ValueTag.dataByte)
            (value as! Data).withUnsafeBytes { scratch.appendBytes($0) }
        } else if T.self == URL.self {
            scratch.append(ValueTag.urlByte)
            scratch.appendString((value as! URL).absoluteString)
        } else {
            lastSerial &+= 1
            let (containerCount, byteCount) = (containers.count, scratch.bytes.count)
            try value.encode(to: PayloadValueEncoder(state: self, target: container, serial: lastSerial, path: path()))
            if let failure { throw failure }
            if containers.count == containerCount && scratch.bytes.count == byteCount {
                guard container != 0 else {
                    throw BinaryCodecError.encodingFailed(codingPath: CodingPath.root.text, reason: "the value encoded nothing")
                }
                if writer != container { switchWriter(to: container) }
                scratch.append(ValueTag.objectByte)
                scratch.append(0)
                scratch.append(0)
            }
        }
    }

    @inline(__always)
    func writeNil() {
        scratch.append(ValueTag.nullByte)
    }

    @inline(__always)
    func writeBool(_ value: Bool) {
        scratch.append(value ? ValueTag.trueByte : ValueTag.falseByte)
    }

    /// A signed integer: in the tag from 0 to 63, otherwise zigzag-encoded.
    @inline(__always)
    func writeSigned(_ value: Int64) {
        if value >= 0 && value <= ValueTag.maximumSmallInteger {
            scratch.append(ValueTag.smallIntegerBase + UInt8(value))
        } else {
            scratch.append(ValueTag.signedByte)
            scratch.appendZigzag(value)
        }
    }

    /// An unsigned integer: in the tag up to 63, otherwise a varint.
    @inline(__always)
    func writeUnsigned(_ value: UInt64) {
        if value <= ValueTag.maximumSmallInteger {
            scratch.append(ValueTag.smallIntegerBase + UInt8(value))
        } else {
            scratch.append(ValueTag.unsignedByte)
            scratch.appendVarint(value)
        }
    }

    @inline(__always)
    func writeFloat(_ value: Float) {
        scratch.append(ValueTag.float32Byte)
        scratch.appendFixed32(value.bitPattern)
    }

    /// A double: as a decimal when one is exact, otherwise its 8 bytes.
    @inline(__always)
    func writeDouble(_ value: Double) {
        if let (mantissa, scale) = DecimalDouble.split(value) {
            scratch.append(ValueTag.decimalBase + UInt8(scale))
            scratch.appendZigzag(mantissa)
        } else {
            scratch.append(ValueTag.float64Byte)
            scratch.appendFixed64(value.bitPattern)
        }
    }

    /// A string: up to 31 bytes with the length in the tag, longer ones behind a varint length.
    @inline(__always)
    func writeString(_ value: String) {
        var value = value
        value.withUTF8 { utf8 in
            if utf8.count <= ValueTag.maximumShortStringLength {
                scratch.append(ValueTag.shortStringBase + UInt8(utf8.count))
            } else {
                scratch.append(ValueTag.stringByte)
                scratch.appendVarint(UInt64(utf8.count))
            }
            scratch.bytes.append(contentsOf: utf8)
        }
    }

    // MARK: Finishing

    /// The payload: the key table, then the top-level value with every container in place.
    func finish() throws(BinaryCodecError) -> [UInt8] {
        closeSegment()
        if let failure { throw failure }
        guard containers[0].count == 1 else {
            throw .encodingFailed(codingPath: CodingPath.root.text, reason: "the value encoded nothing")
        }
        // Children come after their parents, so one backward pass sizes every container.
        for index in containers.indices.reversed() {
            var length = 0
            var segment = containers[index].firstSegment
            while segment >= 0 {
                length += segments[segment].end - segments[segment].start
                if segments[segment].child >= 0 { length += encodedSize(of: segments[segment].child) }
                segment = segments[segment].next
            }
            containers[index].contentLength = length
        }
        var output = ByteWriter()
        var tableSize = ByteWriter.varintSize(UInt64(keys.count))
        for key in keys {
            tableSize += ByteWriter.varintSize(UInt64(key.name.utf8.count)) + key.name.utf8.count
        }
        output.bytes.reserveCapacity(tableSize + encodedSize(of: 0))
        output.appendVarint(UInt64(keys.count))
        for key in keys {
            output.appendString(key.name)
        }
        write(0, into: &output)
        return output.bytes
    }

    /// The bytes `container` takes in the output, header included.
    private func encodedSize(of container: Int) -> Int {
        let record = containers[container]
        switch record.kind {
        case .slot:
            // A nested slot nobody wrote to becomes an empty object, as with JSONEncoder.
            return record.count == 0 ? 3 : record.contentLength
        case .array, .object:
            return 1 + ByteWriter.varintSize(UInt64(record.count))
                + ByteWriter.varintSize(UInt64(record.contentLength)) + record.contentLength
        }
    }

    /// Appends `container` with its header and everything nested in it.
    private func write(_ container: Int, into output: inout ByteWriter) {
        let record = containers[container]
        switch record.kind {
        case .slot where record.count == 0:
            output.append(ValueTag.objectByte)
            output.append(0)
            output.append(0)
            return
        case .slot:
            break
        case .array, .object:
            output.append(record.kind == .array ? ValueTag.arrayByte : ValueTag.objectByte)
            output.appendVarint(UInt64(record.count))
            output.appendVarint(UInt64(record.contentLength))
        }
        var segment = record.firstSegment
        while segment >= 0 {
            let current = segments[segment]
            output.bytes.append(contentsOf: scratch.bytes[current.start..<current.end])
            if current.child >= 0 { write(current.child, into: &output) }
            segment = current.next
        }
    }
}
