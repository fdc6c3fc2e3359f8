import EventBrokerCore

/// Reads the binary form of an ``EventEnvelope`` written by ``BinaryEnvelopeWriter``. Every field
/// is checked; the payload is returned as bytes and checked only when a handler decodes it.
enum BinaryEnvelopeReader {
    /// Decodes `bytes` into an envelope, or throws the first problem found.
    static func decode(_ bytes: [UInt8]) throws(BinaryCodecError) -> EventEnvelope {
        var reader = ByteReader(bytes)
        let tag = try reader.readByte(expecting: "the codec tag")
        guard tag == BinaryFormat.tag else { throw .wrongCodecTag(tag) }
        let version = try reader.readByte(expecting: "the format version")
        guard version == BinaryFormat.version else { throw .unsupportedVersion(version) }
        let flags = try reader.readByte(expecting: "the flags byte")
        guard flags & ~BinaryFormat.Flag.all == 0 else { throw .unknownFlags(flags) }

        let id: String
        if flags & BinaryFormat.Flag.uuidIdentifier != 0 {
            let count = PackedHex.uuid.byteCount
            try reader.skip(count, expecting: "the \(count) bytes of the UUID id")
            id = PackedHex.uuid.unpack(bytes[reader.offset - count..<reader.offset])
        } else {
            id = try reader.readString()
        }
        let streamId = try reader.readString()
        let topic = try reader.readString()
        let message = flags & BinaryFormat.Flag.message != 0 ? try reader.readString() : nil
        let payload = flags & BinaryFormat.Flag.payload != 0 ? Array(bytes[try reader.readByteRange()]) : nil
        // Each header is at least two bytes: two empty strings.
        let headerCount = try reader.readCount(minimumSize: 2)
        // Sized once for every header, the packed `traceparent` included.
        let hasTraceContext = flags & BinaryFormat.Flag.traceContext != 0
        let totalHeaders = headerCount + (hasTraceContext ? 1 : 0)
        var headers = totalHeaders > 0 ? [String: String](minimumCapacity: totalHeaders) : [:]
        for _ in 0..<headerCount {
            let nameOffset = reader.offset
            let name = try reader.readString()
            guard headers.updateValue(try reader.readString(), forKey: name) == nil else {
                throw .duplicateKey(offset: nameOffset, key: name)
            }
        }
        if hasTraceContext {
            let count = PackedHex.traceparent.byteCount
            let offset = reader.offset
            try reader.skip(count, expecting: "the \(count) bytes of the traceparent")
            let traceparent = PackedHex.traceparent.unpack(bytes[offset..<reader.offset])
            guard headers.updateValue(traceparent, forKey: BinaryFormat.traceparentHeader) == nil else {
                throw .duplicateKey(offset: offset, key: BinaryFormat.traceparentHeader)
            }
        }
        let publishedAt = try reader.readZigzag()
        guard reader.isAtEnd else { throw .trailingBytes(offset: reader.offset) }
        return EventEnvelope(
            id: id, streamId: streamId, topic: topic, message: message, payload: payload, headers: headers,
            publishedAtMilliseconds: publishedAt)
    }
}
