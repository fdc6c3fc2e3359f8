/// The hash slot of a key in Redis Cluster: CRC16 (XMODEM) of the key, or of its hash tag, modulo
/// 16,384. The hash tag is what lies between the first `{` and the next `}` when that is not
/// empty, so `{reb}:v1:s:billing:published` and `{reb}:v1:services` share a slot.
package enum HashSlot {
    /// The number of slots of a cluster.
    package static let count = 16_384

    /// The slot of `key`.
    package static func of(_ key: some Collection<UInt8>) -> Int {
        Int(crc16(hashed(key)) % UInt16(count))
    }

    /// The slot of `key`, UTF-8 encoded.
    package static func of(_ key: String) -> Int {
        of(Array(key.utf8))
    }

    /// The part of `key` that is hashed: its hash tag if it has one, else all of it.
    private static func hashed<Key: Collection<UInt8>>(_ key: Key) -> Key.SubSequence {
        guard let open = key.firstIndex(of: UInt8(ascii: "{")) else { return key[...] }
        let afterOpen = key.index(after: open)
        guard let close = key[afterOpen...].firstIndex(of: UInt8(ascii: "}")), close != afterOpen else { return key[...] }
        return key[afterOpen..<close]
    }

    /// CRC16-CCITT as XMODEM computes it: polynomial 0x1021, initial value 0, no reflection.
    private static func crc16(_ bytes: some Sequence<UInt8>) -> UInt16 {
        var crc: UInt16 = 0
        for byte in bytes {
            crc ^= UInt16(byte) << 8
            for _ in 0..<8 {
                crc = crc & 0x8000 != 0 ? (crc << 1) ^ 0x1021 : crc << 1
            }
        }
        return crc
    }
}
