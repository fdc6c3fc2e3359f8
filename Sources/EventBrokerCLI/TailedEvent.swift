import EventBrokerCore
import Foundation

/// One event as `tail` prints it: a few lines for people, or one line of JSON.
struct TailedEvent {
    /// The event.
    let event: DeliveredEvent

    /// The payload as `tail` shows it.
    enum Payload: Equatable {
        /// The event has no payload.
        case none
        /// The payload, decoded by its codec into a JSON value.
        case value(JSONValue)
        /// A payload that decodes into no JSON (a `Data` or `Date` of the binary codec, say), as hex digits.
        case hex(String)
    }

    /// The payload, decoded by the codec that wrote it into a ``JSONValue`` that JSON can
    /// hold (no NaN or infinity), or else in hex.
    var payload: Payload {
        guard let bytes = event.encodedPayload else { return .none }
        if let value = try? event.payload(as: JSONValue.self), (try? Self.json(value)) != nil {
            return .value(value)
        }
        return .hex(bytes.map { String(format: "%02x", $0) }.joined())
    }

    /// The event for people: publication time, topic, stream id, message and id on the first
    /// line, then the headers and the payload on lines of their own.
    func text() throws -> String {
        let published = event.publishedAt.formatted(Date.ISO8601FormatStyle(includingFractionalSeconds: true))
        var lines = [[published, event.topic, event.streamId, event.message ?? "-", event.id].joined(separator: "  ")]
        if !event.headers.isEmpty {
            lines.append("  headers: " + event.headers.sorted { $0.key < $1.key }.map { "\($0)=\($1)" }.joined(separator: ", "))
        }
        switch payload {
        case .none: break
        case .value(let value): lines.append("  payload: " + (try Self.json(value)))
        case .hex(let digits): lines.append("  payload (\(event.codec.name), not JSON, hex): " + digits)
        }
        return lines.joined(separator: "\n")
    }

    /// The event as one line of JSON: id, publishedAt, topic, streamId, message, headers, codec,
    /// payload (a JSON value, `null` without one) and payloadHex (`null` unless the payload
    /// decodes into no JSON).
    func json() throws -> String {
        var payloadValue: JSONValue = .null
        var payloadHex: String?
        switch payload {
        case .none: break
        case .value(let value): payloadValue = value
        case .hex(let digits): payloadHex = digits
        }
        let object: JSONValue = .object([
            "id": .string(event.id),
            "publishedAt": .string(event.publishedAt.formatted(Date.ISO8601FormatStyle(includingFractionalSeconds: true))),
            "topic": .string(event.topic),
            "streamId": .string(event.streamId),
            "message": event.message.map(JSONValue.string) ?? .null,
            "headers": .object(event.headers.mapValues(JSONValue.string)),
            "codec": .string(event.codec.name),
            "payload": payloadValue,
            "payloadHex": payloadHex.map(JSONValue.string) ?? .null,
        ])
        return try Self.json(object)
    }

    /// `value` as compact JSON text, keys sorted.
    static func json(_ value: JSONValue) throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return String(decoding: try encoder.encode(value), as: UTF8.self)
    }
}
