@testable import EventBrokerCore
import EventBrokerCodecBinary
import EventBrokerTestSupport
import Foundation
import Testing

/// Valid envelopes and payloads whose prefixes and single-byte corruptions the tests feed back.
private enum Samples {
    static let codec = BinaryCodec()

    static let order = Order(
        id: 42, customer: "Zoë", note: "ring twice", address: Address(street: "Main 1", zip: "0815"),
        lines: [LineItem(sku: "A-1", quantity: 2, price: 9.5), LineItem(sku: "B-2", quantity: 1, price: 0.25)],
        tags: ["vip": 1], byPosition: [3: "three"], placedAt: Date(timeIntervalSinceReferenceDate: 1.5),
        signature: Data([1, 2, 3]), paid: false)

    static var payloads: [[UInt8]] {
        get throws {
            [
                try codec.encodePayload(order),
                try codec.encodePayload(["ключ": [1.5, -2], "b": []]),
                try codec.encodePayload([1: "one", 2: "two"]),
                try codec.encodePayload("日本語 🎉"),
                try codec.encodePayload(Int64.min),
            ]
        }
    }

    static var envelopes: [[UInt8]] {
        get throws {
            [
                codec.encodeEnvelope(
                    EventEnvelope(
                        id: "5f0c6c1e-8a4b-4d2e-9b7a-3c1d2e4f5a6b", streamId: "order-15", topic: "orders",
                        message: "OrderPlaced", payload: try codec.encodePayload(order),
                        headers: ["traceparent": "00-abc-01", "é": "ü"], publishedAtMilliseconds: 1_732_623_456_789)),
                codec.encodeEnvelope(
                    EventEnvelope(id: "evt-1", streamId: "s", topic: "t", publishedAtMilliseconds: -1)),
                codec.encodeEnvelope(
                    EventEnvelope(
                        id: "0b7e6e6e-2c1a-4f3b-8d5e-9a0b1c2d3e4f", streamId: "s", topic: "t",
                        headers: ["traceparent": "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"],
                        publishedAtMilliseconds: 7)),
                codec.encodeEnvelope(
                    EventEnvelope(
                        id: "", streamId: "", topic: "🎉", message: "", payload: [], headers: ["": ""],
                        publishedAtMilliseconds: Int64.min)),
            ]
        }
    }
}

/// Decodes `bytes` as an envelope and then its payload as an `Order`, returning the error if any;
/// anything thrown must be a `BinaryCodecError`.
private func decodeAll(_ bytes: [UInt8]) -> (any Error)? {
    do {
        let envelope = try Samples.codec.decodeEnvelope(bytes)
        if let payload = envelope.payload {
            _ = try? Samples.codec.decodePayload(Order.self, from: payload)
            _ = try? Samples.codec.decodePayload([String: [Double]].self, from: payload)
        }
        return nil
    } catch {
        return error
    }
}

private func envelopeError(_ bytes: [UInt8]) -> BinaryCodecError? {
    do {
        _ = try BinaryCodec().decodeEnvelope(bytes)
        return nil
    } catch {
        return error
    }
}

private func payloadError<T: Decodable>(_ bytes: [UInt8], as type: T.Type = [String: Int].self) -> BinaryCodecError? {
    do {
        _ = try BinaryCodec().decodePayload(type, from: bytes)
        return nil
    } catch {
        return error
    }
}

/// `value` as a varint.
private func varint(_ value: UInt64) -> [UInt8] {
    var bytes: [UInt8] = []
    var value = value
    while value >= 0x80 {
        bytes.append(UInt8(truncatingIfNeeded: value) | 0x80)
        value >>= 7
    }
    return bytes + [UInt8(value)]
}

/// A payload of `depth` arrays nested in each other, with consistent counts and lengths.
private func nestedArrays(_ depth: Int) -> [UInt8] {
    var value: [UInt8] = [0x0B, 0x00, 0x00]
    for _ in 1..<depth {
        value = [0x0B, 0x01] + varint(UInt64(value.count)) + value
    }
    return [0x00] + value
}

@Suite("Binary codec: hostile input")
struct BinaryHostileInputTests {
    @Test func everyTruncatedEnvelopeIsATypedError() throws {
        for envelope in try Samples.envelopes {
            for length in 0..<envelope.count {
                #expect(envelopeError(Array(envelope[..<length])) != nil, "prefix of \(length) bytes")
            }
        }
    }

    @Test func everyTruncatedPayloadIsATypedError() throws {
        for payload in try Samples.payloads {
            for length in 0..<payload.count {
                let prefix = Array(payload[..<length])
                #expect(payloadError(prefix, as: Order.self) != nil, "prefix of \(length) bytes")
                #expect(payloadError(prefix, as: Nest.self) != nil, "prefix of \(length) bytes")
            }
        }
    }

    @Test func everySingleByteCorruptionOfAnEnvelopeThrowsTypedOrDecodes() throws {
        var decodedCount = 0
        var thrownCount = 0
        for envelope in try Samples.envelopes {
            for index in envelope.indices {
                for byte in [0x00, 0x01, 0x02, 0x0B, 0x0C, 0x7F, 0x80, 0xFF, envelope[index] ^ 0x01] as [UInt8] {
                    var corrupted = envelope
                    corrupted[index] = byte
                    if let error = decodeAll(corrupted) {
                        #expect(error is BinaryCodecError)
                        thrownCount += 1
                    } else {
                        decodedCount += 1
                    }
                }
            }
        }
        #expect(thrownCount > 0 && decodedCount > 0)
    }

    @Test func everySingleByteCorruptionOfAPayloadThrowsTypedOrDecodes() throws {
        for payload in try Samples.payloads {
            for index in payload.indices {
                for byte in UInt8.min...UInt8.max {
                    var corrupted = payload
                    corrupted[index] = byte
                    for attempt in [
                        { _ = try BinaryCodec().decodePayload(Order.self, from: corrupted) },
                        { _ = try BinaryCodec().decodePayload([String: [Double]].self, from: corrupted) },
                        { _ = try BinaryCodec().decodePayload(Nest.self, from: corrupted) },
                    ] as [() throws -> Void] {
                        do {
                            try attempt()
                        } catch {
                            #expect(error is BinaryCodecError)
                        }
                    }
                }
            }
        }
    }

    @Test func randomlyDamagedEnvelopesNeverCrash() throws {
        var generator = SeededGenerator(seed: 99)
        let envelopes = try Samples.envelopes
        for _ in 0..<5_000 {
            var bytes = envelopes.randomElement(using: &generator)!
            for _ in 0..<Int.random(in: 1...4, using: &generator) {
                let index = Int.random(in: 0..<bytes.count, using: &generator)
                let byte = UInt8.random(in: 0...255, using: &generator)
                switch Int.random(in: 0..<3, using: &generator) {
                case 0: bytes[index] = byte
                case 1: bytes.insert(byte, at: index)
                default: bytes.remove(at: index)
                }
                if bytes.isEmpty { bytes = [byte] }
            }
            if let error = decodeAll(bytes) { #expect(error is BinaryCodecError) }
        }
    }

    @Test func hugeDeclaredLengthsAndCountsAllocateNothing() {
        let huge = varint(1 << 60)
        // An envelope whose id claims 2^60 bytes.
        #expect(envelopeError([0x42, 0x01, 0x00] + huge + [0x61]) == .lengthBeyondInput(offset: 3, length: 1 << 60, remaining: 1))
        // 2^60 headers.
        let headerCount = [0x42, 0x01, 0x00, 0x01, 0x61, 0x01, 0x62, 0x01, 0x63] + huge + [0x00]
        #expect(envelopeError(headerCount) == .countBeyondInput(offset: 9, count: 1 << 60, remaining: 1))
        // A payload whose key table claims 2^60 keys, or whose string claims 2^60 bytes.
        #expect(payloadError(huge + [0x00]) == .countBeyondInput(offset: 0, count: 1 << 60, remaining: 1))
        #expect(payloadError([0x00, 0x07] + huge + [0x61], as: String.self) == .lengthBeyondInput(offset: 2, length: 1 << 60, remaining: 1))
        #expect(payloadError([0x00, 0x08] + varint(UInt64.max) + [0x61], as: Data.self) == .lengthBeyondInput(offset: 2, length: UInt64.max, remaining: 1))
        // An array claiming 2^60 elements in 2 bytes, and one claiming 2^60 bytes.
        #expect(payloadError([0x00, 0x0B] + huge + [0x02, 0x00, 0x00], as: [Int?].self) == .countBeyondInput(offset: 2, count: 1 << 60, remaining: 2))
        #expect(payloadError([0x00, 0x0B, 0x01] + huge + [0x00], as: [Int?].self) == .lengthBeyondInput(offset: 3, length: 1 << 60, remaining: 1))
        // An object claiming more entries than its bytes can hold (two bytes each at least).
        #expect(payloadError([0x01, 0x01, 0x61, 0x0C, 0x02, 0x03, 0x00, 0x00, 0x00]) == .countBeyondInput(offset: 4, count: 2, remaining: 3))
    }

    @Test func nestingBeyondTheLimitIsRefused() {
        #expect(payloadError(nestedArrays(BinaryCodec.maximumNestingDepth), as: Nest.self) == nil)
        // The 257th array is the innermost one: its 3 bytes end the payload.
        let tooDeep = nestedArrays(BinaryCodec.maximumNestingDepth + 1)
        #expect(payloadError(tooDeep, as: Nest.self) == .nestingTooDeep(offset: tooDeep.count - 3))
        // Far deeper input costs no stack: the checker does not recurse.
        for depth in [1_000, 100_000] {
            guard case .nestingTooDeep = payloadError(nestedArrays(depth), as: Nest.self) else {
                Issue.record("\(depth) nested arrays were not refused")
                continue
            }
        }
    }

    @Test func invalidUTF8IsRefusedEverywhere() {
        for bad: [UInt8] in [[0xFF], [0xC0, 0x80], [0xED, 0xA0, 0x80], [0xF4, 0x90, 0x80, 0x80], [0xE2, 0x82], [0x80]] {
            let string = varint(UInt64(bad.count)) + bad
            #expect(envelopeError([0x42, 0x01, 0x00] + string + [0x00, 0x00, 0x00, 0x00]) == .invalidUTF8(offset: 4))
            #expect(payloadError([0x00, 0x07] + string, as: String.self) == .invalidUTF8(offset: 3))
            #expect(payloadError([0x01] + string + [0x0C, 0x00, 0x00]) == .invalidUTF8(offset: 2))
            // Also in a string the type never reads.
            let unread = [0x01, 0x01, 0x61, 0x0C, 0x01, UInt8(3 + bad.count), 0x00, 0x07] + string
            #expect(payloadError(unread, as: [String: String?].self) == .invalidUTF8(offset: 9))
        }
        // Long ASCII runs (checked eight bytes at a time) with a bad byte at every position.
        for position in 0..<20 {
            var text = [UInt8](repeating: 0x61, count: 20)
            text[position] = 0xFF
            #expect(payloadError([0x00, 0x07, 0x14] + text, as: String.self) == .invalidUTF8(offset: 3))
        }
    }

    @Test func unknownTagsVersionsAndFlags() {
        #expect(envelopeError([]) == .truncated(offset: 0, expected: "the codec tag"))
        #expect(envelopeError(Array(#"{"v":1}"#.utf8)) == .wrongCodecTag(0x7B))
        #expect(envelopeError([0x42, 0x02, 0x00]) == .unsupportedVersion(2))
        #expect(envelopeError([0x42, 0x00]) == .unsupportedVersion(0))
        #expect(envelopeError([0x42, 0x01, 0x10]) == .unknownFlags(0x10))
        #expect(envelopeError([0x42, 0x01, 0x80]) == .unknownFlags(0x80))
        for tag: UInt8 in [0x0D, 0x0F, 0x19, 0x1F, 0x80, 0xFF] {
            #expect(payloadError([0x00, tag], as: Int.self) == .unknownValueTag(offset: 1, tag: tag))
        }
    }

    @Test func varintsMustBeShortestAndFit64Bits() {
        // Ten bytes with more than bit 63 in the last, eleven bytes, and a redundant zero byte.
        #expect(payloadError([0x00, 0x04] + [UInt8](repeating: 0xFF, count: 9) + [0x02], as: UInt64.self) == .invalidVarint(offset: 2))
        #expect(payloadError([0x00, 0x04] + [UInt8](repeating: 0x80, count: 10) + [0x01], as: UInt64.self) == .invalidVarint(offset: 2))
        #expect(payloadError([0x00, 0x04, 0x80, 0x00], as: UInt64.self) == .invalidVarint(offset: 2))
        #expect(payloadError([0x00, 0x04] + [UInt8](repeating: 0xFF, count: 9) + [0x01], as: UInt64.self) == nil)
        #expect(payloadError([0x00, 0x04, 0xFF], as: UInt64.self) == .truncated(offset: 3, expected: "a varint"))
        #expect(envelopeError([0x42, 0x01, 0x00, 0x00, 0x00, 0x00, 0x00, 0x80, 0x00]) == .invalidVarint(offset: 7))
    }

    @Test func keysMustBeKnownAndUnique() {
        // Key table ["a"]; an object naming key 1.
        #expect(payloadError([0x01, 0x01, 0x61, 0x0C, 0x01, 0x02, 0x01, 0x00]) == .keyIndexOutOfRange(offset: 6, index: 1, tableSize: 1))
        // The same key twice in one object, and twice in the table.
        #expect(payloadError([0x01, 0x01, 0x61, 0x0C, 0x02, 0x04, 0x00, 0x00, 0x00, 0x00]) == .duplicateKey(offset: 8, key: "a"))
        #expect(payloadError([0x02, 0x01, 0x61, 0x01, 0x61, 0x0C, 0x00, 0x00]) == .duplicateKey(offset: 3, key: "a"))
        // The same key in an object and in the object nested in it is fine, before and after it.
        let nested: [UInt8] = [0x01, 0x01, 0x61, 0x0C, 0x02, 0x08, 0x00, 0x0C, 0x01, 0x02, 0x00, 0x00, 0x00, 0x00]
        #expect(payloadError(nested, as: [String: [String: Int?]?].self) == .duplicateKey(offset: 12, key: "a"))
        // Headers named twice.
        #expect(envelopeError([0x42, 0x01, 0x00, 0x00, 0x00, 0x00, 0x02, 0x01, 0x68, 0x00, 0x01, 0x68, 0x00, 0x00]) == .duplicateKey(offset: 10, key: "h"))
        // A packed trace context and a `traceparent` header in the list as well.
        let traceparent: [UInt8] = [0x0B] + Array("traceparent".utf8) + [0x01, 0x78]
        #expect(
            envelopeError([0x42, 0x01, 0x08, 0x00, 0x00, 0x00, 0x01] + traceparent + [UInt8](repeating: 0xAB, count: 25) + [0x00])
                == .duplicateKey(offset: 21, key: "traceparent"))
    }

    @Test func lengthsMustMatchAndNothingMayTrail() throws {
        // An array whose byte length is one more than its one element.
        #expect(payloadError([0x00, 0x0B, 0x01, 0x02, 0x00, 0x00], as: [Int?].self) == .containerLengthMismatch(offset: 1))
        // An array whose element runs past its byte length.
        #expect(payloadError([0x00, 0x0B, 0x01, 0x01, 0x03, 0x00], as: [Int?].self) == .truncated(offset: 5, expected: "a varint"))
        #expect(payloadError([0x00, 0x00, 0x00], as: Int?.self) == .trailingBytes(offset: 2))
        let envelope = try Samples.envelopes[1]
        #expect(envelopeError(envelope + [0x00]) == .trailingBytes(offset: envelope.count))
        #expect(payloadError([], as: Int?.self) == .truncated(offset: 0, expected: "a varint"))
    }

    @Test func payloadAsGivesTypedErrors() throws {
        let codec = BinaryCodec()
        let envelope = EventEnvelope(
            id: "e-1", streamId: "s", topic: "t", payload: try codec.encodePayload(["not": "an order"]),
            publishedAtMilliseconds: 0)
        let event = DeliveredEvent(envelope: envelope, deliveryCount: 1, codec: codec)
        #expect {
            try event.payload(as: Order.self)
        } throws: { error in
            guard case .payloadDecodingFailed(let id, _, let reason) = error as? BrokerError else { return false }
            return id == "e-1" && reason == BinaryCodecError.keyNotFound(key: "id", codingPath: "the top level").description
        }
        let broken = DeliveredEvent(
            envelope: EventEnvelope(id: "e-2", streamId: "s", topic: "t", payload: [0x00, 0x0D], publishedAtMilliseconds: 0),
            deliveryCount: 1, codec: codec)
        #expect {
            try broken.payload(as: Int.self)
        } throws: { error in
            guard case .payloadDecodingFailed(_, _, let reason) = error as? BrokerError else { return false }
            return reason == BinaryCodecError.unknownValueTag(offset: 1, tag: 0x0D).description
        }
    }

    @Test func errorMessagesSayWhatIsWrong() {
        #expect(BinaryCodecError.unsupportedVersion(2).description == "The envelope has binary format version 2; this BinaryCodec reads version 1.")
        #expect(BinaryCodecError.typeMismatch(expected: "Int", found: "a string", codingPath: "lines[2].sku").description == "Expected Int but found a string at lines[2].sku.")
        #expect(BinaryCodecError.nestingTooDeep(offset: 9).description == "Arrays and objects nest deeper than 256 levels at byte 9.")
    }
}
