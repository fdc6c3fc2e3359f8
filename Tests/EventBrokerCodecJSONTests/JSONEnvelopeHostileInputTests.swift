import EventBrokerCodecJSON
import EventBrokerCore
import Foundation
import Testing

@Suite("JSON envelope hostile input")
struct JSONEnvelopeHostileInputTests {
    let codec = JSONCodec()

    /// A valid envelope exercising every field, escapes and multi-byte UTF-8, as the writer orders them.
    let valid = Array(
        (#"{"v":1,"id":"e-1","streamId":"s\"1","topic":"t\u00e9","message":"m😀","#
            + #""payload":{"a":[1,-2.5e3,true,null,"x\n"]},"headers":{"h":"v"},"publishedAt":1732623456789}"#).utf8)

    /// Decodes `bytes`, which must fail, and returns the error.
    private func decodingError(_ bytes: [UInt8]) -> JSONCodecError? {
        do {
            let envelope = try codec.decodeEnvelope(bytes)
            Issue.record("decoded \(envelope) from invalid input")
            return nil
        } catch {
            return error
        }
    }

    /// Decodes `text`, which must fail, and returns the error.
    private func decodingError(_ text: String) -> JSONCodecError? {
        decodingError(Array(text.utf8))
    }

    @Test func theValidEnvelopeDecodes() throws {
        #expect(try codec.decodeEnvelope(valid).message == "m😀")
        #expect(try codec.decodeEnvelope(valid + Array(" \n\r\t".utf8)).id == "e-1")
        #expect(valid.first == codec.tag)
    }

    @Test func everyTruncatedPrefixIsAnError() {
        for length in 0..<valid.count {
            switch decodingError(Array(valid[..<length])) {
            case .invalidJSON, .invalidUTF8: continue  // invalidUTF8 when the cut splits a multi-byte character
            default: Issue.record("prefix of \(length) bytes did not throw invalidJSON or invalidUTF8")
            }
        }
    }

    @Test func everySingleByteCorruptionIsHandled() {
        // Replacing any byte with any of these either still decodes or throws a typed error.
        for index in valid.indices {
            for replacement: UInt8 in [0x00, 0x22, 0x5C, 0x7B, 0x7D, 0x5B, 0x80, 0xFF, 0x20] {
                var bytes = valid
                bytes[index] = replacement
                _ = try? codec.decodeEnvelope(bytes)
            }
        }
    }

    @Test func emptyAndNonObjectInputs() {
        for text in ["", " ", "null", "[]", "\"id\"", "42", "{", "}", "\u{FEFF}{}"] {
            guard case .invalidJSON = decodingError(text) else {
                Issue.record("\(text.debugDescription) did not throw invalidJSON")
                continue
            }
        }
    }

    @Test(
        arguments: [
            ([0xFF], 7),  // never valid
            ([0x80], 7),  // a continuation byte alone
            ([0xC0, 0xAF], 7),  // overlong "/"
            ([0xE0, 0x80, 0xAF], 7),  // overlong
            ([0xED, 0xA0, 0x80], 7),  // UTF-8 encoded surrogate U+D800
            ([0xF4, 0x90, 0x80, 0x80], 7),  // above U+10FFFF
            ([0xF8, 0x88, 0x80, 0x80, 0x80], 7),  // five-byte form
            ([0x61, 0xE2, 0x82], 8),  // truncated three-byte sequence
            ([0xC3, 0x28], 7),  // bad continuation
        ] as [([UInt8], Int)])
    func invalidUTF8InAString(_ bad: [UInt8], offset: Int) {
        let bytes =
            Array(#"{"id":""#.utf8) + bad + Array(#"","streamId":"s","topic":"t","publishedAt":0,"v":1}"#.utf8)
        #expect(decodingError(bytes) == .invalidUTF8(offset: offset))
    }

    @Test func invalidUTF8InsidePayloadAndUnknownFields() {
        let inPayload =
            Array(#"{"id":"a","streamId":"s","topic":"t","payload":[""#.utf8) + [0xFE]
            + Array(#""],"publishedAt":0,"v":1}"#.utf8)
        #expect(decodingError(inPayload) == .invalidUTF8(offset: 49))
        let inUnknown =
            Array(#"{"x":""#.utf8) + [0xC1, 0x81]
            + Array(#"","id":"a","streamId":"s","topic":"t","publishedAt":0,"v":1}"#.utf8)
        #expect(decodingError(inUnknown) == .invalidUTF8(offset: 6))
    }

    @Test(arguments: [
        #"\uD800"#, #"\uDC00"#, #"\uD800\u0041"#, #"\uD800x"#, #"\uDBFF\uDBFF"#, #"\uDFFF\uD800"#, #"\uD83D"#,
    ])
    func loneSurrogatesAreErrors(_ escape: String) {
        let rest = #""streamId":"s","topic":"t","publishedAt":0,"v":1}"#
        for text in [
            #"{"id":"\#(escape)",\#(rest)"#,
            #"{"x":"\#(escape)","id":"a",\#(rest)"#,
            #"{"payload":["\#(escape)"],"id":"a",\#(rest)"#,
        ] {
            guard case .invalidJSON(_, let reason) = decodingError(text), reason.contains("surrogate") else {
                Issue.record("\(text) was not refused for a lone surrogate")
                continue
            }
        }
    }

    @Test func badEscapesAreErrors() {
        for escape in [#"\x"#, #"\u12"#, #"\u12G4"#, #"\U0041"#, #"\'"#, "\\"] {
            let text = #"{"v":1,"id":"\#(escape)","streamId":"s","topic":"t","publishedAt":0}"#
            guard case .invalidJSON = decodingError(text) else {
                Issue.record("\(escape) was accepted")
                continue
            }
        }
    }

    @Test func aMillionNestedBracketsAreRefused() {
        let million = String(repeating: "[", count: 1_000_000)
        let inPayload = #"{"v":1,"id":"a","streamId":"s","topic":"t","payload":"# + million
        #expect(decodingError(inPayload) == .nestingTooDeep(offset: 53 + JSONCodec.maximumNestingDepth))
        let objects = #"{"v":1,"x":"# + String(repeating: #"{"a":"#, count: 1_000_000)
        #expect(decodingError(objects) == .nestingTooDeep(offset: 11 + 5 * JSONCodec.maximumNestingDepth))
        guard case .invalidJSON = decodingError(million) else {
            Issue.record("a top-level array was accepted")
            return
        }
    }

    @Test func nestingUpToTheLimitIsAccepted() throws {
        let depth = JSONCodec.maximumNestingDepth
        let nested = String(repeating: "[", count: depth) + String(repeating: "]", count: depth)
        let text = #"{"v":1,"id":"a","streamId":"s","topic":"t","payload":\#(nested),"publishedAt":0}"#
        #expect(try codec.decodeEnvelope(Array(text.utf8)).payload == Array(nested.utf8))
        let envelope = EventEnvelope(
            id: "a", streamId: "s", topic: "t", payload: Array(nested.utf8), publishedAtMilliseconds: 0)
        #expect(try codec.decodeEnvelope(codec.encodeEnvelope(envelope)) == envelope)
    }

    @Test func duplicateFieldsAreRefused() {
        let base = #""streamId":"s","topic":"t","publishedAt":0"#
        #expect(decodingError(#"{"v":1,"id":"a","id":"b",\#(base)}"#) == .duplicateField("id"))
        #expect(decodingError(#"{"v":1,"id":"a","\u0069d":"a",\#(base)}"#) == .duplicateField("id"))
        #expect(decodingError(#"{"v":1,"id":"a","payload":1,"payload":1,\#(base)}"#) == .duplicateField("payload"))
        #expect(
            decodingError(#"{"v":1,"id":"a","message":null,"message":"m",\#(base)}"#) == .duplicateField("message"))
        #expect(decodingError(#"{"v":1,"id":"a","publishedAt":0,\#(base)}"#) == .duplicateField("publishedAt"))
        #expect(
            decodingError(#"{"v":1,"id":"a","headers":{"k":"1","k":"2"},\#(base)}"#) == .duplicateField("headers.k"))
    }

    @Test func aDuplicateVersionIsRefused() {
        let base = #""id":"a","streamId":"s","topic":"t","publishedAt":0"#
        for text in [
            #"{"v":1,"v":1,\#(base)}"#,  // the same version twice
            #"{"v":1,\#(base),"v":1}"#,  // first and last
            #"{"v":1,\#(base),"v":2}"#,  // a second opinion must not override the first
            #"{"v":1,"\u0076":1,\#(base)}"#,  // the same key, escaped
            #"{"v":1,\#(base),"v":"1"}"#,  // a duplicate of the wrong type is still a duplicate
            #"{"v":1,"v":1}"#,  // before the other fields are missed
        ] {
            #expect(decodingError(text) == .duplicateField("v"), "\(text)")
        }
        // An unsupported version is refused as soon as it is read, before any duplicate.
        #expect(decodingError(#"{"v":2,\#(base),"v":1}"#) == .unsupportedVersion(2))
    }

    @Test func unknownFieldsMayRepeat() throws {
        let text = #"{"v":1,"x":1,"x":[2],"id":"a","streamId":"s","topic":"t","publishedAt":0,"x":{}}"#
        #expect(try codec.decodeEnvelope(Array(text.utf8)).id == "a")
    }

    @Test func missingFieldsAreNamed() {
        #expect(decodingError(#"{"v":1,"streamId":"s","topic":"t","publishedAt":0}"#) == .missingField("id"))
        #expect(decodingError(#"{"v":1,"id":"a","topic":"t","publishedAt":0}"#) == .missingField("streamId"))
        #expect(decodingError(#"{"v":1,"id":"a","streamId":"s","publishedAt":0}"#) == .missingField("topic"))
        #expect(decodingError(#"{"v":1,"id":"a","streamId":"s","topic":"t"}"#) == .missingField("publishedAt"))
        #expect(decodingError(#"{"v":1}"#) == .missingField("id"))
    }

    @Test func aMissingVersionIsNamedFirst() {
        // `v` is checked before every other required field.
        #expect(decodingError("{}") == .missingField("v"))
        #expect(decodingError(" { } ") == .missingField("v"))
        #expect(decodingError(#"{"id":"a","topic":"t"}"#) == .missingField("v"))
        // An envelope in the format before `v` existed.
        #expect(decodingError(#"{"id":"a","streamId":"s","topic":"t","publishedAt":0}"#) == .missingField("v"))
        // Keys that resemble it are unknown fields, not the version.
        for key in ["V", "version", "v ", " v", "formatVersion", #"\u0056"#] {
            let text = #"{"\#(key)":1,"id":"a","streamId":"s","topic":"t","publishedAt":0}"#
            #expect(decodingError(text) == .missingField("v"), "\(text)")
        }
        // A `v` inside the payload or the headers is not the envelope's.
        let nested = #"{"id":"a","streamId":"s","topic":"t","payload":{"v":1},"headers":{"v":"1"},"publishedAt":0}"#
        #expect(decodingError(nested) == .missingField("v"))
    }

    @Test func wrongTypesAreNamed() {
        let millis = "an integer number of milliseconds since 1970 within the range of Int64"
        let cases: [(String, JSONCodecError)] = [
            (#"{"id":1}"#, .wrongType(field: "id", expected: "a string")),
            (#"{"id":null}"#, .wrongType(field: "id", expected: "a string")),
            (#"{"streamId":["s"]}"#, .wrongType(field: "streamId", expected: "a string")),
            (#"{"topic":{}}"#, .wrongType(field: "topic", expected: "a string")),
            (#"{"message":true}"#, .wrongType(field: "message", expected: "a string")),
            (#"{"headers":[]}"#, .wrongType(field: "headers", expected: "an object of string values")),
            (#"{"headers":"h"}"#, .wrongType(field: "headers", expected: "an object of string values")),
            (#"{"headers":{"n":1}}"#, .wrongType(field: "headers.n", expected: "a string")),
            (#"{"headers":{"n":null}}"#, .wrongType(field: "headers.n", expected: "a string")),
            (#"{"publishedAt":"1"}"#, .wrongType(field: "publishedAt", expected: millis)),
            (#"{"publishedAt":1.5}"#, .wrongType(field: "publishedAt", expected: millis)),
            (#"{"publishedAt":1e3}"#, .wrongType(field: "publishedAt", expected: millis)),
            (#"{"publishedAt":1.0}"#, .wrongType(field: "publishedAt", expected: millis)),
            (#"{"publishedAt":9223372036854775808}"#, .wrongType(field: "publishedAt", expected: millis)),
            (#"{"publishedAt":-9223372036854775809}"#, .wrongType(field: "publishedAt", expected: millis)),
            (
                #"{"publishedAt":\#(String(repeating: "9", count: 100_000))}"#,
                .wrongType(field: "publishedAt", expected: millis)
            ),
            (#"{"publishedAt":null}"#, .wrongType(field: "publishedAt", expected: millis)),
        ]
        for (text, expected) in cases {
            #expect(decodingError(text) == expected, "\(text.prefix(60))")
        }
    }

    @Test func invalidNumbersAreErrors() {
        for number in [
            "01", "-", "+1", "1.", ".5", "1e", "1e+", "0x10", "NaN", "Infinity", "-Infinity", "1_000", "--1",
        ] {
            let text = #"{"v":1,"id":"a","streamId":"s","topic":"t","publishedAt":0,"x":\#(number)}"#
            guard case .invalidJSON = decodingError(text) else {
                Issue.record("\(number) was accepted")
                continue
            }
        }
    }

    @Test func trailingGarbageIsRefused() {
        let envelope = String(decoding: valid, as: UTF8.self)
        for garbage in ["x", "{}", ",", "}", "\u{0}", " 1", "\n\"", "/* */"] {
            guard case .invalidJSON(let offset, _) = decodingError(envelope + garbage) else {
                Issue.record("\(garbage.debugDescription) after the envelope was accepted")
                continue
            }
            #expect(offset >= valid.count)
        }
    }

    @Test func nulBytesAreErrors() {
        #expect(decodingError([0]) == .invalidJSON(offset: 0, reason: "expected '{' but found byte 0x00"))
        let rawNulInString =
            Array(#"{"id":"a"#.utf8) + [0] + Array(#"","streamId":"s","topic":"t","publishedAt":0,"v":1}"#.utf8)
        guard case .invalidJSON(8, let reason) = decodingError(rawNulInString) else {
            Issue.record("a raw NUL inside a string was accepted")
            return
        }
        #expect(reason.contains("control character 0x00"))
        let nulBetweenTokens =
            Array(#"{"id":"a","#.utf8) + [0] + Array(#""streamId":"s","topic":"t","publishedAt":0,"v":1}"#.utf8)
        guard case .invalidJSON(10, _) = decodingError(nulBetweenTokens) else {
            Issue.record("a NUL between tokens was accepted")
            return
        }
    }

    @Test func otherSyntaxErrors() {
        let base = #""v":1,"id":"a","streamId":"s","topic":"t","publishedAt":0"#
        for text in [
            "{\(base),}", "{,\(base)}", "{\(base) \"x\":1}", "{'id':'a'}", "{\(base),\"x\":[1,]}",
            "{\(base),\"x\":[,1]}",
            "{\(base),\"x\":{\"a\"}}", "{\(base),\"x\":{\"a\":1,}}", "{\(base),\"x\":{1:2}}", "{\(base),\"x\":tru}",
            "{\(base),\"x\":nul}", "{\(base),\"x\":[1 2]}", "{\(base),\"x\":\"a\tb\"}", "{\(base),\"x\":\"\n\"}",
            "{\(base),\"x\":[}", "{\(base),\"x\":{]}", "{\(base)\u{A0}}", "{\(base),x:1}",
        ] {
            guard case .invalidJSON = decodingError(text) else {
                Issue.record("\(text.debugDescription) was accepted")
                continue
            }
        }
    }

    @Test func encodingRefusesPayloadsThatAreNotOneJSONValue() {
        let bad: [[UInt8]] = [
            [], Array("{".utf8), Array("1 2".utf8), Array(" 1".utf8), Array("1\n".utf8), Array("[1,]".utf8),
            Array("NaN".utf8), Array("'a'".utf8), Array("\"\u{1}\"".utf8), [0x22, 0xFF, 0x22], Array(#""\uD800""#.utf8),
            Array(String(repeating: "[", count: 100_000).utf8), Array("{}{}".utf8),
        ]
        for payload in bad {
            let envelope = EventEnvelope(
                id: "a", streamId: "s", topic: "t", payload: payload, publishedAtMilliseconds: 0)
            #expect {
                try codec.encodeEnvelope(envelope)
            } throws: { error in
                guard case .payloadNotJSON = error as? JSONCodecError else { return false }
                return true
            }
        }
    }

    @Test func errorMessagesSayWhatIsWrong() {
        #expect(
            JSONCodecError.missingField("id").description
                == #"The envelope has no "id" field; v, id, streamId, topic and publishedAt are required."#)
        #expect(
            decodingError(#"{"id":"a","streamId":"s","topic":"t","publishedAt":0}"#)?.description
                == #"The envelope has no "v" field; v, id, streamId, topic and publishedAt are required."#)
        #expect(
            decodingError(#"{"v":2,"id":"a","streamId":"s","topic":"t","publishedAt":0}"#)?.description
                == "The envelope has format version 2; this JSONCodec reads version 1.")
        #expect(
            decodingError(#"{"v":"1","id":"a","streamId":"s","topic":"t","publishedAt":0}"#)?.description
                == #"The envelope field "v" must be the integer format version."#)
        #expect(
            decodingError(#"{"id":"a" "#)?.description
                == "Invalid JSON at byte 10: unexpected end of input, expected ',' or '}'.")
        #expect(
            JSONCodecError.nestingTooDeep(offset: 3).description
                == "Arrays and objects nest deeper than 512 levels at byte 3.")
        let envelope = EventEnvelope(
            id: "a", streamId: "s", topic: "t", payload: Array("[1,]".utf8), publishedAtMilliseconds: 0)
        #expect(
            throws: JSONCodecError.payloadNotJSON(
                reason: "Invalid JSON at byte 3: expected a JSON value but found ']'.")
        ) {
            try codec.encodeEnvelope(envelope)
        }
    }
}
