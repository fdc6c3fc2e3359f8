import EventBrokerCodecJSON
import EventBrokerCore
import Testing

/// The format version `"v"`: written first, read from any position, and only version 1 accepted.
@Suite("JSON envelope format version")
struct JSONEnvelopeVersionTests {
    let codec = JSONCodec()

    /// The members of a valid envelope besides `v`.
    static let rest = #""id":"a","streamId":"s","topic":"t","publishedAt":0"#

    /// Decodes `text`, which must fail, and returns the error.
    private func decodingError(_ text: String) -> JSONCodecError? {
        decodingError(Array(text.utf8))
    }

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

    @Test func theWriterPutsTheVersionFirst() throws {
        let envelope = EventEnvelope(
            id: "a", streamId: "s", topic: "t", message: "m", payload: Array(#"{"v":2}"#.utf8),
            headers: ["v": "2"], publishedAtMilliseconds: 0)
        let bytes = try codec.encodeEnvelope(envelope)
        #expect(bytes.first == codec.tag)
        #expect(bytes.starts(with: Array(#"{"v":\#(JSONCodec.formatVersion),"#.utf8)))
        #expect(bytes.starts(with: Array(#"{"v":1,"id":"a","#.utf8)))
    }

    @Test(arguments: [
        #"{"v":1,\#(rest)}"#, #"{\#(rest),"v":1}"#, #"{ "v" : 1 , \#(rest) }"#, #"{"\u0076":1,\#(rest)}"#,
        #"{"id":"a","v":1,"streamId":"s","topic":"t","publishedAt":0}"#,
    ])
    func versionOneIsRead(_ text: String) throws {
        #expect(
            try codec.decodeEnvelope(Array(text.utf8))
                == EventEnvelope(id: "a", streamId: "s", topic: "t", publishedAtMilliseconds: 0))
    }

    static let integerVersion = "the integer format version"

    @Test(
        arguments: [
            ("2", .unsupportedVersion(2)),
            ("0", .unsupportedVersion(0)),
            ("-1", .unsupportedVersion(-1)),
            ("-0", .unsupportedVersion(0)),
            ("10", .unsupportedVersion(10)),
            ("9223372036854775807", .unsupportedVersion(Int64.max)),
            ("-9223372036854775808", .unsupportedVersion(Int64.min)),
            (#""1""#, .wrongType(field: "v", expected: integerVersion)),
            (#""v1""#, .wrongType(field: "v", expected: integerVersion)),
            ("1.5", .wrongType(field: "v", expected: integerVersion)),
            ("1.0", .wrongType(field: "v", expected: integerVersion)),
            ("1e0", .wrongType(field: "v", expected: integerVersion)),
            ("10E-1", .wrongType(field: "v", expected: integerVersion)),
            ("9223372036854775808", .wrongType(field: "v", expected: integerVersion)),
            ("null", .wrongType(field: "v", expected: integerVersion)),
            ("true", .wrongType(field: "v", expected: integerVersion)),
            ("[1]", .wrongType(field: "v", expected: integerVersion)),
            (#"{"major":1}"#, .wrongType(field: "v", expected: integerVersion)),
        ] as [(String, JSONCodecError)])
    func otherVersionsAreRefused(_ version: String, error: JSONCodecError) {
        for text in [#"{"v":\#(version),\#(Self.rest)}"#, #"{\#(Self.rest),"v":\#(version)}"#] {
            #expect(decodingError(text) == error, "\(text)")
        }
    }

    @Test func anUnsupportedVersionNeedsNoOtherField() {
        // A later format may drop or rename the fields version 1 requires: the version is named,
        // not a missing field.
        #expect(decodingError(#"{"v":2}"#) == .unsupportedVersion(2))
        #expect(decodingError(#"{"v":0,"id":"a"}"#) == .unsupportedVersion(0))
        #expect(decodingError(#"{"v":2,"identifier":"a","time":"2024-11-26T12:00:00Z"}"#) == .unsupportedVersion(2))
    }

    @Test func malformedVersionsAreTypedErrors() {
        // A version is checked as soon as its number is read: "01" and "0x1" read as version 0.
        for version in ["01", "0x1"] {
            #expect(decodingError(#"{"v":\#(version),\#(Self.rest)}"#) == .unsupportedVersion(0), "\(version)")
        }
        // Starting like a number, then not a JSON number: invalid JSON.
        for version in ["1.", "1e", "-", "1_0", "--1"] {
            guard case .invalidJSON = decodingError(#"{"v":\#(version),\#(Self.rest)}"#) else {
                Issue.record("\(version.debugDescription) was not refused as invalid JSON")
                continue
            }
        }
        // Not starting like a number: the wrong type, as for publishedAt, whether valid JSON or not.
        for version in ["+1", ".1", "NaN", "one", "'1'", ""] {
            #expect(
                decodingError(#"{"v":\#(version),\#(Self.rest)}"#)
                    == .wrongType(field: "v", expected: Self.integerVersion), "\(version.debugDescription)")
        }
    }

    @Test func aCorruptedVersionDigitIsRefused() throws {
        let bytes = try codec.encodeEnvelope(
            EventEnvelope(id: "a", streamId: "s", topic: "t", publishedAtMilliseconds: 0))
        let versionIndex = 5  // {"v":1
        #expect(bytes[versionIndex] == UInt8(ascii: "1"))
        for digit in UInt8(ascii: "0")...UInt8(ascii: "9") where digit != UInt8(ascii: "1") {
            var corrupted = bytes
            corrupted[versionIndex] = digit
            #expect(decodingError(corrupted) == .unsupportedVersion(Int64(digit - UInt8(ascii: "0"))))
        }
        var renamed = bytes
        renamed[2] = UInt8(ascii: "w")  // {"w":1 is an unknown field
        #expect(decodingError(renamed) == .missingField("v"))
        var quoted = bytes
        quoted.insert(UInt8(ascii: "\""), at: versionIndex + 1)
        quoted.insert(UInt8(ascii: "\""), at: versionIndex)
        #expect(decodingError(quoted) == .wrongType(field: "v", expected: Self.integerVersion))
    }
}
