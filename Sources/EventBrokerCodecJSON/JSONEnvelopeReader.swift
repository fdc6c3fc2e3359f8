import EventBrokerCore

/// Reads the stored JSON form of an ``EventEnvelope`` written by ``JSONEnvelopeWriter`` or by a
/// service in another language: any key order, any whitespace, unknown fields skipped (after
/// validation), known fields at most once, and nothing after the object.
struct JSONEnvelopeReader {
    /// The position in the envelope bytes.
    private var scanner: JSONScanner

    /// Decodes `bytes` into an envelope, or throws the first problem found.
    static func decode(_ bytes: [UInt8]) throws(JSONCodecError) -> EventEnvelope {
        var reader = JSONEnvelopeReader(scanner: JSONScanner(bytes))
        return try reader.readEnvelope()
    }

    private init(scanner: JSONScanner) {
        self.scanner = scanner
    }

    private mutating func readEnvelope() throws(JSONCodecError) -> EventEnvelope {
        var id: String?
        var streamId: String?
        var topic: String?
        var message: String?
        var payload: [UInt8]?
        var headers: [String: String] = [:]
        var publishedAt: Int64?
        var version: Int64?
        var seen: UInt8 = 0  // the bits of the known fields read so far

        scanner.skipWhitespace()
        var hasMember = try scanner.beginObject()
        while hasMember {
            let key = try scanner.readMemberName()
            guard let field = JSONEnvelopeField(name: key) else {
                // A field of a newer format version: validated, then ignored.
                _ = try scanner.skipValue()
                hasMember = try scanner.endMember()
                continue
            }
            guard seen & field.bit == 0 else { throw .duplicateField(field.name) }
            seen |= field.bit
            switch field {
            case .version:
                // Checked at once: a newer version may change any other field.
                let read = try readInteger(field, expected: "the integer format version")
                guard read == JSONCodec.formatVersion else { throw .unsupportedVersion(read) }
                version = read
            case .id: id = try readString(field)
            case .streamId: streamId = try readString(field)
            case .topic: topic = try readString(field)
            case .message: message = try skipNull() ? nil : readString(field)
            case .payload:
                let range = try scanner.skipValue()
                payload = Array(scanner.bytes[range])
            case .headers: headers = try skipNull() ? [:] : readHeaders()
            case .publishedAt:
                publishedAt = try readInteger(
                    field, expected: "an integer number of milliseconds since 1970 within the range of Int64")
            }
            hasMember = try scanner.endMember()
        }
        scanner.skipWhitespace()
        guard scanner.isAtEnd else { throw scanner.unexpectedByte(expected: "the end of the envelope") }

        guard version != nil else { throw .missingField(JSONEnvelopeField.version.name) }
        guard let id else { throw .missingField(JSONEnvelopeField.id.name) }
        guard let streamId else { throw .missingField(JSONEnvelopeField.streamId.name) }
        guard let topic else { throw .missingField(JSONEnvelopeField.topic.name) }
        guard let publishedAt else { throw .missingField(JSONEnvelopeField.publishedAt.name) }
        return EventEnvelope(
            id: id, streamId: streamId, topic: topic, message: message, payload: payload,
            headers: headers, publishedAtMilliseconds: publishedAt)
    }

    /// Reads the string value of `field`.
    private mutating func readString(_ field: JSONEnvelopeField) throws(JSONCodecError) -> String {
        guard try scanner.peek(expecting: "a JSON value") == UInt8(ascii: "\"") else {
            throw .wrongType(field: field.name, expected: "a string")
        }
        return try scanner.readString()
    }

    /// Consumes a `null` and returns `true`, or returns `false` and consumes nothing. Other languages
    /// may write an absent optional field (`message`, `headers`) as `null`.
    private mutating func skipNull() throws(JSONCodecError) -> Bool {
        guard try scanner.peek(expecting: "a JSON value") == UInt8(ascii: "n") else { return false }
        _ = try scanner.skipValue()
        return true
    }

    /// Reads the `headers` object; every value must be a string and every name unique.
    private mutating func readHeaders() throws(JSONCodecError) -> [String: String] {
        let field = JSONEnvelopeField.headers.name
        guard try scanner.peek(expecting: "a JSON value") == UInt8(ascii: "{") else {
            throw .wrongType(field: field, expected: "an object of string values")
        }
        var headers: [String: String] = [:]
        var hasMember = try scanner.beginObject()
        while hasMember {
            let name = try scanner.readMemberName()
            guard try scanner.peek(expecting: "a JSON value") == UInt8(ascii: "\"") else {
                throw .wrongType(field: "\(field).\(name)", expected: "a string")
            }
            guard headers.updateValue(try scanner.readString(), forKey: name) == nil else {
                throw .duplicateField("\(field).\(name)")
            }
            hasMember = try scanner.endMember()
        }
        return headers
    }

    /// Reads the integer value of `field`, which must fit `Int64`.
    private mutating func readInteger(_ field: JSONEnvelopeField, expected: String) throws(JSONCodecError) -> Int64 {
        let byte = try scanner.peek(expecting: "a JSON value")
        guard byte == UInt8(ascii: "-") || JSONScanner.isDigit(byte) else {
            throw .wrongType(field: field.name, expected: expected)
        }
        guard let value = try scanner.readInt64() else {
            throw .wrongType(field: field.name, expected: expected)
        }
        return value
    }
}
