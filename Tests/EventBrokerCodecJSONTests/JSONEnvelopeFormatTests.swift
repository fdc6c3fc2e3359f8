import EventBrokerCodecJSON
import EventBrokerCore
import Foundation
import Testing

@Suite("JSON envelope format")
struct JSONEnvelopeFormatTests {
    let codec = JSONCodec()

    private func encodedText(_ envelope: EventEnvelope) throws -> String {
        String(decoding: try codec.encodeEnvelope(envelope), as: UTF8.self)
    }

    @Test func goldenBytes() throws {
        let envelope = EventEnvelope(
            id: "01J9Z3K7", streamId: "order-15", topic: "orders",
            message: "order \"created\"\n\tby Zoë 🎉\u{1}\u{8}\u{C}\r\\/\u{1F}\u{7F}",
            payload: Array(#"{"amount":12.5,"items":["a","b"],"note":null}"#.utf8),
            headers: ["traceparent": "00-abc-01", "b": "x/y", "a": "1"],
            publishedAtMilliseconds: 1_732_623_456_789)
        let golden =
            #"{"v":1,"id":"01J9Z3K7","streamId":"order-15","topic":"orders","#
            + #""message":"order \"created\"\n\tby Zoë 🎉\u0001\b\f\r\\/\u001f"# + "\u{7F}\","
            + #""payload":{"amount":12.5,"items":["a","b"],"note":null},"#
            + #""headers":{"a":"1","b":"x/y","traceparent":"00-abc-01"},"publishedAt":1732623456789}"#
        #expect(try encodedText(envelope) == golden)
        #expect(try codec.decodeEnvelope(Array(golden.utf8)) == envelope)
    }

    @Test func tagIsTheOpeningBrace() {
        #expect(codec.tag == 0x7B)
        #expect(codec.tag == UInt8(ascii: "{"))
        let erased: any EventCodec = codec
        #expect(erased.tag == 0x7B)
        #expect(JSONCodec.formatVersion == 1)
    }

    @Test(arguments: [
        EventEnvelope(id: "a", streamId: "b", topic: "c", publishedAtMilliseconds: 0),
        EventEnvelope(
            id: "", streamId: "", topic: "", message: "", payload: Array("{}".utf8), headers: ["": ""],
            publishedAtMilliseconds: Int64.min),
        EventEnvelope(
            id: "v", streamId: "\"v\":2", topic: "{", message: "v", payload: Array(#"{"v":2}"#.utf8),
            headers: ["v": "2"], publishedAtMilliseconds: Int64.max),
    ])
    func everyEnvelopeStartsWithTheTagAndTheVersion(_ envelope: EventEnvelope) throws {
        let bytes = try codec.encodeEnvelope(envelope)
        #expect(bytes.first == codec.tag)
        #expect(bytes.starts(with: Array(#"{"v":1,"id":"#.utf8)))
        #expect(try FoundationEnvelope(bytes: bytes).v == JSONCodec.formatVersion)
        #expect(try codec.decodeEnvelope(bytes) == envelope)
    }

    @Test func foundationReadsWhatWeWrite() throws {
        let envelope = EventEnvelope(
            id: "ü\u{0}", streamId: "s\"", topic: "\u{10FFFF}", message: "\u{8}\u{1B}",
            payload: Array("[1,{}]".utf8), headers: ["k\n": "v\\"], publishedAtMilliseconds: -1)
        let bytes = try codec.encodeEnvelope(envelope)
        #expect(
            try FoundationEnvelope(bytes: bytes)
                == FoundationEnvelope(
                    v: 1, id: "ü\u{0}", streamId: "s\"", topic: "\u{10FFFF}", message: "\u{8}\u{1B}",
                    headers: ["k\n": "v\\"], publishedAt: -1))
        let object = try #require(JSONSerialization.jsonObject(with: Data(bytes)) as? [String: Any])
        #expect((object["payload"] as? [Any])?.count == 2)
    }

    @Test func minimalEnvelopeOmitsOptionalFields() throws {
        let envelope = EventEnvelope(id: "a", streamId: "b", topic: "c", publishedAtMilliseconds: 0)
        #expect(try encodedText(envelope) == #"{"v":1,"id":"a","streamId":"b","topic":"c","publishedAt":0}"#)
        #expect(try codec.decodeEnvelope(codec.encodeEnvelope(envelope)) == envelope)
    }

    @Test func emptyValuesAreNotOmitted() throws {
        let envelope = EventEnvelope(
            id: "", streamId: "", topic: "", message: "", payload: Array(#""""#.utf8), headers: ["": ""],
            publishedAtMilliseconds: 0)
        #expect(
            try encodedText(envelope)
                == #"{"v":1,"id":"","streamId":"","topic":"","message":"","payload":"","headers":{"":""},"publishedAt":0}"#
        )
        #expect(try codec.decodeEnvelope(codec.encodeEnvelope(envelope)) == envelope)
    }

    @Test func nullPayloadIsAPayload() throws {
        let envelope = EventEnvelope(
            id: "a", streamId: "b", topic: "c", payload: Array("null".utf8), publishedAtMilliseconds: 1)
        #expect(
            try encodedText(envelope) == #"{"v":1,"id":"a","streamId":"b","topic":"c","payload":null,"publishedAt":1}"#)
        #expect(try codec.decodeEnvelope(codec.encodeEnvelope(envelope)).payload == Array("null".utf8))
    }

    @Test(arguments: [Int64.min, -1, 0, 1, 1_732_623_456_789, Int64.max])
    func publishedAtIsAnInteger(_ milliseconds: Int64) throws {
        let envelope = EventEnvelope(id: "a", streamId: "b", topic: "c", publishedAtMilliseconds: milliseconds)
        #expect(try encodedText(envelope).hasPrefix(#"{"v":1,"#))
        #expect(try encodedText(envelope).hasSuffix(#","publishedAt":\#(milliseconds)}"#))
        #expect(try codec.decodeEnvelope(codec.encodeEnvelope(envelope)) == envelope)
    }

    @Test func keyOrderIsFixed() throws {
        let envelope = EventEnvelope(
            id: "i", streamId: "s", topic: "t", message: "m", payload: Array("1".utf8), headers: ["h": "v"],
            publishedAtMilliseconds: 2)
        #expect(
            try encodedText(envelope)
                == #"{"v":1,"id":"i","streamId":"s","topic":"t","message":"m","payload":1,"headers":{"h":"v"},"publishedAt":2}"#
        )
    }

    /// The members of a full envelope in the writer's order, `v` left out.
    private static let membersWithoutVersion = [
        #""id":"i""#, #""streamId":"s""#, #""topic":"t""#, #""message":"m""#, #""payload":[1,{"v":2}]"#,
        #""headers":{"h":"v","v":"2"}"#, #""publishedAt":2"#,
    ]

    @Test(arguments: 0...membersWithoutVersion.count)
    func versionMayComeAnywhereFromOtherLanguages(_ position: Int) throws {
        let expected = EventEnvelope(
            id: "i", streamId: "s", topic: "t", message: "m", payload: Array(#"[1,{"v":2}]"#.utf8),
            headers: ["h": "v", "v": "2"], publishedAtMilliseconds: 2)
        for version in [#""v":1"#, #" "v" : 1 "#, #""\u0076":1"#] {
            var members = Self.membersWithoutVersion
            members.insert(version, at: position)
            let text = "{" + members.joined(separator: ",") + "}"
            let envelope = try codec.decodeEnvelope(Array(text.utf8))
            #expect(envelope == expected, "\(text)")
            // Written back, `v` comes first again.
            #expect(try encodedText(envelope).hasPrefix(#"{"v":1,"id":"i","#))
        }
    }

    @Test func envelopeWrittenByAnotherLanguage() throws {
        let foreign = """
            \t{
              "publishedAt" : 1732623456789 ,
              "headers": { "traceparent": "00-abc-01", "x-retry": "2" },
              "schemaVersion": 3,
              "topic": "orders",
              "v" : 1 ,
              "extra": {"nested": [1, 2.5e-3, {"x": null}, true, false, "\\u00e9"]},
              "payload": { "amount" : 12.5 ,\r\n "name": "Ren\\u00e9e \\ud83d\\ude00" },
              "streamId": "order-15",
              "message": "order\\u0043reated",
              "\\u0069d": "evt\\/1"
            }\r\n
            """
        let envelope = try codec.decodeEnvelope(Array(foreign.utf8))
        #expect(envelope.id == "evt/1")
        #expect(envelope.streamId == "order-15")
        #expect(envelope.topic == "orders")
        #expect(envelope.message == "orderCreated")
        #expect(envelope.headers == ["traceparent": "00-abc-01", "x-retry": "2"])
        #expect(envelope.publishedAtMilliseconds == 1_732_623_456_789)
        let payload = try #require(envelope.payload)
        #expect(
            String(decoding: payload, as: UTF8.self)
                == "{ \"amount\" : 12.5 ,\r\n \"name\": \"Ren\\u00e9e \\ud83d\\ude00\" }")

        struct Customer: Decodable, Equatable {
            var amount: Double
            var name: String
        }
        #expect(try codec.decodePayload(Customer.self, from: payload) == Customer(amount: 12.5, name: "Renée 😀"))
    }

    @Test func nullOptionalFieldsFromOtherLanguagesAreAbsent() throws {
        let text = #"{"id":"a","streamId":"b","topic":"c","message":null,"headers":null,"publishedAt":3,"v":1}"#
        let envelope = try codec.decodeEnvelope(Array(text.utf8))
        #expect(envelope == EventEnvelope(id: "a", streamId: "b", topic: "c", publishedAtMilliseconds: 3))
    }

    @Test func escapedStringsDecode() throws {
        let text =
            #"{"id":"\"\\\/\b\f\n\r\t\u0000\u00FF\u20ac\uD834\uDD1E","streamId":"é","\u0076":1,"topic":"\ud83d\ude00","publishedAt":0}"#
        let envelope = try codec.decodeEnvelope(Array(text.utf8))
        #expect(envelope.id == "\"\\/\u{8}\u{C}\n\r\t\u{0}\u{FF}€𝄞")
        #expect(envelope.streamId == "é")
        #expect(envelope.topic == "😀")
    }

    @Test func hugeStringsDecode() throws {
        let big = String(repeating: "a\"é😀\\\n", count: 1_000_000)  // about 12 MB written out
        let envelope = EventEnvelope(
            id: "big", streamId: "s", topic: "t", message: big,
            payload: try codec.encodePayload(big), publishedAtMilliseconds: 0)
        let bytes = try codec.encodeEnvelope(envelope)
        #expect(bytes.count > 10_000_000)
        #expect(bytes.starts(with: Array(#"{"v":1,"#.utf8)))
        let decoded = try codec.decodeEnvelope(bytes)
        #expect(decoded == envelope)
        #expect(try codec.decodePayload(String.self, from: #require(decoded.payload)) == big)
    }
}
