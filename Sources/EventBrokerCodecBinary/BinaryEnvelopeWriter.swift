import EventBrokerCore

/// Writes the binary form of an ``EventEnvelope``: tag, version, presence flags, id (16 bytes when
/// it is a canonical lowercase UUID), stream id, topic, optional message, optional payload, headers
/// sorted by the bytes of their names (a canonical `traceparent` taken out and written after them
/// as 25 bytes), and the publication time as a zigzag varint.
enum BinaryEnvelopeWriter {
    /// Encodes `envelope`; its payload is embedded as is, behind its length.
    static func encode(_ envelope: EventEnvelope) -> [UInt8] {
        // One pass over the headers finds a packable `traceparent` and sizes the output; the
        // dictionary is neither copied nor hashed.
        var traceContext: InlineArray<32, UInt8>?
        var size = 32 + envelope.id.utf8.count + envelope.streamId.utf8.count + envelope.topic.utf8.count
        size += (envelope.message?.utf8.count ?? 0) + (envelope.payload?.count ?? 0)
        for (name, value) in envelope.headers {
            if name == BinaryFormat.traceparentHeader, let packed = PackedHex.traceparent.pack(value) {
                traceContext = packed
                size += PackedHex.traceparent.byteCount
            } else {
                size += name.utf8.count + value.utf8.count + 4
            }
        }
        let uuid = PackedHex.uuid.pack(envelope.id)
        var flags: UInt8 = 0
        if envelope.message != nil { flags |= BinaryFormat.Flag.message }
        if envelope.payload != nil { flags |= BinaryFormat.Flag.payload }
        if uuid != nil { flags |= BinaryFormat.Flag.uuidIdentifier }
        if traceContext != nil { flags |= BinaryFormat.Flag.traceContext }

        var writer = ByteWriter()
        writer.bytes.reserveCapacity(size)
        writer.append(BinaryFormat.tag)
        writer.append(BinaryFormat.version)
        writer.append(flags)
        if let uuid {
            PackedHex.uuid.append(uuid, to: &writer)
        } else {
            writer.appendString(envelope.id)
        }
        writer.appendString(envelope.streamId)
        writer.appendString(envelope.topic)
        if let message = envelope.message { writer.appendString(message) }
        if let payload = envelope.payload { payload.withUnsafeBytes { writer.appendBytes($0) } }
        appendHeaders(envelope.headers, packed: traceContext != nil, to: &writer)
        if let traceContext { PackedHex.traceparent.append(traceContext, to: &writer) }
        writer.appendZigzag(envelope.publishedAtMilliseconds)
        return writer.bytes
    }

    /// Appends the count and the headers sorted by the bytes of their names, so that the same
    /// envelope always gives the same bytes; without `traceparent` when it is `packed`.
    private static func appendHeaders(_ headers: [String: String], packed: Bool, to writer: inout ByteWriter) {
        let count = headers.count - (packed ? 1 : 0)
        writer.appendVarint(UInt64(count))
        let isListed = { (name: String) in !packed || name != BinaryFormat.traceparentHeader }
        guard count > 1 else {
            // Nothing to sort.
            for (name, value) in headers where isListed(name) {
                writer.appendString(name)
                writer.appendString(value)
            }
            return
        }
        var sorted: [(name: String, value: String)] = []
        sorted.reserveCapacity(count)
        for (name, value) in headers where isListed(name) {
            sorted.append((name, value))
        }
        sorted.sort { $0.name.utf8.lexicographicallyPrecedes($1.name.utf8) }
        for (name, value) in sorted {
            writer.appendString(name)
            writer.appendString(value)
        }
    }
}
