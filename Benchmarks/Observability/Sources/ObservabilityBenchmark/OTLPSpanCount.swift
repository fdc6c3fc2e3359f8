/// How many spans of each kind one OTLP export request carried, read straight from its protobuf
/// bytes (`ExportTraceServiceRequest` → `ResourceSpans` → `ScopeSpans` → `Span.kind`), so that the
/// benchmark can tell that every span reached the collector without a protobuf library.
struct OTLPSpanCount: Equatable, Sendable {
    /// Spans of kind `SPAN_KIND_PRODUCER` (4).
    var producer = 0
    /// Spans of kind `SPAN_KIND_CONSUMER` (5).
    var consumer = 0
    /// Spans of any other kind.
    var other = 0

    /// Why a request body is not an `ExportTraceServiceRequest`.
    struct MalformedRequest: Error, CustomStringConvertible {
        let description: String
    }

    /// No spans.
    init() {}

    /// The spans of the `ExportTraceServiceRequest` in `request`.
    init(request: [UInt8]) throws {
        try count(request[...], path: [1, 2, 2])
    }

    /// Adds `other`'s spans to these.
    static func += (count: inout OTLPSpanCount, other: OTLPSpanCount) {
        count.producer += other.producer
        count.consumer += other.consumer
        count.other += other.other
    }

    /// Descends into the length-delimited fields numbered `path[0]`, then `path[1]` in each of
    /// them, and so on; at the end of the path, `message` is a span.
    private mutating func count(_ message: ArraySlice<UInt8>, path: ArraySlice<Int>) throws {
        var reader = ProtobufReader(message)
        guard let number = path.first else {
            var kind: UInt64 = 0
            while let field = try reader.nextField() {
                if field.number == 6, field.wireType == 0 { kind = try reader.varint() } else { try reader.skip(field.wireType) }
            }
            switch kind {
            case 4: producer += 1
            case 5: consumer += 1
            default: other += 1
            }
            return
        }
        while let field = try reader.nextField() {
            if field.number == number, field.wireType == 2 {
                try count(try reader.lengthDelimited(), path: path.dropFirst())
            } else {
                try reader.skip(field.wireType)
            }
        }
    }
}

/// Reads protobuf's wire format: field keys, varints, and the fields to skip.
private struct ProtobufReader {
    private var bytes: ArraySlice<UInt8>

    init(_ bytes: ArraySlice<UInt8>) {
        self.bytes = bytes
    }

    /// The next field's number and wire type, or nil at the end of the message.
    mutating func nextField() throws -> (number: Int, wireType: Int)? {
        guard !bytes.isEmpty else { return nil }
        let key = try varint()
        return (Int(key >> 3), Int(key & 7))
    }

    /// A base-128 varint of at most 10 bytes.
    mutating func varint() throws -> UInt64 {
        var value: UInt64 = 0
        for shift in stride(from: 0, to: 70, by: 7) {
            guard let byte = bytes.popFirst() else { throw OTLPSpanCount.MalformedRequest(description: "a varint is cut short") }
            value |= UInt64(byte & 0x7f) << UInt64(shift)
            if byte & 0x80 == 0 { return value }
        }
        throw OTLPSpanCount.MalformedRequest(description: "a varint is longer than 10 bytes")
    }

    /// The bytes of a length-delimited field (wire type 2).
    mutating func lengthDelimited() throws -> ArraySlice<UInt8> {
        let length = try varint()
        guard length <= UInt64(bytes.count) else {
            throw OTLPSpanCount.MalformedRequest(description: "a field of \(length) bytes runs past the message's end")
        }
        let field = bytes.prefix(Int(length))
        bytes = bytes.dropFirst(Int(length))
        return field
    }

    /// Skips the value of a field of `wireType`.
    mutating func skip(_ wireType: Int) throws {
        switch wireType {
        case 0: _ = try varint()
        case 2: _ = try lengthDelimited()
        case 1, 5:
            let width = wireType == 1 ? 8 : 4
            guard bytes.count >= width else { throw OTLPSpanCount.MalformedRequest(description: "a fixed-width field is cut short") }
            bytes = bytes.dropFirst(width)
        default:
            throw OTLPSpanCount.MalformedRequest(description: "wire type \(wireType) is not used by OTLP")
        }
    }
}
