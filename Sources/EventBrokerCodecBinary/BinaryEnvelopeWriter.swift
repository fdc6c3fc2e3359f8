import EventBrokerCore

/// Writes the binary form of an ``EventEnvelope``: tag, version, presence flags, id (16 bytes when
/// it is a canonical lowercase UUID), stream id, topic, optional message, optional payload, headers
/// sorted by the bytes of their names (a canonical `traceparent` taken out and written after them
/// as 25 bytes), and the publication time as a zigzag varint.
enum BinaryEnvelopeWriter {
    /// Encodes `envelope`; its payload is embedded as is, behind its length.
    static func encode(_ envelope: EventEnvelope) -> [UInt8] {
        let uuid = PackedHex.uuid.pack(envelope.id)
        var headers = envelope.headers
        let traceContext = headers[BinaryFormat.traceparentHeader].flatMap(PackedHex.traceparent.pack)
        if traceContext != nil { headers[BinaryFormat.traceparentHeader] = nil }
        var flags: UInt8 = 0
        if envelope.message != nil { flags |= BinaryFormat.Flag.message }
        if envelope.payload != nil { flags |= BinaryFormat.Flag.payload }
        if uuid != nil { flags |= BinaryFormat.Flag.uuidIdentifier }
        if traceContext != nil { flags |= BinaryFormat.Flag.traceContext }

        var writer = ByteWriter()
        writer.bytes.reserveCapacity(estimatedSize(of: envelope))
        writer.append(BinaryFormat.tag)
        writer.append(BinaryFormat.version)
        writer.append(flags)
        if let uuid {
            writer.bytes.append(contentsOf: uuid)
        } else {
            writer.appendString(envelope.id)
        }
        writer.appendString(envelope.streamId)
        writer.appendString(envelope.topic)
        if let message = envelope.message { writer.appendString(message) }
        if let payload = envelope.payload { writer.appendBytes(payload) }
        writer.appendVarint(UInt64(headers.count))
        // Sorted, so that the same envelope always gives the same bytes.
        let sortedHeaders =
            headers.count > 1
            ? headers.sorted { $0.key.utf8.lexicographicallyPrecedes($1.key.utf8) }
            : Array(headers)
        for (name, value) in sortedHeaders {
            writer.appendString(name)
            writer.appendString(value)
        }
        if let traceContext { writer.bytes.append(contentsOf: traceContext) }
        writer.appendZigzag(envelope.publishedAtMilliseconds)
        return writer.bytes
    }

    /// The encoded size give or take a few varint bytes, to allocate the output once.
    private static func estimatedSize(of envelope: EventEnvelope) -> Int {
        var size = 32 + envelope.id.utf8.count + envelope.streamId.utf8.count + envelope.topic.utf8.count
        size += (envelope.message?.utf8.count ?? 0) + (envelope.payload?.count ?? 0)
        for (name, value) in envelope.headers {
            size += name.utf8.count + value.utf8.count + 4
        }
        return size
    }
}
