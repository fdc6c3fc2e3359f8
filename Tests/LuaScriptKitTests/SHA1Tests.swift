import EventBrokerTestSupport
import Testing
@testable import LuaScriptKit

@Suite struct SHA1Tests {
    @Test(arguments: [
        ("", "da39a3ee5e6b4b0d3255bfef95601890afd80709"),
        ("abc", "a9993e364706816aba3e25717850c26c9cd0d89d"),
        ("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq", "84983e441c3bd26ebaae4aa1f95129e5e54670f1"),
        (
            "abcdefghbcdefghicdefghijdefghijkefghijklfghijklmghijklmnhijklmnoijklmnopjklmnopqklmnopqrlmnopqrsmnopqrstnopqrstu",
            "a49b2446a02c645bf419f995b67091253a04a259"
        ),
    ])
    func matchesTheFIPSVectors(message: String, digest: String) {
        #expect(SHA1.hexDigest(of: Array(message.utf8)) == digest)
    }

    @Test func matchesTheFIPSVectorOfOneMillionAs() {
        let message = [UInt8](repeating: UInt8(ascii: "a"), count: 1_000_000)
        #expect(SHA1.hexDigest(of: message) == "34aa973cd4c4daa4f61eeb2bdbad27316534016f")
    }

    /// Lengths 0…200 cross every padding case: 55, 56 and 64 bytes, one block and several.
    @Test func matchesSha1sumOnRandomBytesOfEveryLengthUpTo200() throws {
        var generator = SeededGenerator(seed: 0x5EED)
        for length in 0...200 {
            let bytes = (0..<length).map { _ in UInt8.random(in: .min ... .max, using: &generator) }
            #expect(SHA1.hexDigest(of: bytes) == (try sha1sum(bytes)), "length \(length): \(bytes)")
        }
    }
}
