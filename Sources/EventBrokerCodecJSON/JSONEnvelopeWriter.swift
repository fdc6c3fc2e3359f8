import EventBrokerCore

/// Writes the stored JSON form of an ``EventEnvelope`` by hand, without a Foundation round trip:
/// `{"v":1,"id":…,"streamId":…,"topic":…,"message":…,"payload":…,"headers":{…},"publishedAt":…}`,
/// `message` and `payload` omitted when `nil`, `headers` omitted when empty and sorted by name.
struct JSONEnvelopeWriter {
    /// The JSON text written so far.
    private var output: [UInt8] = []

    /// Encodes `envelope`, embedding its payload bytes verbatim after checking they are one JSON value.
    static func encode(_ envelope: EventEnvelope) throws(JSONCodecError) -> [UInt8] {
        if let payload = envelope.payload { try validatePayload(payload) }
        var writer = JSONEnvelopeWriter()
        writer.output.reserveCapacity(estimatedSize(of: envelope))
        writer.output.append(UInt8(ascii: "{"))
        writer.appendName(.version, isFirst: true)
        writer.output.append(contentsOf: String(JSONCodec.formatVersion).utf8)
        writer.appendName(.id)
        writer.appendString(envelope.id)
        writer.appendName(.streamId)
        writer.appendString(envelope.streamId)
        writer.appendName(.topic)
        writer.appendString(envelope.topic)
        if let message = envelope.message {
            writer.appendName(.message)
            writer.appendString(message)
        }
        if let payload = envelope.payload {
            writer.appendName(.payload)
            writer.output.append(contentsOf: payload)
        }
        if !envelope.headers.isEmpty {
            writer.appendName(.headers)
            writer.output.append(UInt8(ascii: "{"))
            // Sorted, so that the same envelope always gives the same bytes.
            for (index, header) in envelope.headers.sorted(by: { $0.key < $1.key }).enumerated() {
                if index > 0 { writer.output.append(UInt8(ascii: ",")) }
                writer.appendString(header.key)
                writer.output.append(UInt8(ascii: ":"))
                writer.appendString(header.value)
            }
            writer.output.append(UInt8(ascii: "}"))
        }
        writer.appendName(.publishedAt)
        writer.output.append(contentsOf: String(envelope.publishedAtMilliseconds).utf8)
        writer.output.append(UInt8(ascii: "}"))
        return writer.output
    }

    /// Throws ``JSONCodecError/payloadNotJSON(reason:)`` unless `payload` is exactly one JSON value.
    /// Surrounding whitespace is refused too: the reader returns the value's bytes without it, so
    /// the envelope would not read back equal.
    private static func validatePayload(_ payload: [UInt8]) throws(JSONCodecError) {
        if let first = payload.first, let last = payload.last,
            JSONScanner.isWhitespace(first) || JSONScanner.isWhitespace(last)
        {
            throw .payloadNotJSON(reason: "it has whitespace before or after the value")
        }
        var scanner = JSONScanner(payload)
        do {
            _ = try scanner.skipValue()
        } catch {
            throw .payloadNotJSON(reason: error.description)
        }
        guard scanner.isAtEnd else {
            throw .payloadNotJSON(reason: scanner.unexpectedByte(expected: "the end of the payload").description)
        }
    }

    /// Roughly the encoded size, to allocate the output once in the common case.
    private static func estimatedSize(of envelope: EventEnvelope) -> Int {
        var size = 96 + envelope.id.utf8.count + envelope.streamId.utf8.count + envelope.topic.utf8.count
        size += (envelope.message?.utf8.count ?? 0) + (envelope.payload?.count ?? 0)
        for (name, value) in envelope.headers {
            size += name.utf8.count + value.utf8.count + 6
        }
        return size
    }

    /// Lowercase hexadecimal digits, as JavaScript's `JSON.stringify` writes them in `\u00XX`.
    private static let hexDigits = Array("0123456789abcdef".utf8)

    /// Appends `,"name":`, without the comma for the first member.
    private mutating func appendName(_ field: JSONEnvelopeField, isFirst: Bool = false) {
        if !isFirst { output.append(UInt8(ascii: ",")) }
        output.append(UInt8(ascii: "\""))
        output.append(contentsOf: field.name.utf8)
        output.append(UInt8(ascii: "\""))
        output.append(UInt8(ascii: ":"))
    }

    /// Appends `string` as a JSON string: `"` and `\` escaped, control characters as `\n`, `\r`, `\t`,
    /// `\b`, `\f` or `\u00XX`, everything else (valid UTF-8, since it comes from a `String`) as is.
    private mutating func appendString(_ string: String) {
        output.append(UInt8(ascii: "\""))
        for byte in string.utf8 {
            let escapeLetter: UInt8
            switch byte {
            case UInt8(ascii: "\""), UInt8(ascii: "\\"): escapeLetter = byte
            case UInt8(ascii: "\n"): escapeLetter = UInt8(ascii: "n")
            case UInt8(ascii: "\r"): escapeLetter = UInt8(ascii: "r")
            case UInt8(ascii: "\t"): escapeLetter = UInt8(ascii: "t")
            case 0x08: escapeLetter = UInt8(ascii: "b")
            case 0x0C: escapeLetter = UInt8(ascii: "f")
            case 0x00..<0x20:
                output.append(contentsOf: #"\u00"#.utf8)
                output.append(Self.hexDigits[Int(byte >> 4)])
                output.append(Self.hexDigits[Int(byte & 0x0F)])
                continue
            default:
                output.append(byte)
                continue
            }
            output.append(UInt8(ascii: "\\"))
            output.append(escapeLetter)
        }
        output.append(UInt8(ascii: "\""))
    }
}
