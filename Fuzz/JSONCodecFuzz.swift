import EventBrokerCodecJSON
import EventBrokerCore

/// libFuzzer entry point for the JSON codec: the input is decoded as an envelope and its payload
/// as an order and as any value. Decoding may throw; it must never crash. A decoded envelope must
/// encode and decode again to the same envelope.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzJSONCodec(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let bytes = Array(UnsafeBufferPointer(start: data, count: size))
    let codec = JSONCodec()
    if let envelope = try? codec.decodeEnvelope(bytes) {
        guard let again = try? codec.encodeEnvelope(envelope), (try? codec.decodeEnvelope(again)) == envelope else {
            fatalError("a decoded envelope did not survive encoding and decoding again")
        }
        if let payload = envelope.payload {
            _ = try? codec.decodePayload(FuzzOrder.self, from: payload)
            _ = try? codec.decodePayload(FuzzTree.self, from: payload)
        }
    }
    return 0
}
