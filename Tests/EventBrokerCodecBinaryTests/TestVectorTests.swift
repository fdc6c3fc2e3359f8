import EventBrokerCodecBinary
import EventBrokerCore
import Foundation
import Testing

/// Checks `value` against the exact payload bytes `hex` in both directions.
private func checkPayloadVector<T: Codable & Equatable>(_ hex: String, _ value: T) throws {
    let codec = BinaryCodec()
    #expect(Hex.string(try codec.encodePayload(value)) == hex)
    #expect(try codec.decodePayload(T.self, from: Hex.bytes(hex)) == value)
}

@Suite("Binary test vectors of docs/CODECS.md")
struct TestVectorTests {
    @Test(arguments: TestVectors.envelopes)
    func envelopeEncodesToTheVector(_ vector: TestVectors.EnvelopeVector) {
        #expect(Hex.string(BinaryCodec().encodeEnvelope(vector.envelope)) == vector.hex)
    }

    @Test(arguments: TestVectors.envelopes)
    func vectorDecodesToTheEnvelope(_ vector: TestVectors.EnvelopeVector) throws {
        #expect(try BinaryCodec().decodeEnvelope(Hex.bytes(vector.hex)) == vector.envelope)
    }

    @Test func payloadVectors() throws {
        try checkPayloadVector(TestVectors.lineItemHex, TestVectors.lineItem)
        try checkPayloadVector(TestVectors.cartHex, TestVectors.cart)
        try checkPayloadVector(TestVectors.scalarsHex, TestVectors.scalars)
        try checkPayloadVector(TestVectors.intKeysHex, TestVectors.intKeys)
        try checkPayloadVector(TestVectors.digitsHex, TestVectors.digits)
    }

    @Test func scalarVectorKeepsExactBits() throws {
        let decoded = try BinaryCodec().decodePayload(TestVectors.Scalars.self, from: Hex.bytes(TestVectors.scalarsHex))
        #expect(decoded.negativeZero.sign == .minus)
        #expect(decoded.date.timeIntervalSinceReferenceDate.bitPattern == (1.5 as Double).bitPattern)
    }

    @Test func theVectorPayloadIsTheLineItem() throws {
        let envelope = try BinaryCodec().decodeEnvelope(Hex.bytes(TestVectors.envelopes[5].hex))
        #expect(try BinaryCodec().decodePayload(LineItem.self, from: #require(envelope.payload)) == TestVectors.lineItem)
    }

    @Test func theUUIDIdTakesSixteenBytes() {
        let uuid = BinaryCodec().encodeEnvelope(TestVectors.envelopes[1].envelope)
        var asString = TestVectors.envelopes[1].envelope
        asString.id = asString.id.uppercased()
        #expect(BinaryCodec().encodeEnvelope(asString).count - uuid.count == 37 - 16)
    }

    @Test func onlyACanonicalTraceparentIsPacked() throws {
        let canonical = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"
        for (value, packed) in [
            (canonical, true), (canonical.uppercased(), false), ("01" + canonical.dropFirst(2), false),
            (canonical + "-", false), (String(canonical.dropLast()), false), ("00-abc-01", false),
        ] {
            let envelope = EventEnvelope(id: "a", streamId: "s", topic: "t", headers: ["traceparent": value], publishedAtMilliseconds: 0)
            let bytes = BinaryCodec().encodeEnvelope(envelope)
            #expect(bytes[2] & 0x08 == (packed ? 0x08 : 0), "\(value)")
            #expect(try BinaryCodec().decodeEnvelope(bytes) == envelope, "\(value) reads back unchanged")
        }
    }
}
