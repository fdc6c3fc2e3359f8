/// New ids for published events and broker instances: random (version 4) UUIDs in their
/// canonical lowercase text, `8-4-4-4-12` hexadecimal digits, the form
/// `UUID().uuidString.lowercased()` writes and the binary codec packs into 16 bytes.
///
/// Foundation's `UUID()` on Linux opens, reads and closes `/dev/urandom` for every id: three
/// system calls, about 5 µs in a loop and more on a busy publisher. The 122 random bits come
/// here from `SystemRandomNumberGenerator` (the kernel's generator through `getrandom`, two
/// calls, no file; it waits only before the kernel's pool is first seeded, early in boot, so
/// it does not block a pool thread), and the text is written directly, without the uppercase
/// string to lower.
enum RandomID {
    /// A new random UUID, e.g. `"3f2b8c1e-9a4d-4e7f-b0c2-5d6e7f8a9b0c"`.
    static func make() -> String {
        var generator = SystemRandomNumberGenerator()
        // The version (4, in the high bits of the third group) and the RFC 9562 variant (binary
        // 10, in the high bits of the fourth group) take 6 of the 128 bits.
        let high = (generator.next() as UInt64) & ~0xF000 | 0x4000
        let low = (generator.next() as UInt64) & 0x3FFF_FFFF_FFFF_FFFF | 0x8000_0000_0000_0000
        return text(high: high, low: low)
    }

    /// The canonical text of the UUID whose 16 bytes, big-endian, are `high` then `low`.
    static func text(high: UInt64, low: UInt64) -> String {
        String(unsafeUninitializedCapacity: 36) { buffer in
            var index = 0
            /// Writes a dash (unless at the start), then `digits` digits of `value`, from its
            /// nibble `first` (0 the least significant) down.
            func group(_ value: UInt64, first: Int, digits: Int) {
                if index > 0 {
                    buffer[index] = UInt8(ascii: "-")
                    index += 1
                }
                for nibble in stride(from: first, to: first - digits, by: -1) {
                    let digit = UInt8(truncatingIfNeeded: value >> (4 * UInt64(nibble))) & 0xF
                    buffer[index] = digit < 10 ? UInt8(ascii: "0") + digit : UInt8(ascii: "a") + digit - 10
                    index += 1
                }
            }
            group(high, first: 15, digits: 8)
            group(high, first: 7, digits: 4)
            group(high, first: 3, digits: 4)
            group(low, first: 15, digits: 4)
            group(low, first: 11, digits: 12)
            return index
        }
    }
}
