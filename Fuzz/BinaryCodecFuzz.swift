import EventBrokerCodecBinary
import EventBrokerCore

/// libFuzzer entry point for the binary codec: the input is decoded as an envelope and as a
/// payload (as an order and as any value). Decoding may throw; it must never crash. Whatever
/// decodes must encode and decode again to the same value.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzBinaryCodec(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let bytes = Array(UnsafeBufferPointer(start: data, count: size))
    let codec = BinaryCodec()
    if let envelope = try? codec.decodeEnvelope(bytes) {
        guard (try? codec.decodeEnvelope(codec.encodeEnvelope(envelope))) == envelope else {
            fatalError("a decoded envelope did not survive encoding and decoding again")
        }
        if let payload = envelope.payload {
            _ = try? codec.decodePayload(FuzzOrder.self, from: payload)
            _ = try? codec.decodePayload(FuzzTree.self, from: payload)
        }
    }
    if let order = try? codec.decodePayload(FuzzOrder.self, from: bytes) {
        guard (try? codec.decodePayload(FuzzOrder.self, from: codec.encodePayload(order))) == order else {
            fatalError("a decoded order did not survive encoding and decoding again")
        }
    }
    if let tree = try? codec.decodePayload(FuzzTree.self, from: bytes) {
        guard (try? codec.decodePayload(FuzzTree.self, from: codec.encodePayload(tree))) == tree else {
            fatalError("a decoded tree did not survive encoding and decoding again")
        }
    }
    return 0
}
