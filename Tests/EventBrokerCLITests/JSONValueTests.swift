import Foundation
import RedisEventBroker
import Testing

@testable import EventBrokerCLI

/// `JSONValueParser` reads RFC 8259 strictly, and a `JSONValue` goes through both codecs into a
/// matching Codable type: what `publish --payload` relies on.
@Suite struct JSONValueTests {
    @Test(arguments: [
        ("null", JSONValue.null),
        (" true ", .bool(true)),
        ("-0", .integer(0)),
        ("10", .integer(10)),
        ("10.0", .number(10)),
        ("1e3", .number(1000)),
        ("-2.5E-1", .number(-0.25)),
        ("9223372036854775807", .integer(.max)),
        ("9223372036854775808", .number(9_223_372_036_854_775_808)),
        (#""a\"\\\/\b\f\n\r\t\u00e9\ud83d\ude00""#, .string("a\"\\/\u{08}\u{0C}\n\r\té😀")),
        ("\"é\"", .string("é")),
        ("[]", .array([])),
        (#"{"a": [1, {"b": null}], "c": "d"}"#, .object(["a": .array([.integer(1), .object(["b": .null])]), "c": .string("d")])),
    ])
    func parses(text: String, value: JSONValue) throws {
        #expect(try JSONValueParser.parse(text) == value)
    }

    @Test(arguments: [
        ("", "unexpected end of the text, expected a JSON value at byte 0"),
        (#"{"a": 1,"#, "unexpected end of the text, expected a member name at byte 8"),
        ("[1 2]", "expected ',' or ']', found '2' at byte 3"),
        ("01", "expected the end of the text, found '1' at byte 1"),
        ("1.", "unexpected end of the text, expected a digit after '.' at byte 2"),
        ("nul", "unexpected end of the text, expected 'null' at byte 3"),
        ("'a'", "expected a JSON value, found ''' at byte 0"),
        (#"{"a": 1, "a": 2}"#, #"duplicate member name "a" at byte 9"#),
        (#""\ud800""#, "a lone surrogate at byte 1"),
        (#""\u12g4""#, "expected four hex digits, found 'g' at byte 5"),
        ("\"a\tb\"", "expected a control character to be escaped, found byte 9 at byte 2"),
        ("1e999", "the number 1e999 is too large at byte 0"),
        (String(repeating: "[", count: 513) + String(repeating: "]", count: 513), "nested deeper than 512, found '[' at byte 512"),
    ])
    func refuses(text: String, failure: String) {
        let error = #expect(throws: JSONValueParser.Failure.self) { try JSONValueParser.parse(text) }
        #expect(error?.description == failure)
    }

    /// The payload of an order, as a service would declare it.
    struct Order: Codable, Equatable {
        struct Line: Codable, Equatable {
            var sku: String
            var quantity: Int
        }

        var number: Int
        var total: Double
        var paid: Bool
        var note: String?
        var lines: [Line]
        var tags: [String: String]
    }

    static let order = #"""
        {"number": 15, "total": 10.0, "paid": true, "note": null,
         "lines": [{"sku": "A-1", "quantity": 2}, {"sku": "B-2", "quantity": 1}], "tags": {"channel": "web"}}
        """#

    @Test(arguments: [JSONCodec() as any EventCodec, BinaryCodec()])
    func roundTripsThroughACodecIntoAMatchingType(codec: any EventCodec) throws {
        let value = try JSONValueParser.parse(Self.order)
        let bytes = try codec.encodePayload(value)
        #expect(
            try codec.decodePayload(Order.self, from: bytes)
                == Order(
                    number: 15, total: 10, paid: true, note: nil,
                    lines: [.init(sku: "A-1", quantity: 2), .init(sku: "B-2", quantity: 1)], tags: ["channel": "web"]))
        if codec is BinaryCodec {
            // JSON itself writes the Double 10.0 as 10, which reads back as an integer.
            #expect(try codec.decodePayload(JSONValue.self, from: bytes) == value, "and back into the same JSON value")
        }
    }
}
