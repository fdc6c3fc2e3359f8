import EventBrokerCodecJSON
import EventBrokerCore
import EventBrokerTestSupport
import Foundation
import Testing

/// Random envelopes whose strings are full of quotes, backslashes, control characters and
/// characters from every Unicode plane, with random JSON payloads written in varied styles.
private struct RandomEnvelopes {
    var generator: SeededGenerator

    mutating func envelope() -> EventEnvelope {
        var headers: [String: String] = [:]
        for _ in 0..<Int.random(in: 0...4, using: &generator) {
            headers[string()] = string()
        }
        return EventEnvelope(
            id: string(), streamId: string(), topic: string(),
            message: Bool.random(using: &generator) ? string() : nil,
            payload: Bool.random(using: &generator) ? Array(json(depth: 0).utf8) : nil,
            headers: headers,
            publishedAtMilliseconds: Int64.random(in: .min ... .max, using: &generator))
    }

    /// A string of up to 24 scalars, biased towards the characters JSON must escape.
    mutating func string() -> String {
        var scalars = String.UnicodeScalarView()
        for _ in 0..<Int.random(in: 0...24, using: &generator) {
            scalars.append(scalar())
        }
        return String(scalars)
    }

    mutating func scalar() -> Unicode.Scalar {
        let range: ClosedRange<UInt32> =
            switch Int.random(in: 0..<6, using: &generator) {
            case 0: 0x00...0x1F
            case 1: 0x22...0x22
            case 2: 0x5C...0x5C
            case 3: 0x20...0x7F
            case 4: 0x80...0xFFFF
            default: 0x10000...0x10FFFF
            }
        while true {
            // Only the surrogate range D800-DFFF has no scalars; draw again there.
            if let scalar = Unicode.Scalar(UInt32.random(in: range, using: &generator)) { return scalar }
        }
    }

    /// A JSON value as text, without whitespace around it but with random whitespace inside.
    mutating func json(depth: Int) -> String {
        switch Int.random(in: 0..<(depth < 4 ? 9 : 6), using: &generator) {
        case 0: return ["null", "true", "false"].randomElement(using: &generator)!
        case 1: return String(Int64.random(in: .min ... .max, using: &generator))
        case 2:
            return ["0", "-0", "1.5", "-0.0e0", "2E+10", "1e-7", "123456789012345678901234567890"].randomElement(
                using: &generator)!
        case 3: return String(Double.random(in: -1e6...1e6, using: &generator))
        case 4, 5: return jsonString(string())
        case 6, 7:
            let elements = (0..<Int.random(in: 0...4, using: &generator)).map { _ in
                space() + json(depth: depth + 1) + space()
            }
            return "[" + (elements.isEmpty ? space() : elements.joined(separator: ",")) + "]"
        default:
            let members = (0..<Int.random(in: 0...4, using: &generator)).map { _ in
                space() + jsonString(string()) + space() + ":" + space() + json(depth: depth + 1) + space()
            }
            return "{" + (members.isEmpty ? space() : members.joined(separator: ",")) + "}"
        }
    }

    /// JSON whitespace, usually none.
    mutating func space() -> String {
        Int.random(in: 0..<4, using: &generator) == 0
            ? ["", " ", "\n", "\r\n\t  "].randomElement(using: &generator)! : ""
    }

    /// `value` as a JSON string, escaping what must be escaped and, at random, other characters too.
    mutating func jsonString(_ value: String) -> String {
        var text = "\""
        for scalar in value.unicodeScalars {
            let mustEscape = scalar.value < 0x20 || scalar == "\"" || scalar == "\\"
            if mustEscape && Bool.random(using: &generator), let short = Self.shortEscapes[scalar] {
                text += short
            } else if mustEscape || Int.random(in: 0..<8, using: &generator) == 0 {
                for unit in String(scalar).utf16 {
                    let hex = String(unit, radix: 16, uppercase: Bool.random(using: &generator))
                    text += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
                }
            } else {
                text.unicodeScalars.append(scalar)
            }
        }
        return text + "\""
    }

    /// `envelope` as a service in another language might write it: members in random order, `v`
    /// anywhere, random whitespace and escapes, absent optional fields sometimes `null`, and
    /// unknown fields mixed in; with where `v` went among how many members. The text starts with
    /// `{`, the tag by which a broker finds the JSON codec.
    mutating func foreignText(of envelope: EventEnvelope) -> (text: String, versionPosition: Int, memberCount: Int) {
        var members = [
            space() + jsonString("v") + space() + ":" + space() + "1" + space(),
            member("id", jsonString(envelope.id)),
            member("streamId", jsonString(envelope.streamId)),
            member("topic", jsonString(envelope.topic)),
            member("publishedAt", String(envelope.publishedAtMilliseconds)),
        ]
        if let message = envelope.message {
            members.append(member("message", jsonString(message)))
        } else if Bool.random(using: &generator) {
            members.append(member("message", "null"))
        }
        if let payload = envelope.payload {
            members.append(member("payload", String(decoding: payload, as: UTF8.self)))
        }
        if !envelope.headers.isEmpty || Bool.random(using: &generator) {
            let headers = envelope.headers.shuffled(using: &generator).map { name, value in
                space() + jsonString(name) + space() + ":" + space() + jsonString(value) + space()
            }
            let object = "{" + (headers.isEmpty ? space() : headers.joined(separator: ",")) + "}"
            let written = envelope.headers.isEmpty && Bool.random(using: &generator) ? "null" : object
            members.append(member("headers", written))
        }
        for _ in 0..<Int.random(in: 0...2, using: &generator) {
            // "x-" keeps unknown names apart from the known ones.
            members.append(member("x-" + string(), json(depth: 0)))
        }
        let order = members.indices.shuffled(using: &generator)
        let text = "{" + order.map { members[$0] }.joined(separator: ",") + "}" + space()
        return (text, order.firstIndex(of: 0)!, members.count)
    }

    /// One object member, `value` already JSON text.
    private mutating func member(_ name: String, _ value: String) -> String {
        space() + jsonString(name) + space() + ":" + space() + value + space()
    }

    static let shortEscapes: [Unicode.Scalar: String] = [
        "\"": #"\""#, "\\": #"\\"#, "\n": #"\n"#, "\r": #"\r"#, "\t": #"\t"#, "\u{8}": #"\b"#, "\u{C}": #"\f"#,
    ]
}

@Suite("JSON envelope random round trips")
struct JSONEnvelopeRandomTests {
    let codec = JSONCodec()

    @Test func thousandRandomEnvelopesRoundTrip() throws {
        var random = RandomEnvelopes(generator: SeededGenerator(seed: 20_241_126))
        for _ in 0..<1_000 {
            let envelope = random.envelope()
            if let payload = envelope.payload {
                // The generator itself must write valid JSON: Foundation agrees.
                #expect(throws: Never.self) {
                    try JSONSerialization.jsonObject(with: Data(payload), options: .fragmentsAllowed)
                }
            }
            let bytes = try codec.encodeEnvelope(envelope)
            #expect(bytes.first == codec.tag)
            #expect(bytes.starts(with: Array(#"{"v":1,"id":"#.utf8)))
            let decoded = try codec.decodeEnvelope(bytes)
            #expect(decoded == envelope)
            #expect(try codec.encodeEnvelope(decoded) == bytes)

            // Foundation's parser reads the same fields from our bytes.
            let foundation = try FoundationEnvelope(bytes: bytes)
            #expect(foundation.v == JSONCodec.formatVersion)
            #expect(foundation.id == envelope.id)
            #expect(foundation.streamId == envelope.streamId)
            #expect(foundation.topic == envelope.topic)
            #expect(foundation.message == envelope.message)
            #expect((foundation.headers ?? [:]) == envelope.headers)
            #expect(foundation.publishedAt == envelope.publishedAtMilliseconds)
        }
    }

    @Test func thousandRandomForeignEnvelopesDecode() throws {
        var random = RandomEnvelopes(generator: SeededGenerator(seed: 20_261_126))
        var positions: Set<String> = []
        for _ in 0..<1_000 {
            let envelope = random.envelope()
            let (text, versionPosition, memberCount) = random.foreignText(of: envelope)
            if versionPosition == 0 { positions.insert("first") }
            if versionPosition == memberCount - 1 { positions.insert("last") }
            if versionPosition > 0 && versionPosition < memberCount - 1 { positions.insert("between") }
            #expect(text.utf8.first == codec.tag)
            // The generator itself must write valid JSON: Foundation agrees, and finds `v`.
            let foundation = try FoundationEnvelope(bytes: Array(text.utf8))
            #expect(foundation.v == 1)
            #expect(foundation.id == envelope.id)

            let decoded = try codec.decodeEnvelope(Array(text.utf8))
            #expect(decoded == envelope, "\(text.debugDescription)")
            // Written back in the writer's form, `v` first.
            #expect(try codec.encodeEnvelope(decoded) == codec.encodeEnvelope(envelope))
        }
        #expect(positions == ["first", "between", "last"])
    }

    @Test func randomlyDamagedEnvelopesNeverCrash() {
        var random = RandomEnvelopes(generator: SeededGenerator(seed: 42))
        for _ in 0..<1_000 {
            guard var bytes = try? codec.encodeEnvelope(random.envelope()) else {
                Issue.record("a random envelope did not encode")
                continue
            }
            for _ in 0..<Int.random(in: 1...3, using: &random.generator) {
                let index = Int.random(in: 0..<bytes.count, using: &random.generator)
                let byte = UInt8.random(in: 0...255, using: &random.generator)
                switch Int.random(in: 0..<3, using: &random.generator) {
                case 0: bytes[index] = byte
                case 1: bytes.insert(byte, at: index)
                default: bytes.remove(at: index)
                }
                if bytes.isEmpty { bytes = [byte] }
            }
            // Whatever we accept, Foundation's JSON parser must accept too, and reads version 1 in it.
            if (try? codec.decodeEnvelope(bytes)) != nil {
                #expect(throws: Never.self) { try JSONSerialization.jsonObject(with: Data(bytes)) }
                #expect((try? FoundationEnvelope(bytes: bytes))?.v == JSONCodec.formatVersion)
            }
        }
    }
}
