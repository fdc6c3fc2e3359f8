import EventBrokerCodecBinary
import EventBrokerCodecJSON
import EventBrokerCore
import EventBrokerTestSupport
import Testing

/// Every codec the broker ships, as the broker sees them.
private let codecs: [any EventCodec] = [JSONCodec(), BinaryCodec()]

/// Encodes `event` with `codec` (payload, then envelope), decodes it back and checks that every
/// field and the payload are equal.
private func checkRoundTrip(_ event: RandomEvents.Event, _ codec: some EventCodec) throws {
    let payload: [UInt8]? =
        switch event.payload {
        case nil: nil
        case .tree(let tree): try codec.encodePayload(tree)
        case .record(let record): try codec.encodePayload(record)
        }
    let envelope = EventEnvelope(
        id: event.id, streamId: event.streamId, topic: event.topic, message: event.message, payload: payload,
        headers: event.headers, publishedAtMilliseconds: event.publishedAt)
    let bytes = try codec.encodeEnvelope(envelope)
    #expect(bytes.first == codec.tag)
    let decoded = try codec.decodeEnvelope(bytes)
    #expect(decoded == envelope, "\(codec.name)")
    #expect(try codec.encodeEnvelope(decoded) == bytes, "\(codec.name): the same envelope gives the same bytes")
    switch event.payload {
    case nil:
        #expect(decoded.payload == nil)
    case .tree(let tree):
        #expect(try codec.decodePayload(Tree.self, from: #require(decoded.payload)) == tree, "\(codec.name)")
    case .record(let record):
        #expect(try codec.decodePayload(Record.self, from: #require(decoded.payload)) == record, "\(codec.name)")
    }
}

@Suite("Codec properties, on every codec")
struct CodecPropertyTests {
    @Test(arguments: codecs.map(\.name))
    func thousandRandomEventsRoundTrip(_ name: String) throws {
        let codec = try #require(codecs.first { $0.name == name })
        var random = RandomEvents(generator: SeededGenerator(seed: 20_261_126))
        for _ in 0..<1_000 {
            try checkRoundTrip(random.event(), codec)
        }
    }

    @Test(arguments: codecs.map(\.name))
    func thousandRandomTreesRoundTrip(_ name: String) throws {
        let codec = try #require(codecs.first { $0.name == name })
        var random = RandomEvents(generator: SeededGenerator(seed: 7))
        for _ in 0..<1_000 {
            let tree = random.tree(depth: 0)
            #expect(try codec.decodePayload(Tree.self, from: codec.encodePayload(tree)) == tree)
        }
    }

    @Test(arguments: codecs.map(\.name))
    func thousandRandomRecordsRoundTrip(_ name: String) throws {
        let codec = try #require(codecs.first { $0.name == name })
        var random = RandomEvents(generator: SeededGenerator(seed: 8))
        for _ in 0..<1_000 {
            let record = random.record()
            #expect(try codec.decodePayload(Record.self, from: codec.encodePayload(record)) == record)
        }
    }

    @Test func codecsHaveDistinctTagsAndNames() {
        #expect(Set(codecs.map(\.tag)).count == codecs.count)
        #expect(Set(codecs.map(\.name)) == ["json", "binary"])
    }

    @Test func eachCodecRefusesTheOthersEnvelopes() throws {
        let envelope = EventEnvelope(id: "a", streamId: "b", topic: "c", publishedAtMilliseconds: 1)
        let json = try JSONCodec().encodeEnvelope(envelope)
        let binary = BinaryCodec().encodeEnvelope(envelope)
        #expect(throws: BinaryCodecError.wrongCodecTag(0x7B)) { try BinaryCodec().decodeEnvelope(json) }
        #expect(throws: JSONCodecError.self) { try JSONCodec().decodeEnvelope(binary) }
    }
}
