import Foundation
import Testing

@testable import EventBrokerCore

@Suite struct RandomIDTests {
    @Test func theTextIsTheCanonicalLowercaseFormOfTheBytes() {
        let text = RandomID.text(high: 0x0123_4567_89AB_CDEF, low: 0xFEDC_BA98_7654_3210)
        #expect(text == "01234567-89ab-cdef-fedc-ba9876543210")
        #expect(RandomID.text(high: 0, low: .max) == "00000000-0000-0000-ffff-ffffffffffff")
    }

    @Test func anIdIsAVersion4UUIDAsFoundationWritesIt() throws {
        for _ in 0..<1_000 {
            let id = RandomID.make()
            let uuid = try #require(UUID(uuidString: id), "\(id) is a UUID")
            #expect(uuid.uuidString.lowercased() == id)
            let characters = Array(id)
            #expect(characters[14] == "4", "version 4: \(id)")
            #expect("89ab".contains(characters[19]), "RFC 9562 variant: \(id)")
        }
    }

    @Test func idsDoNotRepeat() {
        let ids = (0..<100_000).map { _ in RandomID.make() }
        #expect(Set(ids).count == ids.count)
    }

    @Test func everyRandomBitVaries() {
        // Each of the 122 random bits is 0 in some of 256 ids and 1 in others (a fixed bit would
        // be so in all of them; a random one is, with probability 2^-255).
        var seenZero = (high: UInt64(0), low: UInt64(0))
        var seenOne = (high: UInt64(0), low: UInt64(0))
        for _ in 0..<256 {
            let bytes = UUID(uuidString: RandomID.make())!.uuid
            let (high, low) = withUnsafeBytes(of: bytes) { raw in
                (UInt64(bigEndian: raw.loadUnaligned(as: UInt64.self)),
                 UInt64(bigEndian: raw.loadUnaligned(fromByteOffset: 8, as: UInt64.self)))
            }
            seenOne.high |= high
            seenOne.low |= low
            seenZero.high |= ~high
            seenZero.low |= ~low
        }
        let versionAndVariant = (high: UInt64(0xF000), low: UInt64(0xC000_0000_0000_0000))
        #expect(seenOne.high & seenZero.high == ~versionAndVariant.high)
        #expect(seenOne.low & seenZero.low == ~versionAndVariant.low)
    }
}
