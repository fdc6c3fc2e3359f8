/// The codecs one broker knows: the one it writes with and those it reads, found by the tag
/// byte every envelope starts with.
struct CodecSet: Sendable {
    /// The codec new events are written with.
    let writer: any EventCodec
    private let readers: [UInt8: any EventCodec]

    /// Combines the writing codec with the readable ones; throws when two different codecs
    /// share a tag.
    init(writer: any EventCodec, readers: [any EventCodec]) throws {
        var byTag: [UInt8: any EventCodec] = [writer.tag: writer]
        for codec in readers {
            if let known = byTag[codec.tag], known.name != codec.name {
                throw BrokerError.invalidConfiguration(
                    setting: "readableCodecs",
                    reason: "codecs \(known.name) and \(codec.name) both use the tag byte \(codec.tag)")
            }
            byTag[codec.tag] = byTag[codec.tag] ?? codec
        }
        self.writer = writer
        self.readers = byTag
    }

    /// Decodes an envelope with the codec its first byte names, and returns that codec too: the
    /// payload inside is in its format.
    func decode(_ bytes: [UInt8]) throws -> (envelope: EventEnvelope, codec: any EventCodec) {
        guard let tag = bytes.first else { throw EnvelopeError.empty }
        guard let codec = readers[tag] else { throw EnvelopeError.unknownCodec(tag: tag) }
        return (try codec.decodeEnvelope(bytes), codec)
    }
}

/// Why a stored envelope could not be given to any codec.
public enum EnvelopeError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The stored envelope has no bytes at all.
    case empty
    /// No codec the broker knows writes envelopes starting with this byte.
    case unknownCodec(tag: UInt8)

    public var description: String {
        switch self {
        case .empty:
            return "the stored envelope is empty"
        case .unknownCodec(let tag):
            return "no known codec writes envelopes that start with the byte 0x\(String(tag, radix: 16, uppercase: true)); "
                + "add that codec to BrokerConfiguration.readableCodecs"
        }
    }
}
