import EventBrokerTestSupport
import Foundation
import Testing

/// The hex of every code block of docs/CODECS.md: on each line, the hex groups before the first
/// word that is not hex (the annotations), all lines of a block joined.
private func documentedHexBlocks() throws -> Set<String> {
    let document = try String(contentsOf: packageRoot.appending(path: "docs/CODECS.md"), encoding: .utf8)
        // Vector 6 embeds vector 7's payload by reference.
        .replacingOccurrences(of: "<the 34 payload bytes of vector 7>", with: TestVectors.lineItemHex)
    let blocks = document.components(separatedBy: "```").enumerated().filter { $0.offset % 2 == 1 }.map(\.element)
    return Set(
        blocks.map { block in
            block.split(separator: "\n").map { line in
                line.split(separator: " ").prefix { $0.allSatisfy(\.isHexDigit) }.joined()
            }.joined()
        })
}

@Suite("Binary test vectors: docs/CODECS.md shows the bytes the tests check")
struct DocumentedVectorTests {
    @Test(arguments: TestVectors.envelopes)
    func envelopeVectorIsDocumented(_ vector: TestVectors.EnvelopeVector) throws {
        #expect(try documentedHexBlocks().contains(vector.hex))
    }

    @Test func payloadVectorsAreDocumented() throws {
        let blocks = try documentedHexBlocks()
        for hex in [TestVectors.lineItemHex, TestVectors.cartHex, TestVectors.scalarsHex, TestVectors.intKeysHex, TestVectors.digitsHex] {
            #expect(blocks.contains(hex), "\(hex) is not in docs/CODECS.md")
        }
    }
}
